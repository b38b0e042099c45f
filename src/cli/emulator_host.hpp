#pragma once
// Serves the Graph + Entra emulator on its own port and thread, over HTTPS by default with a
// certificate generated at start (its CA written where clients can be pointed at it), as
// `ccteams graph-emulator` and inside `ccteams demo`.

#include <cstdint>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "emulator/graph_emulator.hpp"

namespace ccteams::cli {

struct EmulatorHostOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;          // 0 picks a free port
  bool https = true;               // plain HTTP only on request (--http)
  std::string cert_file;           // both set: serve this certificate instead of generating one
  std::string key_file;
  std::string ca_out_path;         // generated CA certificate (PEM) is written here when set
  // PEM bundle trusted for https notification receivers in addition to the system's roots
  // (emulator.notifications.webhook_ca_pem is read from it); "" for the system's roots alone.
  std::string webhook_ca_file;
  emulator::EmulatorOptions emulator;  // base_url is filled in from host and the bound port
};

// Blocks SIGINT and SIGTERM in the calling thread and the threads it starts afterwards, so that
// run_until_signal() receives them even when they arrive before it is called.
void block_stop_signals();

class EmulatorHost {
 public:
  // Binds, generates the certificate, builds the emulator and starts serving on one thread.
  // Errors (invalid_input): a --cert, --key or --webhook-ca file that cannot be read, or a
  // webhook CA bundle without a usable certificate; the port cannot be bound.
  static Result<std::unique_ptr<EmulatorHost>> start(EmulatorHostOptions options);
  ~EmulatorHost();  // stops serving

  std::string base_url() const;            // "https://127.0.0.1:9444"
  const std::string& ca_pem() const;       // "" when not generated (HTTP or given files)
  emulator::EmulatorInfo info() const;
  // Blocks until SIGINT/SIGTERM, then stops (for `ccteams graph-emulator`). Call
  // block_stop_signals() before start() so that no thread takes the signal first.
  void run_until_signal();

 private:
  struct Impl;
  explicit EmulatorHost(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  emulator::EmulatorInfo info_;  // kept: the emulator itself is gone after stop
};

}  // namespace ccteams::cli
