#pragma once
// [cluster]: the internal channel between instances (docs/postgresql.md, "Any instance serves
// any request"; docs/security.md, "The internal key"). A REST request that this instance
// refused with 503 org_elsewhere is sent to the organisation's owner (its internal URL, looked
// up in the lease table and kept for a moment), with three headers:
//
//   X-Ccteams-Forwarded-Client: the client's address as this instance saw it (the peer)
//   X-Ccteams-Forwarded-At:     unix milliseconds when it was signed
//   X-Ccteams-Forwarded-Mac:    hex HMAC-SHA256 under the shared key of
//                               "ccteams-forward-v1\n" method "\n" target "\n"
//                               sha256_hex(body) "\n" at "\n" client
//
// The owner believes the client address only with a valid MAC no older (or newer) than
// max_skew, and answers a forwarded request itself whatever happens (never forwards again).
// A captured request could be replayed within max_skew by whoever can reach the internal URL:
// keep that network private, or use https:// internal URLs.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/request_forwarder.hpp"

namespace ccteams {
class HttpClient;
}

namespace ccteams::http {

inline constexpr std::size_t kMinInternalKeyBytes = 32;

struct InternalChannelOptions {
  std::string key;  // shared by every instance of the cluster; at least kMinInternalKeyBytes
  std::chrono::milliseconds timeout{3000};     // the owner's whole answer; then 503 org_elsewhere
  std::chrono::milliseconds max_skew{10'000};  // a MAC signed further from now is stale
  std::chrono::milliseconds cache_for{1000};   // an owner's URL is looked up again after this
};

// Where organisation org's owner takes forwarded requests (its internal URL: "http://h:p"),
// nullopt when no other instance holds its lease now.
using OwnerLookup =
    std::function<boost::asio::awaitable<Result<std::optional<std::string>>>(std::int64_t org)>;
// Unix milliseconds: a MAC's age is compared across machines, so it is wall time.
using UnixMillisNow = std::function<std::int64_t()>;

// Thread-safety: as RequestForwarder. client must outlive it.
class InternalForwarder final : public RequestForwarder {
 public:
  InternalForwarder(HttpClient& client, OwnerLookup lookup, UnixMillisNow now,
                    InternalChannelOptions options);

  // RequestForwarder
  Result<std::optional<std::string>> verify(const Request& req) const override;
  boost::asio::awaitable<Response> forward(const Request& req, std::int64_t org,
                                           Response local) override;

  // The three internal headers for a request (tests forge and age them).
  std::vector<Header> sign(std::string_view method, std::string_view target,
                           std::string_view body, std::string_view client,
                           std::int64_t at_ms) const;

 private:
  std::string mac(std::string_view method, std::string_view target, std::string_view body,
                  std::string_view client, std::string_view at) const;
  boost::asio::awaitable<std::optional<std::string>> owner_url(std::int64_t org);
  void forget(std::int64_t org);

  HttpClient& client_;
  OwnerLookup lookup_;
  UnixMillisNow now_;
  const InternalChannelOptions options_;
  struct Cached {
    std::string url;
    std::chrono::steady_clock::time_point until;
  };
  std::mutex mu_;
  std::map<std::int64_t, Cached> owners_;  // guarded by mu_
};

}  // namespace ccteams::http
