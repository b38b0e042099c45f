#pragma once
// Which notification URLs the emulator accepts (graph-protocol.md §4.1). Graph takes https
// only; the emulator can also post to plain HTTP, on loopback only (a developer's receiver on
// this machine: `ccteams graph-emulator`) or anywhere (tests, the demo's own webhook).
// Pure: no I/O, no name resolution ("localhost" is recognised by name).

#include <string>
#include <string_view>

#include "emulator/graph_error.hpp"

namespace ccteams::emulator {

enum class HttpWebhooks {
  refused,   // Graph's rule: https only
  loopback,  // plus http://127.0.0.0/8, http://[::1], http://localhost (any port)
  any,       // plus every http URL
};

// True for "http://HOST[:PORT][/…]" whose HOST is loopback: an IPv4 address in 127.0.0.0/8
// (dotted quad), [::1] (any spelling of it), or localhost (any case). A URL with userinfo
// ("http://127.0.0.1@evil.example") or a host that only starts like one
// ("http://127.0.0.1.evil.example", "http://localhost.evil.example") is not.
bool is_loopback_http_url(std::string_view url);

// ok() when url is usable as the subscription's field `name` ("notificationUrl",
// "lifecycleNotificationUrl") under rule; else Graph's 400 InvalidRequest "Subscription
// notificationUrl must be an https URL." (the same text whatever the rule).
GraphResult<Done> check_webhook_url(std::string_view name, const std::string& url,
                                    HttpWebhooks rule);

}  // namespace ccteams::emulator
