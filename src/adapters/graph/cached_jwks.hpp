#pragma once
// Entra's signing keys (graph-protocol.md §1.5), cached: fetched from a JwksSource when first
// needed, and fetched again when a token names a key the cache does not know (Entra rotates its
// keys) at most every refetch_interval, so that a flood of forged tokens cannot become a flood
// of fetches. Shared by the validation-token check of rich notifications and the ID-token check
// of the connector's sign-in.
// Thread-safety: keys() may be called concurrently; concurrent first calls fetch once.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>

#include "adapters/crypto/jwt.hpp"
#include "app/ports/clock.hpp"
#include "core/result.hpp"

namespace ccteams::graph {

class JwksSource;

class CachedJwks {
 public:
  // source and clock are not owned and must outlive this object.
  CachedJwks(JwksSource& source, const Clock& clock, std::chrono::minutes refetch_interval)
      : source_(source), clock_(clock), refetch_interval_(refetch_interval) {}

  // The cached keys; fetched when there are none, or when refresh is asked and the interval
  // since the last fetch has passed. Errors: unavailable (no keys can be had now).
  boost::asio::awaitable<Result<std::shared_ptr<const JwkSet>>> keys(bool refresh);

 private:
  JwksSource& source_;
  const Clock& clock_;
  std::chrono::minutes refetch_interval_;
  std::mutex mu_;
  std::shared_ptr<const JwkSet> keys_;   // guarded by mu_
  std::optional<Timestamp> fetched_at_;  // guarded by mu_
};

}  // namespace ccteams::graph
