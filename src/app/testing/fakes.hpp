#pragma once
// Deterministic stand-ins for the crypto ports in app-layer tests.

#include <atomic>
#include <string>

#include "app/ports/password_hasher.hpp"
#include "app/ports/password_workers.hpp"
#include "app/ports/token_source.hpp"

namespace ccteams::testing {

class PlainHasher final : public PasswordHasher {
 public:
  Result<std::string> hash(std::string_view password) const override {
    ++hashes;
    return "plain$" + std::string(password);
  }
  bool verify(std::string_view encoded, std::string_view password) const override {
    ++verifies;
    return encoded == "plain$" + std::string(password);
  }
  mutable std::atomic<int> hashes{0};
  mutable std::atomic<int> verifies{0};
};

class CountingTokens final : public TokenSource {
 public:
  std::string new_token() const override { return "tok" + std::to_string(++n_); }
  std::string digest(std::string_view token) const override { return "d(" + std::string(token) + ")"; }
  bool equals(std::string_view a, std::string_view b) const override { return a == b; }

 private:
  mutable std::atomic<int> n_{0};
};

// Runs each job at once on the calling thread (unit tests have no I/O threads to spare).
class InlineWorkers final : public PasswordWorkers {
 public:
  boost::asio::awaitable<Result<void>> run(std::function<void()> job) override {
    job();
    co_return ok();
  }
};

}  // namespace ccteams::testing
