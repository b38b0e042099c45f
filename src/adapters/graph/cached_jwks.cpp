#include "adapters/graph/cached_jwks.hpp"

#include "adapters/graph/graph_notification_decryptor.hpp"

namespace ccteams::graph {

boost::asio::awaitable<Result<std::shared_ptr<const JwkSet>>> CachedJwks::keys(bool refresh) {
  const Timestamp now = clock_.now();
  {
    std::lock_guard lock(mu_);
    const bool may_fetch = !fetched_at_ || now - *fetched_at_ >= refetch_interval_;
    if (keys_ && !(refresh && may_fetch)) co_return keys_;
    if (!keys_ && fetched_at_ && !may_fetch) {
      co_return make_error(Errc::unavailable, "Entra signing keys unavailable; retry later");
    }
    // Set before the fetch, so that concurrent callers do not all fetch at once.
    fetched_at_ = now;
  }
  auto fetched = co_await source_.fetch();
  if (!fetched) {
    co_return make_error(Errc::unavailable,
                         "Entra signing keys unavailable: " + fetched.error().message);
  }
  auto keys = std::make_shared<const JwkSet>(std::move(*fetched));
  std::lock_guard lock(mu_);
  keys_ = keys;
  co_return keys;
}

}  // namespace ccteams::graph
