#pragma once
// Graph webhook throughput, shared by the benches (webhook_bench, presence_bench): what it costs
// to acknowledge Graph's change notifications only after they are durably stored.
//
// measure_webhook() starts, in this process, one HttpServer (ServerOptions as in production,
// access log off) with two routes:
//   * the real webhook, register_graph_webhook_routes() over a real SqlitePresenceSyncStore in a
//     fresh temp database file (WAL, synchronous=FULL as SqliteStore opens it: every 202 follows
//     an fsync) and a gate that admits the one subscription the load uses;
//   * a trivial route that answers 202 without reading the body (no decoding, no store): the
//     ceiling that HTTP alone allows on this machine.
// Then it drives each route in turn with the same load: `concurrency` keep-alive connections,
// one request in flight each, posting Graph-shaped basic presence notification collections
// (changenotifications-for-presence.md) of batch_size items, until `seconds` have passed or
// `max_posts` posts were answered, whichever comes first.
//
// Not part of the library: benches only. Thread-safety: one call at a time per process is the
// intended use (it owns its threads and temp files for the duration of the call).

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/result.hpp"

namespace ccteams::bench {

struct WebhookLoad {
  double seconds = 3;             // per route; clamped to [0.1, 30]
  std::size_t max_posts = 0;      // per route; 0: bounded by time only
  std::size_t batch_size = 10;    // notifications per POST, >= 1
  int concurrency = 16;           // keep-alive client connections, >= 1
  int server_threads = 1;         // I/O threads of the HttpServer, >= 1
  std::string directory;          // where the temp database goes; "": the system temp dir
};

struct RouteFigures {
  std::size_t posts = 0;          // answered 202
  std::size_t errors = 0;         // connection failures and non-202 answers
  double seconds = 0;             // wall time of the run
  double notifications_per_s = 0;
  double p50_ms = 0;              // request latency, write of the request to end of the answer
  double p99_ms = 0;
};

struct WebhookFigures {
  RouteFigures durable;           // the real webhook: stored and fsync'ed before each 202
  RouteFigures trivial;           // 202 without storing
  // Shorthands for the figures most callers print.
  double durable_per_s = 0;       // durable.notifications_per_s
  double trivial_per_s = 0;       // trivial.notifications_per_s
  double ratio = 0;               // durable_per_s / trivial_per_s
  std::size_t notifications = 0;  // notifications stored in the inbox (read back from SQLite)
  double p50_ms = 0;              // durable.p50_ms
  double p99_ms = 0;              // durable.p99_ms
  std::uint64_t commits = 0;      // inbox transactions for those notifications (group commit)
  bool synchronous_full = false;  // the inbox's commits were fsync'ed
};

// Errors: unavailable when the temp database or a listening socket cannot be set up, internal
// when the stored notifications do not match what was acknowledged (a bug worth stopping for).
Result<WebhookFigures> measure_webhook(const WebhookLoad& load);

// The shape the brief asked for: seconds per route, batch size, connections.
Result<WebhookFigures> measure_webhook(double seconds, std::size_t batch_size, int concurrency);

}  // namespace ccteams::bench
