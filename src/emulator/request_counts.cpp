#include "emulator/request_counts.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "emulator/encoding.hpp"

namespace ccteams::emulator {

namespace json = boost::json;

void RequestCounts::record(const std::string& client_id, const std::string& endpoint, int status,
                           int retry_after_seconds, Timestamp now) {
  RequestTally& t = tallies_[{client_id, endpoint}];
  ++t.requests;
  const bool early = now < t.retry_not_before;
  if (early) ++t.before_retry_after;
  const bool refused = status == 429 || status >= 500 || status == 401 || status == 403;
  if (early || refused) ++t.wasted;
  if (status == 429) {
    ++t.throttled;
  } else if (status >= 500) {
    ++t.unavailable;
  } else if (status == 401 || status == 403) {
    ++t.unauthorized;
  } else if (status >= 400) {
    ++t.other_errors;
  } else {
    ++t.ok;
  }
  if (status == 429 && retry_after_seconds > 0) {
    t.retry_not_before = std::max(t.retry_not_before, now + Millis(retry_after_seconds * 1000LL));
  }
}

const RequestTally* RequestCounts::find(const std::string& client_id,
                                        const std::string& endpoint) const {
  auto it = tallies_.find({client_id, endpoint});
  return it == tallies_.end() ? nullptr : &it->second;
}

json::object RequestCounts::to_json() const {
  json::array value;
  for (const auto& [key, t] : tallies_) {
    value.push_back(json::object{{"clientId", key.first},
                                 {"endpoint", key.second},
                                 {"requests", t.requests},
                                 {"ok", t.ok},
                                 {"throttled", t.throttled},
                                 {"unavailable", t.unavailable},
                                 {"unauthorized", t.unauthorized},
                                 {"otherErrors", t.other_errors},
                                 {"beforeRetryAfter", t.before_retry_after},
                                 {"wasted", t.wasted}});
  }
  return json::object{{"value", std::move(value)}};
}

std::string unverified_client_id(std::string_view authorization) {
  if (authorization.size() < 7) return {};
  authorization.remove_prefix(7);  // "Bearer "
  const auto first = authorization.find('.');
  if (first == std::string_view::npos) return {};
  const auto second = authorization.find('.', first + 1);
  if (second == std::string_view::npos) return {};
  const auto payload = base64url_decode(authorization.substr(first + 1, second - first - 1));
  if (!payload) return {};
  boost::system::error_code ec;
  const auto claims = json::parse(*payload, ec);
  if (ec || !claims.is_object()) return {};
  for (const char* key : {"appid", "azp"}) {
    const auto* v = claims.as_object().if_contains(key);
    if (v != nullptr && v->is_string()) return std::string(v->as_string());
  }
  return {};
}

}  // namespace ccteams::emulator
