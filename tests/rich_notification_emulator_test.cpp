// Rich change notifications end to end against the emulator (graph-protocol.md §4.5, §4.6):
// our NotificationKeyring's certificate goes into a real subscription, the emulator encrypts
// presence changes for it and delivers them to a webhook over HTTP, and our decryptor and
// validation-token validator must accept exactly what it sends (and refuse tampered copies).
// The emulator shares no code with adapters/graph, so agreement here is agreement between two
// independent readings of the protocol.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <mutex>

#include "adapters/crypto/encoding.hpp"
#include "adapters/crypto/jwt.hpp"
#include "adapters/graph/graph_json.hpp"
#include "adapters/graph/notification_crypto.hpp"
#include "adapters/graph/validation_token.hpp"
#include "adapters/http/server_test_support.hpp"
#include "emulator/graph_emulator.hpp"
#include "emulator/jwt.hpp"
#include "emulator/notification_crypto.hpp"

namespace ccteams {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// Collects the bodies POSTed to /hook; answers the validation handshake.
struct Webhook {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> bodies;

  bool wait_for(std::size_t n) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, 30s, [&] { return bodies.size() >= n; });  // a wait, not a figure
  }
  std::string body(std::size_t i) {
    std::lock_guard lock(mu);
    return bodies.at(i);
  }
};

class RichNotifications : public ::testing::Test {
 protected:
  RichNotifications() : now_ms_(std::make_shared<std::atomic<std::int64_t>>(1'800'000'000'000)) {
    emulator::EmulatorOptions o;
    o.seed = 11;
    o.users = 3;
    o.domain = "contoso.example";
    o.base_url = "https://emu.test";
    o.signing_key_pem = signing_key();
    o.clock = [n = now_ms_] { return from_unix_millis(n->load()); };
    o.notifications.http_webhooks = emulator::HttpWebhooks::any;
    o.notifications.batch_interval = 20ms;
    o.notifications.validation_timeout = 2000ms;
    o.notifications.receiver_timeout = 1000ms;
    emulator_ = std::make_unique<emulator::GraphEmulator>(o);
    emulator_->register_routes(router_);
    info_ = emulator_->info();
    router_.add("POST", "/hook", [w = webhook_](http::Request& req)
                                     -> boost::asio::awaitable<http::Response> {
      if (auto token = req.query_param("validationToken")) {
        co_return http::text_response(200, "text/plain", *token);
      }
      {
        std::lock_guard lock(w->mu);
        w->bodies.push_back(req.body);
      }
      w->cv.notify_all();
      co_return http::empty_response(202);
    });
    server_ = std::make_unique<http::testing::ServerHarness>(router_, http::ServerOptions{});
    emulator_->attach(server_->ioc());
    EXPECT_EQ(call("POST", "/_emulator/consent/grant", json::object{})->result_int(), 200);
    auto ring = graph::NotificationKeyring::generate(now());
    EXPECT_TRUE(ring);
    ring_ = std::make_unique<graph::NotificationKeyring>(std::move(ring).value());
  }
  ~RichNotifications() override {
    emulator_.reset();  // stops delivery while the server's io_context still runs
    server_.reset();
  }

  static const std::string& signing_key() {
    static const std::string key = emulator::JwtSigner::generate().private_key_pem();
    return key;
  }
  Timestamp now() const { return from_unix_millis(now_ms_->load()); }

  std::optional<http::testing::ClientResponse> call(const std::string& method,
                                                    const std::string& target,
                                                    const json::value& body,
                                                    const std::string& bearer = {}) {
    std::vector<std::pair<std::string, std::string>> headers{{"Content-Type", "application/json"}};
    if (!bearer.empty()) headers.emplace_back("Authorization", "Bearer " + bearer);
    return http::testing::fetch(server_->port(), method, target,
                                body.is_null() ? std::string() : json::serialize(body), headers);
  }

  std::string user_id(const std::string& local) {
    const auto tenant = json::parse(call("GET", "/_emulator/tenant", nullptr)->body());
    for (const auto& a : tenant.at("accounts").as_array()) {
      if (a.at("userPrincipalName").as_string() == local + "@" + info_.domain) {
        return std::string(a.at("id").as_string());
      }
    }
    ADD_FAILURE() << "no account " << local;
    return {};
  }

  // A delegated Presence.Read.All token of a sync account, signed with the emulator's key.
  std::string sync_account_token() {
    const auto iat = now_ms_->load() / 1000;
    return emulator::JwtSigner::from_pem(signing_key())
        .sign(json::object{{"aud", "https://graph.microsoft.com"},
                           {"iss", "https://sts.windows.net/" + info_.tenant_id + "/"},
                           {"iat", iat}, {"nbf", iat}, {"exp", iat + 3600},
                           {"appid", info_.app_id}, {"tid", info_.tenant_id},
                           {"idtyp", "user"}, {"oid", user_id("member")},
                           {"scp", "Presence.Read.All User.Read"}, {"ver", "1.0"}});
  }

  std::string subscribe(const std::string& watched) {
    const auto& cert = ring_->current();
    const json::object body{
        {"changeType", "updated"},
        {"notificationUrl", "http://127.0.0.1:" + std::to_string(server_->port()) + "/hook"},
        {"resource", "communications/presences/" + watched},
        {"expirationDateTime", format_iso8601(now() + 30min)},
        {"clientState", "state"},
        {"includeResourceData", true},
        {"encryptionCertificate", cert.certificate_base64},
        {"encryptionCertificateId", cert.id}};
    auto r = call("POST", "/v1.0/subscriptions", body, sync_account_token());
    EXPECT_EQ(r->result_int(), 201) << r->body();
    return std::string(json::parse(r->body()).at("id").as_string());
  }

  void set_presence(const std::string& user, const char* availability, const char* activity) {
    auto r = call("POST", "/_emulator/users/" + user + "/presence",
                  json::object{{"availability", availability}, {"activity", activity}});
    ASSERT_EQ(r->result_int(), 200) << r->body();
  }

  // The i-th delivered batch, decoded by our own decoder.
  NotificationBatch batch(std::size_t i) {
    EXPECT_TRUE(webhook_->wait_for(i + 1)) << "no notification " << i;
    auto b = graph::decode_notifications(webhook_->body(i));
    EXPECT_TRUE(b) << b.error().message;
    return std::move(b).value();
  }

  JwkSet emulator_jwks() {
    auto r = call("GET", "/" + info_.tenant_id + "/discovery/v2.0/keys", nullptr);
    EXPECT_EQ(r->result_int(), 200);
    auto set = parse_jwks(r->body());
    EXPECT_TRUE(set) << set.error().message;
    return std::move(set).value();
  }

  std::shared_ptr<std::atomic<std::int64_t>> now_ms_;
  std::shared_ptr<Webhook> webhook_ = std::make_shared<Webhook>();
  http::Router router_;
  std::unique_ptr<emulator::GraphEmulator> emulator_;
  emulator::EmulatorInfo info_;
  std::unique_ptr<http::testing::ServerHarness> server_;
  std::unique_ptr<graph::NotificationKeyring> ring_;
};

TEST_F(RichNotifications, EmulatorPayloadDecryptsAndItsTokensValidate) {
  const auto admin = user_id("admin");
  subscribe(admin);
  set_presence(admin, "Busy", "InACall");
  const auto b = batch(0);
  ASSERT_EQ(b.notifications.size(), 1u);
  const auto& item = b.notifications[0];
  ASSERT_TRUE(item.encrypted_content);
  EXPECT_TRUE(constant_time_equals(item.encrypted_content->encryption_certificate_thumbprint,
                                   ring_->current().thumbprint_hex));

  auto d = graph::decrypt_presence_notification(*item.encrypted_content, *ring_);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->presence.user_id, admin);
  EXPECT_EQ(d->presence.availability, "Busy");
  EXPECT_EQ(d->presence.activity, "InACall");
  ASSERT_TRUE(d->presence.sequence_number);
  EXPECT_FALSE(d->used_previous_key);

  ASSERT_EQ(b.validation_tokens.size(), 1u);
  const graph::ValidationTokenValidator validator(
      {.tenant_ids = {info_.tenant_id}, .client_id = info_.app_id});
  auto v = validator.check_all(b.validation_tokens, emulator_jwks(), now());
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->at(0).tenant_id, info_.tenant_id);
}

TEST_F(RichNotifications, EmulatorTokensAreRefusedForAnotherAppTenantOrTime) {
  const auto admin = user_id("admin");
  subscribe(admin);
  set_presence(admin, "DoNotDisturb", "Presenting");
  const auto b = batch(0);
  ASSERT_EQ(b.validation_tokens.size(), 1u);
  const auto jwks = emulator_jwks();
  const auto& token = b.validation_tokens[0];

  const graph::ValidationTokenValidator other_app(
      {.tenant_ids = {info_.tenant_id}, .client_id = "00000000-0000-0000-0000-0000000000aa"});
  auto r = other_app.check(token, jwks, now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, graph::TokenRefusalReason::audience);

  const graph::ValidationTokenValidator other_tenant(
      {.tenant_ids = {"00000000-0000-0000-0000-0000000000bb"}, .client_id = info_.app_id});
  r = other_tenant.check(token, jwks, now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, graph::TokenRefusalReason::issuer);

  const graph::ValidationTokenValidator ours(
      {.tenant_ids = {info_.tenant_id}, .client_id = info_.app_id});
  r = ours.check(token, jwks, now() + 2h);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, graph::TokenRefusalReason::expired);

  // Tokens signed by some other key than the emulator's published one.
  const auto stranger = parse_jwks(json::serialize(
      emulator::JwtSigner::generate().jwks("https://sts.windows.net/x/")));
  ASSERT_TRUE(stranger);
  r = ours.check(token, *stranger, now());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, graph::TokenRefusalReason::unknown_key);
}

TEST_F(RichNotifications, TamperedEmulatorPayloadIsRefused) {
  const auto admin = user_id("admin");
  subscribe(admin);
  set_presence(admin, "Away", "Away");
  auto content = *batch(0).notifications.at(0).encrypted_content;
  auto data = *base64_decode(content.data);
  data[data.size() - 1] = static_cast<char>(data.back() ^ 0x01);
  content.data = base64_encode(data);
  auto d = graph::decrypt_presence_notification(content, *ring_);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().step, graph::DecryptStep::signature_mismatch);
}

TEST_F(RichNotifications, AfterRotationBothTheNewAndTheOldCertificateDecrypt) {
  const auto admin = user_id("admin");
  const auto sub_id = subscribe(admin);
  const auto old_cert = ring_->current();
  ASSERT_TRUE(ring_->rotate(now()));
  const auto& cert = ring_->current();
  auto r = call("PATCH", "/v1.0/subscriptions/" + sub_id,
                json::object{{"encryptionCertificate", cert.certificate_base64},
                             {"encryptionCertificateId", cert.id}},
                sync_account_token());
  ASSERT_EQ(r->result_int(), 200) << r->body();

  set_presence(admin, "Busy", "InAConferenceCall");
  auto d = graph::decrypt_presence_notification(*batch(0).notifications.at(0).encrypted_content,
                                                *ring_);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->presence.activity, "InAConferenceCall");
  EXPECT_EQ(d->certificate_id, cert.id);
  EXPECT_FALSE(d->used_previous_key);

  // Graph may go on using the old certificate for a while (§4.2): what the emulator's
  // encryptor produces for it still decrypts.
  auto late = emulator::encrypt_for_certificate(
      old_cert.certificate_base64, old_cert.id,
      R"({"id":")" + admin + R"(","availability":"Available","activity":"Available"})");
  ASSERT_TRUE(late);
  EncryptedContent content;
  content.data = std::string(late->at("data").as_string());
  content.data_signature = std::string(late->at("dataSignature").as_string());
  content.data_key = std::string(late->at("dataKey").as_string());
  content.encryption_certificate_id = std::string(late->at("encryptionCertificateId").as_string());
  content.encryption_certificate_thumbprint =
      std::string(late->at("encryptionCertificateThumbprint").as_string());
  auto old = graph::decrypt_presence_notification(content, *ring_);
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->presence.availability, "Available");
  EXPECT_TRUE(old->used_previous_key);

  ring_->drop_previous();
  auto gone = graph::decrypt_presence_notification(content, *ring_);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().step, graph::DecryptStep::unknown_key);
}

}  // namespace
}  // namespace ccteams
