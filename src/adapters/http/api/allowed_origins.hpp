#pragma once
// The origins (scheme://host[:port]) whose pages may open the events WebSocket. Built empty
// with the API context, set once when the public listener is bound: without a public URL (the
// demo) the origin is the bound port's, which is known only then (port 0 binds an ephemeral
// one). The one value of the composition that is filled after construction.

#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace ccteams::http {

// Thread-safety: set() and origins() from any thread.
class AllowedOrigins {
 public:
  AllowedOrigins() = default;
  explicit AllowedOrigins(std::vector<std::string> allowed) : origins_(std::move(allowed)) {}
  AllowedOrigins(const AllowedOrigins&) = delete;
  AllowedOrigins& operator=(const AllowedOrigins&) = delete;

  // Once the listener is bound, before the I/O threads serve.
  void set(std::vector<std::string> allowed) {
    std::lock_guard lock(mu_);
    origins_ = std::move(allowed);
  }
  // Empty until set: every upgrade with an Origin is refused.
  std::vector<std::string> origins() const {
    std::lock_guard lock(mu_);
    return origins_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> origins_;
};

}  // namespace ccteams::http
