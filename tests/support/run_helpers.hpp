#pragma once
// Small helpers of the runs that drive real processes against `ccteams graph-emulator`
// (chaos_system.hpp, serve_cluster.hpp): a free loopback port to give a server that must keep
// it across restarts, polling another process's progress with a deadline, and the emulator's
// subscriptions that deliver to our webhook.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "support/graph_emulator_process.hpp"

namespace ccteams::testing {

// A loopback port free at the time of the call (another process may take it before it is
// bound: only for servers that must keep one port across restarts).
inline std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Asks done() every 20 ms until it says true or timeout passed; its last answer. For another
// process's progress, which no simulated time can advance.
inline bool poll_until(std::chrono::milliseconds timeout, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

struct EmulatorSubscription {
  std::string id;
  std::string client_state;  // "" when the emulator has none for it
};

// The emulator's subscriptions whose notificationUrl is our webhook (clientState included:
// the control API shows it); empty when the emulator does not answer.
inline std::vector<EmulatorSubscription> webhook_subscriptions(const GraphEmulatorProcess& e) {
  std::vector<EmulatorSubscription> out;
  auto subs = e.call("GET", "/_emulator/subscriptions");
  if (!subs || subs->status != 200) return out;
  const auto v = boost::json::parse(subs->body);
  const auto* items = v.is_object() ? v.as_object().if_contains("value") : nullptr;
  if (items == nullptr || !items->is_array()) return out;
  for (const auto& s : items->as_array()) {
    const auto& o = s.as_object();
    const auto* url = o.if_contains("notificationUrl");
    if (url == nullptr || !url->is_string() ||
        url->as_string().find("/webhooks/graph/notifications") == std::string::npos) {
      continue;
    }
    const auto* state = o.if_contains("clientState");
    out.push_back({std::string(o.at("id").as_string()),
                   state != nullptr && state->is_string() ? std::string(state->as_string())
                                                          : std::string()});
  }
  return out;
}

}  // namespace ccteams::testing
