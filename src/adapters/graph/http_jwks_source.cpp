#include "adapters/graph/http_jwks_source.hpp"

#include "adapters/http/http_client.hpp"

namespace ccteams::graph {

boost::asio::awaitable<Result<JwkSet>> HttpJwksSource::fetch() {
  ClientRequest req{"GET", url_, {}, {}, std::chrono::seconds(10)};
  auto r = co_await client_.send(std::move(req));
  if (!r) co_return make_error(Errc::unavailable, "Entra signing keys: " + r.error().message);
  if (r->status != 200) {
    co_return make_error(Errc::unavailable,
                         "Entra signing keys: HTTP " + std::to_string(r->status) + " from " + url_);
  }
  auto keys = parse_jwks(r->body);
  if (!keys) co_return make_error(Errc::unavailable, "Entra signing keys: " + keys.error().message);
  co_return std::move(*keys);
}

}  // namespace ccteams::graph
