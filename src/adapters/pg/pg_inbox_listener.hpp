#pragma once
// Hears the presence inbox's wake-up calls (pg_inbox_wake.hpp; docs/postgresql.md,
// "LISTEN/NOTIFY"): one dedicated libpq connection that LISTENs on kInboxChannel, on one thread
// of its own. Every NOTIFY that an inbox writer's transaction sends (any instance's, this one's
// included) reaches `notified` with the organisations it names.
//
// Why a thread and not the event loop: the connection does nothing but wait, so a thread blocked
// in poll() on its socket (and on a pipe that stop() writes to) costs one bounded thread, and
// connecting, LISTEN and reconnecting may then use libpq's blocking calls (connect, DNS) without
// the PQconnectPoll state machine; the callbacks post their work wherever it belongs.
//
// Connection loss: notifications sent while the connection is down are lost (PostgreSQL keeps
// none for a session that is gone), so after every connection, once LISTEN took effect, the
// listener calls `connected`: the caller then re-reads what may have been notified meanwhile.
// A failed attempt is tried again after a back-off that doubles from first_retry to max_retry;
// a connection that fails after it was made is tried again at once. A dead peer that sends
// nothing is noticed through TCP keepalives and tcp_user_timeout (set here unless the DSN sets
// them).
//
// Thread-safety: the callbacks run on the listener thread, one at a time; they must not block
// for long (post the work). stop() and the counters from any thread.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/ids.hpp"
#include "core/time.hpp"

namespace ccteams::store {

struct PgInboxListenerOptions {
  std::string conninfo;  // as PgStoreOptions: never logged
  std::string password;
  Millis first_retry{200};
  Millis max_retry{5'000};
};

struct PgInboxListenerCallbacks {
  // The organisations one NOTIFY named (possibly several per commit, each once per payload).
  std::function<void(std::vector<OrgId>)> notified;
  // LISTEN took effect on a new connection (the first, or after a loss).
  std::function<void()> connected;
  // That connection was lost (not called on stop()); may be empty.
  std::function<void()> lost = {};
};

class PgInboxListener {
 public:
  // Starts the thread, which connects at once. Never fails here: an unreachable database is
  // tried again (see above).
  PgInboxListener(PgInboxListenerOptions options, PgInboxListenerCallbacks callbacks);
  // stop().
  ~PgInboxListener();
  PgInboxListener(const PgInboxListener&) = delete;
  PgInboxListener& operator=(const PgInboxListener&) = delete;

  // Ends the thread (closing the connection) and waits for it; no callback runs after it
  // returned. Idempotent.
  void stop();

  // LISTENing now.
  bool listening() const { return listening_.load(); }
  // Connections on which LISTEN took effect (1 + reconnections).
  std::uint64_t connections() const { return connections_.load(); }
  // NOTIFYs heard on the channel.
  std::uint64_t notifications() const { return notifications_.load(); }
  // The backend process of the current connection, 0 when not connected (tests end it).
  int backend_pid() const { return backend_pid_.load(); }

 private:
  void run();
  // One connection's life: connect, LISTEN, wait for notifications until it fails or stop().
  // true when it got as far as LISTEN.
  bool session();
  // Waits up to `for_ms` (-1: no limit) for fd to be readable or for stop(); false on stop().
  bool wait(int fd, int for_ms);

  PgInboxListenerOptions options_;
  PgInboxListenerCallbacks callbacks_;
  int stop_pipe_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listening_{false};
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> notifications_{0};
  std::atomic<int> backend_pid_{0};
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace ccteams::store
