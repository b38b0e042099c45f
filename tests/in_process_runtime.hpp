#pragma once
// The service in process (cli::Runtime, as `ccteams serve` and `ccteams demo` wire it), for the
// tests that need more than HTTP: the router's route list, services such as UserService, a
// health check every second. On 127.0.0.1:0, with a fresh database under dir, a fresh key and
// the fastest password hash.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "adapters/crypto/secret_box.hpp"
#include "app/testing/run_awaitable.hpp"
#include "cli/demo.hpp"
#include "cli/runtime.hpp"

namespace ccteams::testing {

inline cli::RuntimeOptions in_process_options(const std::filesystem::path& dir) {
  cli::RuntimeOptions o;
  o.config.server.port = 0;
  o.config.store.path = (dir / "ccteams.db").string();
  o.config.secrets.key = SecretBox::generate_key_text();
  o.config.auth.password_hash = "minimum";
  o.min_password_length = 1;
  return o;
}

// Creates the runtime with the demo's accounts (admin, supervisor, agent1…, password "pw");
// a test may seed more before start(). nullptr after a failure (reported).
inline std::unique_ptr<cli::Runtime> create_seeded_runtime(cli::RuntimeOptions o) {
  auto rt = cli::Runtime::create(std::move(o));
  if (!rt) {
    ADD_FAILURE() << rt.error().message;
    return nullptr;
  }
  if (auto seeded = run_awaitable(cli::seed_demo_accounts((*rt)->users(), "pw", 1)); !seeded) {
    ADD_FAILURE() << seeded.error().message;
    return nullptr;
  }
  return std::move(*rt);
}

// Starts serving; the port, or 0 after a failure (reported).
inline std::uint16_t start_runtime(cli::Runtime& rt) {
  auto port = rt.start();
  if (!port) {
    ADD_FAILURE() << port.error().message;
    return 0;
  }
  return *port;
}

inline void stop_runtime(std::unique_ptr<cli::Runtime>& rt) {
  if (rt) {
    rt->stop(std::chrono::seconds(1));
    rt->wait();
  }
  rt.reset();
}

}  // namespace ccteams::testing
