#include "adapters/http/internal_forwarder.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <utility>

#include "adapters/crypto/encoding.hpp"
#include "adapters/http/http_client.hpp"

namespace ccteams::http {

namespace {

constexpr std::string_view kMacVersion = "ccteams-forward-v1";

// Headers that belong to one hop (RFC 9110 §7.6.1), and those the client or server sets anew.
bool hop_by_hop(std::string_view name) {
  static constexpr std::array<std::string_view, 11> kHop{
      "connection", "keep-alive", "proxy-connection", "te",     "trailer",      "transfer-encoding",
      "upgrade",    "host",       "content-length",   "expect", "proxy-authorization"};
  for (auto h : kHop) {
    if (iequals(name, h)) return true;
  }
  return false;
}

bool internal_header(std::string_view name) {
  return iequals(name, kForwardedClientHeader) || iequals(name, kForwardedAtHeader) ||
         iequals(name, kForwardedMacHeader);
}

}  // namespace

InternalForwarder::InternalForwarder(HttpClient& client, OwnerLookup lookup, UnixMillisNow now,
                                     InternalChannelOptions options)
    : client_(client), lookup_(std::move(lookup)), now_(std::move(now)),
      options_(std::move(options)) {}

std::string InternalForwarder::mac(std::string_view method, std::string_view target,
                                   std::string_view body, std::string_view client,
                                   std::string_view at) const {
  std::string text;
  text.reserve(kMacVersion.size() + method.size() + target.size() + client.size() + 100);
  text.append(kMacVersion).append("\n").append(method).append("\n").append(target);
  text.append("\n").append(sha256_hex(body)).append("\n").append(at).append("\n").append(client);
  auto raw = hmac_sha256(options_.key, text);
  return raw ? hex_encode(*raw) : std::string();
}

std::vector<Header> InternalForwarder::sign(std::string_view method, std::string_view target,
                                            std::string_view body, std::string_view client,
                                            std::int64_t at_ms) const {
  const std::string at = std::to_string(at_ms);
  return {{std::string(kForwardedClientHeader), std::string(client)},
          {std::string(kForwardedAtHeader), at},
          {std::string(kForwardedMacHeader), mac(method, target, body, client, at)}};
}

Result<std::optional<std::string>> InternalForwarder::verify(const Request& req) const {
  const auto client = req.header(kForwardedClientHeader);
  const auto at = req.header(kForwardedAtHeader);
  const auto given = req.header(kForwardedMacHeader);
  if (client.empty() && at.empty() && given.empty()) return std::optional<std::string>{};
  if (given.empty()) {
    return make_error(Errc::unauthenticated,
                      "a request of the internal channel (X-Ccteams-Forwarded-*) must carry "
                      "X-Ccteams-Forwarded-Mac");
  }
  const std::string expected = mac(req.method, req.target, req.body, client, at);
  if (expected.empty() || !constant_time_equals(expected, given)) {
    return make_error(Errc::forbidden,
                      "the internal channel's MAC does not verify: the instances must share one "
                      "[cluster] internal key");
  }
  std::int64_t signed_at = 0;
  const auto [end, ec] = std::from_chars(at.data(), at.data() + at.size(), signed_at);
  const std::int64_t skew = now_() - signed_at;
  if (ec != std::errc{} || end != at.data() + at.size() ||
      std::abs(skew) > options_.max_skew.count()) {
    return make_error(Errc::forbidden,
                      "the internal channel's MAC is stale (signed " + std::to_string(skew) +
                          " ms from this instance's clock, more than " +
                          std::to_string(options_.max_skew.count()) +
                          " allowed): check the instances' clocks (NTP)");
  }
  return std::optional<std::string>{std::string(client)};
}

boost::asio::awaitable<std::optional<std::string>> InternalForwarder::owner_url(std::int64_t org) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mu_);
    if (auto it = owners_.find(org); it != owners_.end() && it->second.until > now) {
      co_return it->second.url;
    }
  }
  auto lookup = lookup_(org);
  auto looked_up = co_await std::move(lookup);
  if (!looked_up) {
    spdlog::warn("cluster: cannot look up the owner of organisation {}: {}", org,
                 looked_up.error().message);
    co_return std::nullopt;
  }
  if (!*looked_up) co_return std::nullopt;  // nobody else holds its lease now
  std::lock_guard lock(mu_);
  owners_[org] = Cached{**looked_up, now + options_.cache_for};
  co_return **looked_up;
}

void InternalForwarder::forget(std::int64_t org) {
  std::lock_guard lock(mu_);
  owners_.erase(org);
}

boost::asio::awaitable<Response> InternalForwarder::forward(const Request& req, std::int64_t org,
                                                            Response local) {
  auto url = co_await owner_url(org);
  if (!url) co_return local;
  ClientRequest out;
  out.method = req.method;
  out.url = *url + req.target;
  out.timeout = options_.timeout;
  out.body = req.body;
  for (const auto& h : req.headers) {
    if (!hop_by_hop(h.name) && !internal_header(h.name)) out.headers.push_back(h);
  }
  for (auto& h : sign(req.method, req.target, req.body, req.remote_address, now_())) {
    out.headers.push_back(std::move(h));
  }
  auto exchange = client_.send(std::move(out));
  auto sent = co_await std::move(exchange);
  if (!sent) {
    // A dead or stuck owner: the client hears what it would have heard without forwarding, and
    // the next request looks the owner up again (a survivor takes over within the lease TTL).
    forget(org);
    spdlog::warn("cluster: forwarding {} {} to the owner of organisation {} failed: {}",
                 req.method, req.path, org, sent.error().message);
    co_return local;
  }
  Response answer;
  answer.status = sent->status;
  for (auto& h : sent->headers) {
    if (hop_by_hop(h.name) || iequals(h.name, "date") || iequals(h.name, "server")) continue;
    answer.headers.push_back(std::move(h));
  }
  answer.body = std::move(sent->body);
  co_return answer;
}

}  // namespace ccteams::http
