// Change and lifecycle notifications reaching a real receiver: plain and rich (decrypted here
// with the private key, tokens verified against the published JWKS), retries, faults.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <functional>
#include <memory>
#include <thread>

#include "emulator/notification_harness_test.hpp"

namespace ccteams::emulator {
namespace {

namespace json = boost::json;
using testing::NotificationHarness;
using namespace std::chrono_literals;

json::object parse(const std::string& body) { return json::parse(body).as_object(); }

std::string create(NotificationHarness& h, json::object body) {
  auto r = h.call("POST", "/v1.0/subscriptions", body, h.user_token(h.user_id("member")));
  EXPECT_EQ(r->result_int(), 201) << r->body();
  return r->result_int() == 201 ? std::string(parse(r->body()).at("id").as_string()) : "";
}

void set_client(NotificationHarness& h, const std::string& id, const char* availability,
                const char* activity) {
  auto r = h.call("POST", "/_emulator/users/" + id + "/presence",
                  json::object{{"availability", availability}, {"activity", activity}});
  ASSERT_EQ(r->result_int(), 200) << r->body();
}

TEST(NotificationDelivery, PresenceChangeReachesReceiver) {
  NotificationHarness h;
  const auto admin = h.user_id("admin");
  const auto sub = create(h, h.subscription_body({admin, h.user_id("privadmin")}));
  set_client(h, admin, "Busy", "InACall");
  ASSERT_TRUE(h.receiver->wait_for(1));
  const auto items = h.receiver->items("/hook");
  ASSERT_EQ(items.size(), 1u);
  const auto& n = items[0];
  EXPECT_EQ(n.at("subscriptionId").as_string(), sub);
  EXPECT_EQ(n.at("clientState").as_string(), "secret-state");
  EXPECT_EQ(n.at("changeType").as_string(), "updated");
  EXPECT_EQ(n.at("resource").as_string(), "communications/presences/" + admin);
  EXPECT_EQ(n.at("tenantId").as_string(), h.info.tenant_id);
  EXPECT_EQ(n.at("organizationId").as_string(), h.info.tenant_id);
  EXPECT_EQ(n.at("resourceData").at("@odata.type").as_string(), "#microsoft.graph.presence");
  EXPECT_EQ(n.at("resourceData").at("id").as_string(), admin);
  EXPECT_FALSE(n.contains("encryptedContent"));
  // A user nobody subscribed to produces nothing.
  set_client(h, h.user_id("member"), "Away", "Away");
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(h.receiver->items("/hook").size(), 1u);
}

TEST(NotificationDelivery, FailedDeliveryIsRetried) {
  NotificationHarness h;
  const auto admin = h.user_id("admin");
  create(h, h.subscription_body({admin}));
  {
    std::lock_guard lock(h.receiver->mu);
    h.receiver->statuses = {500, 503};
  }
  set_client(h, admin, "DoNotDisturb", "Presenting");
  ASSERT_TRUE(h.receiver->wait_for(1));
  std::lock_guard lock(h.receiver->mu);
  EXPECT_EQ(h.receiver->attempts, 3);
  EXPECT_EQ(h.receiver->posts.size(), 1u);
}

TEST(NotificationDelivery, GivesUpAfterTheBoundedTime) {
  NotificationHarness h;
  const auto admin = h.user_id("admin");
  create(h, h.subscription_body({admin}));
  {
    std::lock_guard lock(h.receiver->mu);
    h.receiver->statuses = std::deque<int>(100, 500);
  }
  set_client(h, admin, "Busy", "InACall");
  std::this_thread::sleep_for(2500ms);  // give_up is 1.5 s in the fast options
  std::lock_guard lock(h.receiver->mu);
  const int attempts = h.receiver->attempts;
  EXPECT_GE(attempts, 3);
  EXPECT_LE(attempts, 12);
  h.receiver->statuses.clear();
  EXPECT_TRUE(h.receiver->posts.empty());
}

// Polls done every 10 ms until it holds or 10 s pass.
bool eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

// The counts of /_emulator/notifications/deliveries for the receiver's /hook.
json::object hook_deliveries(NotificationHarness& h) {
  auto r = h.call("GET", "/_emulator/notifications/deliveries", nullptr);
  EXPECT_EQ(r->result_int(), 200);
  const auto body = parse(r->body());
  for (const auto& d : body.at("value").as_array()) {
    if (d.at("url").as_string().ends_with("/hook")) return d.as_object();
  }
  return {};
}

// The first delivery must be answered within receiver_timeout (Graph: 3 s); a retry gets
// retry_timeout (Graph: 10 s). A receiver that answers in 400 ms misses the first (200 ms here)
// and makes the retry (1 s): one failed attempt, not two.
TEST(NotificationDelivery, ARetryWaitsLongerThanTheFirstDelivery) {
  auto o = NotificationHarness::fast_options();
  o.receiver_timeout = std::chrono::milliseconds(200);
  o.retry_timeout = std::chrono::milliseconds(1000);
  NotificationHarness h(o);
  const auto admin = h.user_id("admin");
  create(h, h.subscription_body({admin}));
  {
    std::lock_guard lock(h.receiver->mu);
    h.receiver->delays = {std::chrono::milliseconds(400), std::chrono::milliseconds(400)};
  }
  set_client(h, admin, "Busy", "InACall");
  ASSERT_TRUE(eventually([&] { return hook_deliveries(h)["acknowledged"] == 1; }));
  const auto d = hook_deliveries(h);
  EXPECT_EQ(d.at("failedAttempts"), 1);
  EXPECT_EQ(d.at("droppedAfterRetries"), 0);
}

TEST(NotificationDelivery, DeliveriesCountAcknowledgedRetriedAndDropped) {
  NotificationHarness h;
  const auto admin = h.user_id("admin");
  create(h, h.subscription_body({admin}));
  {
    std::lock_guard lock(h.receiver->mu);
    h.receiver->statuses = {500};
  }
  set_client(h, admin, "Busy", "InACall");
  ASSERT_TRUE(h.receiver->wait_for(1));
  ASSERT_TRUE(eventually([&] { return hook_deliveries(h)["acknowledged"] == 1; }));
  auto d = hook_deliveries(h);
  EXPECT_EQ(d.at("queued"), 1);
  EXPECT_EQ(d.at("failedAttempts"), 1);
  EXPECT_EQ(d.at("droppedAfterRetries"), 0);
  EXPECT_EQ(d.at("droppedSlow"), 0);
  {
    std::lock_guard lock(h.receiver->mu);
    h.receiver->statuses = std::deque<int>(100, 500);
  }
  set_client(h, admin, "Away", "Away");
  // give_up is 1.5 s in the fast options.
  ASSERT_TRUE(eventually([&] { return hook_deliveries(h)["droppedAfterRetries"] == 1; }));
  d = hook_deliveries(h);
  EXPECT_EQ(d.at("queued"), 2);
  EXPECT_EQ(d.at("acknowledged"), 1);
  std::lock_guard lock(h.receiver->mu);
  h.receiver->statuses.clear();
}

TEST(NotificationDelivery, ReauthorizationRequiredBeforeExpiryThenSilentDeletion) {
  NotificationHarness h;
  const auto sub = create(h, h.subscription_body({h.user_id("admin")}));
  // By control call, at once.
  ASSERT_EQ(h.call("POST", "/_emulator/subscriptions/" + sub + "/reauthorization-required",
                   nullptr)
                ->result_int(),
            202);
  ASSERT_TRUE(h.receiver->wait_for(1));
  auto life = h.receiver->items("/lifecycle");
  ASSERT_EQ(life.size(), 1u);
  EXPECT_EQ(life[0].at("lifecycleEvent").as_string(), "reauthorizationRequired");
  EXPECT_EQ(life[0].at("subscriptionId").as_string(), sub);
  EXPECT_EQ(life[0].at("clientState").as_string(), "secret-state");
  // By time: 10 minutes before expiry (created with 30 minutes), once.
  ASSERT_TRUE(h.call("POST", "/v1.0/subscriptions/" + sub + "/reauthorize", nullptr,
                     h.user_token(h.user_id("member"))));
  h.set_now(h.now() + 19min);
  h.tick();
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(h.receiver->items("/lifecycle").size(), 1u);
  h.set_now(h.now() + 2min);
  h.tick();
  h.tick();
  ASSERT_TRUE(h.receiver->wait_for(2));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(h.receiver->items("/lifecycle").size(), 2u);
  h.set_now(h.now() + 10min);
  h.tick();
  auto all = h.call("GET", "/_emulator/subscriptions", nullptr);
  EXPECT_TRUE(parse(all->body()).at("value").as_array().empty());
  EXPECT_EQ(h.receiver->items("/lifecycle").size(), 2u);  // no subscriptionRemoved for presence
}

TEST(NotificationDelivery, ControlRemoveDeletesSilently) {
  NotificationHarness h;
  const auto admin = h.user_id("admin");
  const auto sub = create(h, h.subscription_body({admin}));
  EXPECT_EQ(h.call("POST", "/_emulator/subscriptions/" + sub + "/remove", nullptr)->result_int(),
            204);
  set_client(h, admin, "Busy", "InACall");
  std::this_thread::sleep_for(150ms);
  EXPECT_TRUE(h.receiver->snapshot().empty());
  EXPECT_EQ(h.call("GET", "/v1.0/subscriptions/" + sub, nullptr,
                   h.user_token(h.user_id("member")))
                ->result_int(),
            404);
}

TEST(NotificationDelivery, DuplicateAndDropFaults) {
  NotificationHarness h;
  const auto admin = h.user_id("admin");
  create(h, h.subscription_body({admin}));
  ASSERT_EQ(h.call("POST", "/_emulator/faults", json::object{{"dropNotificationRate", 1}})
                ->result_int(),
            200);
  set_client(h, admin, "Busy", "InACall");
  std::this_thread::sleep_for(150ms);
  EXPECT_TRUE(h.receiver->snapshot().empty());
  ASSERT_EQ(h.call("POST", "/_emulator/faults",
                   json::object{{"dropNotificationRate", 0}, {"duplicateNotificationRate", 1}})
                ->result_int(),
            200);
  set_client(h, admin, "Away", "Away");
  ASSERT_TRUE(h.receiver->wait_for(1));
  std::this_thread::sleep_for(100ms);
  const auto items = h.receiver->items("/hook");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("id"), items[1].at("id"));
}

TEST(NotificationDelivery, ReorderSendsTheLaterBatchFirst) {
  NotificationHarness h;
  const auto admin = h.user_id("admin");
  const auto priv = h.user_id("privadmin");
  create(h, h.subscription_body({admin, priv}));
  ASSERT_EQ(h.call("POST", "/_emulator/faults", json::object{{"reorderNotifications", true}})
                ->result_int(),
            200);
  set_client(h, admin, "Busy", "InACall");
  std::this_thread::sleep_for(100ms);  // the first batch is cut (30 ms) and held
  set_client(h, priv, "Away", "Away");
  ASSERT_TRUE(h.receiver->wait_for(2));
  const auto posts = h.receiver->snapshot();
  EXPECT_EQ(posts[0].body.at("value").as_array()[0].at("resourceData").at("id").as_string(), priv);
  EXPECT_EQ(posts[1].body.at("value").as_array()[0].at("resourceData").at("id").as_string(), admin);
}

TEST(NotificationDelivery, ActivitySimulationDrivesNotifications) {
  NotificationHarness h(NotificationHarness::fast_options(), 30);
  const auto admin = h.user_id("admin");
  const auto priv = h.user_id("privadmin");
  const auto member = h.user_id("member");
  create(h, h.subscription_body({admin, priv, member}));
  // Twenty simulated minutes in 10-second ticks: at 30 episodes per user-hour each of the three
  // users starts several.
  for (int i = 0; i < 120; ++i) {
    h.set_now(h.now() + std::chrono::seconds(10));
    h.tick();
  }
  ASSERT_TRUE(h.receiver->wait_for(1));
  std::this_thread::sleep_for(100ms);
  const auto items = h.receiver->items("/hook");
  EXPECT_GE(items.size(), 3u);
  for (const auto& n : items) EXPECT_EQ(n.at("clientState").as_string(), "secret-state");
}

}  // namespace
}  // namespace ccteams::emulator
