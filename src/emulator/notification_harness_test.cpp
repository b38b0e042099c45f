#include "emulator/notification_harness_test.hpp"
// (Named *_test so that the build puts it in emulator_tests, not in the library.)

#include <gtest/gtest.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "emulator/jwt.hpp"

namespace ccteams::emulator::testing {

namespace json = boost::json;

bool Receiver::wait_for(std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu);
  return cv.wait_for(lock, timeout, [&] { return posts.size() >= n; });
}

std::vector<Receiver::Post> Receiver::snapshot() {
  std::lock_guard lock(mu);
  return posts;
}

std::vector<json::object> Receiver::items(const std::string& path) {
  std::vector<json::object> out;
  for (const auto& p : snapshot()) {
    if (p.path != path) continue;
    for (const auto& v : p.body.at("value").as_array()) out.push_back(v.as_object());
  }
  return out;
}

NotificationOptions NotificationHarness::fast_options() {
  NotificationOptions o;
  o.http_webhooks = HttpWebhooks::any;
  o.batch_interval = std::chrono::milliseconds(30);
  o.validation_timeout = std::chrono::milliseconds(2000);
  o.receiver_timeout = std::chrono::milliseconds(1000);
  o.retry_initial = std::chrono::milliseconds(50);
  o.retry_max_delay = std::chrono::milliseconds(200);
  o.retry_give_up = std::chrono::milliseconds(1500);
  return o;
}

NotificationHarness::NotificationHarness(NotificationOptions tweak, double activity_rate,
                                         int tenants)
    : now_ms(std::make_shared<std::atomic<std::int64_t>>(1'800'000'000'000)),
      receiver(std::make_shared<Receiver>()) {
  static const std::string kKey = JwtSigner::generate().private_key_pem();
  signing_key = kKey;
  EmulatorOptions o;
  o.seed = 5;
  o.users = 10;
  o.domain = "contoso.example";
  o.base_url = "https://emu.test";
  o.signing_key_pem = kKey;
  o.clock = [n = now_ms] { return from_unix_millis(n->load()); };
  o.notifications = tweak;
  o.activity_episodes_per_user_hour = activity_rate;
  o.tenants = tenants;
  emulator = std::make_unique<GraphEmulator>(o);
  emulator->register_routes(router);
  info = emulator->info();
  for (const char* path : {"/hook", "/lifecycle"}) {
    router.add("POST", path, [r = receiver, p = std::string(path)](http::Request& req)
                                 -> boost::asio::awaitable<http::Response> {
      if (auto token = req.query_param("validationToken")) {
        ++r->validations;
        co_return http::text_response(
            200, "text/plain",
            r->echo_encoded_token ? http::percent_encode(*token) : *token);
      }
      int status = 202;
      std::chrono::milliseconds delay{0};
      {
        std::lock_guard lock(r->mu);
        if (!r->delays.empty()) {
          delay = r->delays.front();
          r->delays.pop_front();
        }
      }
      if (delay.count() > 0) {
        boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
        co_await timer.async_wait(boost::asio::use_awaitable);
      }
      {
        std::lock_guard lock(r->mu);
        ++r->attempts;
        if (!r->statuses.empty()) {
          status = r->statuses.front();
          r->statuses.pop_front();
        }
        if (status < 300) {
          r->posts.push_back({p, json::parse(req.body).as_object()});
          r->cv.notify_all();
        }
      }
      co_return http::empty_response(status);
    });
  }
  server = std::make_unique<http::testing::ServerHarness>(router, http::ServerOptions{});
  emulator->attach(server->ioc());
  for (const auto& t : info.tenants) {
    EXPECT_EQ(call("POST", "/_emulator/consent/grant?tenant=" + t.tenant_id, json::object{})
                  ->result_int(),
              200);
  }
}

NotificationHarness::~NotificationHarness() {
  emulator.reset();  // stops delivery while the server's io_context still runs
  server.reset();
}

std::optional<http::testing::ClientResponse> NotificationHarness::call(
    const std::string& method, const std::string& target, const json::value& body,
    const std::string& bearer) {
  std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
  if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
  return http::testing::fetch(server->port(), method, target,
                              body.is_null() ? std::string() : json::serialize(body), headers);
}

std::string NotificationHarness::user_token(const std::string& user_id,
                                            const std::string& tenant_id) {
  const auto iat = now_ms->load() / 1000;
  const std::string tid = tenant_id.empty() ? info.tenant_id : tenant_id;
  return JwtSigner::from_pem(signing_key)
      .sign(json::object{{"aud", "https://graph.microsoft.com"},
                         {"iss", "https://sts.windows.net/" + tid + "/"},
                         {"iat", iat}, {"nbf", iat}, {"exp", iat + 3600},
                         {"appid", info.app_id}, {"tid", tid},
                         {"idtyp", "user"}, {"oid", user_id},
                         {"scp", "Presence.Read.All User.Read"}, {"ver", "1.0"}});
}

std::string NotificationHarness::app_token() {
  const auto iat = now_ms->load() / 1000;
  return JwtSigner::from_pem(signing_key)
      .sign(json::object{{"aud", "https://graph.microsoft.com"},
                         {"iss", "https://sts.windows.net/" + info.tenant_id + "/"},
                         {"iat", iat}, {"nbf", iat}, {"exp", iat + 3600},
                         {"appid", info.app_id}, {"tid", info.tenant_id},
                         {"idtyp", "app"}, {"oid", "sp"},
                         {"roles", json::array{"Presence.Read.All"}}, {"ver", "1.0"}});
}

std::string NotificationHarness::user_id(const std::string& local,
                                         const std::string& tenant_id) {
  auto r = call("GET", "/_emulator/tenant?tenant=" + tenant_id, nullptr);
  const auto tenant = json::parse(r->body());  // outlives the loop (range-for temporaries)
  const std::string domain(tenant.at("domain").as_string());
  for (const auto& a : tenant.at("accounts").as_array()) {
    if (a.at("userPrincipalName").as_string() == local + "@" + domain) {
      return std::string(a.at("id").as_string());
    }
  }
  ADD_FAILURE() << "no account " << local;
  return {};
}

std::string NotificationHarness::hook_url() const {
  return "http://127.0.0.1:" + std::to_string(server->port()) + "/hook";
}
std::string NotificationHarness::lifecycle_url() const {
  return "http://127.0.0.1:" + std::to_string(server->port()) + "/lifecycle";
}

json::object NotificationHarness::subscription_body(const std::vector<std::string>& ids) {
  std::string resource;
  if (ids.size() == 1) {
    resource = "communications/presences/" + ids[0];
  } else {
    resource = "/communications/presences?$filter=id in (";
    for (std::size_t i = 0; i < ids.size(); ++i) {
      resource += (i ? ",'" : "'") + ids[i] + "'";
    }
    resource += ")";
  }
  return {{"changeType", "updated"},
          {"notificationUrl", hook_url()},
          {"lifecycleNotificationUrl", lifecycle_url()},
          {"resource", resource},
          {"expirationDateTime", format_iso8601(now() + std::chrono::minutes(30))},
          {"clientState", "secret-state"}};
}

void NotificationHarness::set_now(Timestamp t) { now_ms->store(t.time_since_epoch().count()); }
Timestamp NotificationHarness::now() const { return from_unix_millis(now_ms->load()); }
void NotificationHarness::tick() { emulator->tick(now()); }

}  // namespace ccteams::emulator::testing
