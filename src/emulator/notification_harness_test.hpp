#pragma once
// Test support for subscriptions and change notifications: an emulator (manual clock, http
// webhooks allowed, scaled-down delivery timings) and a webhook receiver served together by
// the project's HttpServer on 127.0.0.1:0, plus token minting and waiting helpers.

#include <boost/json/object.hpp>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/http/router.hpp"
#include "adapters/http/server_test_support.hpp"
#include "emulator/graph_emulator.hpp"

namespace ccteams::emulator::testing {

// Records what arrives at /hook and /lifecycle and answers as configured.
struct Receiver {
  struct Post {
    std::string path;
    boost::json::object body;
  };
  std::mutex mu;
  std::condition_variable cv;
  std::vector<Post> posts;          // notification POSTs (not validation requests)
  std::atomic<int> validations{0};
  bool echo_encoded_token = false;  // the classic receiver bug: validation then fails
  std::deque<int> statuses;         // answers for notification POSTs; empty -> 202
  std::deque<std::chrono::milliseconds> delays;  // waits before answering them; empty -> none
  int attempts = 0;                 // notification POSTs received, whatever the answer

  // Waits until at least n notification POSTs arrived (false after timeout).
  // A wait, not a figure: generous for a loaded machine, it returns as soon as n arrived.
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  std::vector<Post> snapshot();
  // Every item of every POST to path, in arrival order.
  std::vector<boost::json::object> items(const std::string& path);
};

struct NotificationHarness {
  // tenants > 1: the app is consented in every tenant.
  explicit NotificationHarness(NotificationOptions tweak = fast_options(),
                               double activity_episodes_per_user_hour = 0, int tenants = 1);
  ~NotificationHarness();

  static NotificationOptions fast_options();

  std::optional<http::testing::ClientResponse> call(const std::string& method,
                                                    const std::string& target,
                                                    const boost::json::value& body,
                                                    const std::string& bearer = {});
  // A delegated token (Presence.Read.All) for the user (in tenant_id, tenant 1 when ""), or
  // an app-only token.
  std::string user_token(const std::string& user_id, const std::string& tenant_id = {});
  std::string app_token();
  // The id of local@ in the tenant (tenant 1 when "").
  std::string user_id(const std::string& local, const std::string& tenant_id = {});
  std::string hook_url() const;       // http://127.0.0.1:{port}/hook
  std::string lifecycle_url() const;  // http://127.0.0.1:{port}/lifecycle
  // A valid presence subscription body for ids, expiring in 30 minutes.
  boost::json::object subscription_body(const std::vector<std::string>& ids);
  void set_now(Timestamp t);
  Timestamp now() const;
  void tick();

  std::shared_ptr<std::atomic<std::int64_t>> now_ms;
  std::shared_ptr<Receiver> receiver;
  http::Router router;
  std::unique_ptr<GraphEmulator> emulator;
  EmulatorInfo info;
  std::string signing_key;
  std::unique_ptr<http::testing::ServerHarness> server;
};

}  // namespace ccteams::emulator::testing
