// The Graph webhook over real HTTP (server on 127.0.0.1:0) with the real SQLite inbox on a temp
// database file (WAL, synchronous=FULL) and a fake gate: the validation handshake on both
// paths, admitted notifications stored before the 202 and read back as posted, refused ones
// dropped (the inbox untouched) and counted, malformed and oversized bodies refused, one entry
// per organisation, concurrent posts sharing commits, and 503 (never 202) when storing fails.
// Payloads follow Microsoft's examples (graph-protocol.md §4.1, §4.3, §4.4).
#include "adapters/http/api/graph_webhook_api.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "adapters/graph/graph_json.hpp"
#include "adapters/http/prometheus_text.hpp"
#include "adapters/http/server_test_support.hpp"
#include "adapters/store/sqlite_presence_sync_store.hpp"
#include "adapters/store/sqlite_store.hpp"
#include "adapters/store/sqlite_test_support.hpp"
#include "app/metrics.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/gate_reload.hpp"
#include "app/ports/presence_sync_store.hpp"
#include "app/testing/fake_clock.hpp"

namespace ccteams::http {
namespace {

using namespace testing;
namespace json = boost::json;

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);
constexpr const char* kSub = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07";
constexpr const char* kOtherSub = "9f105c7d-2dc5-4530-97cd-4e7ae6534c08";
constexpr const char* kSecret = "secretClientValue";

// Knows subscriptions by id and their clientState; says why it refuses.
class FakeGate final : public NotificationGate {
 public:
  void add(std::string id, OrgId org, std::string client_state) {
    subs_[std::move(id)] = {org, std::move(client_state)};
  }
  std::optional<OrgId> admit(std::string_view id, std::string_view client_state) override {
    return decide(id, client_state).org;
  }
  GateDecision decide(std::string_view id, std::string_view client_state) override {
    auto it = subs_.find(std::string(id));
    if (it == subs_.end()) return {std::nullopt, GateRejection::unknown_subscription};
    if (it->second.second != client_state) return {std::nullopt, GateRejection::client_state};
    return {it->second.first, GateRejection::unspecified};
  }
  void stored(InboxEntry entry) override {
    std::lock_guard lock(mu_);
    stored_.push_back(entry.org);
    handed_.push_back(std::move(entry));
  }
  std::vector<OrgId> stored_orgs() {
    std::lock_guard lock(mu_);
    return stored_;
  }
  std::vector<InboxEntry> handed() {
    std::lock_guard lock(mu_);
    return handed_;
  }

 private:
  std::map<std::string, std::pair<OrgId, std::string>> subs_;  // set before the server starts
  std::mutex mu_;
  std::vector<OrgId> stored_;
  std::vector<InboxEntry> handed_;
};

// The real inbox, which can be made to fail: every append (fail), or only those of one
// organisation (fail_org, an OrgId value; 0: none).
class SwitchableInbox final : public PresenceInbox {
 public:
  explicit SwitchableInbox(PresenceInbox& real) : real_(real) {}
  std::atomic<bool> fail{false};
  std::atomic<std::int64_t> fail_org{0};
  boost::asio::awaitable<Result<std::int64_t>> append(InboxEntry entry) override {
    if (fail || entry.org.value == fail_org) co_return make_error(Errc::unavailable, "disk on fire");
    co_return co_await real_.append(std::move(entry));
  }
  Result<std::vector<InboxEntry>> pending(OrgId org, std::size_t limit) override {
    return real_.pending(org, limit);
  }
  Result<std::vector<OrgId>> orgs_with_pending() override { return real_.orgs_with_pending(); }
  Result<void> remove(OrgId org, const std::vector<std::int64_t>& seqs) override {
    return real_.remove(org, seqs);
  }
  Result<void> clear(OrgId org) override { return real_.clear(org); }

 private:
  PresenceInbox& real_;
};

// changenotifications-for-presence.md, rich presence notification (with validationTokens).
std::string rich(const std::string& sub, const std::string& client_state,
                 const std::string& user = "fa8bf3dc-eca7-46b7-bad1-db199b62afc3") {
  return R"({"subscriptionId":")" + sub + R"(","clientState":")" + client_state +
         R"(","changeType":"updated","tenantId":"bbbbcccc-1111-dddd-2222-eeee3333ffff",
  "resource":"communications/presences/)" + user + R"(",
  "subscriptionExpirationDateTime":"2023-09-14T10:00:00.0000000Z",
  "resourceData":{"@odata.id":"users/)" + user + R"(/presence",
    "@odata.type":"#microsoft.graph.presence","id":")" + user + R"("},
  "organizationId":"bbbbcccc-1111-dddd-2222-eeee3333ffff",
  "encryptedContent":{"data":"{Encrypted content}","dataSignature":"{Encrypted data signature}",
    "dataKey":"{Encrypted data key for encrypting content}","encryptionCertificateId":"cert-2026-11",
    "encryptionCertificateThumbprint":"07293748CC064953A3052FB978C735FB89E61C3D"}})";
}

// changenotifications-for-presence.md, basic presence notification (no resource data).
std::string basic(const std::string& sub, const std::string& client_state,
                  const std::string& user, int n = 0) {
  return R"({"id":"lsgTZMr9KwAAA)" + std::to_string(n) + R"(","subscriptionId":")" + sub +
         R"(","clientState":")" + client_state +
         R"(","changeType":"updated","resource":"communications/presences/)" + user +
         R"(","subscriptionExpirationDateTime":"2026-12-04T18:23:45.9356913Z",
  "resourceData":{"@odata.id":"communications/presences/)" + user +
         R"(","@odata.type":"#Microsoft.Graph.presence","id":")" + user + R"("},
  "tenantId":"bbbbcccc-1111-dddd-2222-eeee3333ffff"})";
}

std::string collection(const std::vector<std::string>& items, bool tokens = true) {
  std::string out = R"({"value":[)";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  out += "]";
  if (tokens) out += R"(,"validationTokens":["eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.sig"])";
  return out + "}";
}

// change-notifications-lifecycle-events.md.
std::string lifecycle_item(const std::string& sub, const std::string& client_state,
                           const std::string& event = "reauthorizationRequired") {
  return R"({"subscriptionId":")" + sub +
         R"(","subscriptionExpirationDateTime":"2019-03-20T11:00:00.0000000Z",
  "tenantId":"bbbbcccc-1111-dddd-2222-eeee3333ffff","clientState":")" + client_state +
         R"(","lifecycleEvent":")" + event + R"("})";
}

const std::vector<std::pair<std::string, std::string>> kJson{
    {"Content-Type", "application/json"}};

class GraphWebhookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteStore::open(dir_.file("ccteams.db"));
    ASSERT_TRUE(s) << s.error().message;
    sqlite_ = std::move(*s);
    org_ = sqlite_->accounts().create_org("A", kT0)->id;
    other_ = sqlite_->accounts().create_org("B", kT0)->id;
    store_ = std::make_unique<store::SqlitePresenceSyncStore>(sqlite_->db());
    ASSERT_TRUE(store_->synchronous_full());
    inbox_ = std::make_unique<SwitchableInbox>(*store_);
    gate_.add(kSub, org_, kSecret);
    gate_.add(kOtherSub, other_, "otherSecret");
  }

  void start(GraphWebhookOptions options = {}) {
    register_graph_webhook_routes(router_, *inbox_, gate_, clock_, metrics_, options);
    server_ = std::make_unique<ServerHarness>(router_, ServerOptions{});
  }
  void TearDown() override {
    // The inbox's writer first: it may still be handing a completion to a connection's strand,
    // whose io_context the server harness stops and destroys (a segfault seen under load).
    if (store_) store_->stop();
    server_.reset();
    store_.reset();
    sqlite_.reset();
  }

  std::optional<ClientResponse> post(std::string_view path, const std::string& body,
                                     const std::vector<std::pair<std::string, std::string>>&
                                         headers = kJson) {
    return fetch(server_->port(), "POST", std::string(path), body, headers);
  }

  std::vector<InboxEntry> pending(OrgId org) {
    auto p = inbox_->pending(org, 100);
    EXPECT_TRUE(p) << p.error().message;
    return p ? *p : std::vector<InboxEntry>{};
  }

  std::uint64_t counter(const std::string& name, const Labels& labels) {
    return metrics_.counter(name, "", labels).value();
  }
  std::uint64_t rejected(const char* reason) {
    return counter("graph_webhook_notifications_rejected_total", {{"reason", reason}});
  }
  std::uint64_t stored(const char* endpoint = "notifications") {
    return counter("graph_webhook_notifications_stored_total", {{"endpoint", endpoint}});
  }
  std::uint64_t refused(const char* reason) {
    return counter("graph_webhook_requests_refused_total", {{"reason", reason}});
  }

  std::uint64_t received(const char* endpoint = "notifications") {
    return counter("graph_webhook_notifications_received_total", {{"endpoint", endpoint}});
  }
  // Nothing reached the inbox: no entry, no append handed to the writer, no transaction.
  void expect_inbox_untouched() {
    EXPECT_TRUE(inbox_->orgs_with_pending()->empty());
    EXPECT_EQ(store_->submitted(), 0u);
    EXPECT_EQ(store_->commits(), 0u);
    EXPECT_TRUE(gate_.stored_orgs().empty());
  }

  store::testing::TempDir dir_;  // first: outlives the database that lives in it
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<store::SqlitePresenceSyncStore> store_;
  std::unique_ptr<SwitchableInbox> inbox_;
  FakeGate gate_;
  FakeClock clock_{kT0};
  Metrics metrics_;
  Router router_;
  std::unique_ptr<ServerHarness> server_;
  OrgId org_, other_;
};

std::string error_code(const ClientResponse& r) {
  return std::string(json::parse(r.body()).at("error").at("code").as_string());
}

// ---- Validation handshake (§4.1)

TEST_F(GraphWebhookTest, HandshakeOnBothPathsEchoesTheDecodedTokenAsPlainText) {
  start();
  const std::string encoded =
      "Validation%3a+Testing+client+application+reachability+for+subscription+Request-Id%3a+"
      "25050f3f-c2d2-4a5e-9c8a-d4f5fe1b6a54";
  const std::string decoded =
      "Validation: Testing client application reachability for subscription Request-Id: "
      "25050f3f-c2d2-4a5e-9c8a-d4f5fe1b6a54";
  for (auto path : {kGraphNotificationsPath, kGraphLifecyclePath}) {
    auto r = post(std::string(path) + "?validationToken=" + encoded, "",
                  {{"Content-Type", "text/plain; charset=utf-8"}});
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->result_int(), 200) << path;
    EXPECT_EQ((*r)[bhttp::field::content_type], "text/plain") << path;
    EXPECT_EQ(r->body(), decoded) << path;
  }
  EXPECT_EQ(counter("graph_webhook_validations_total", {{"endpoint", "notifications"}}), 1u);
  EXPECT_EQ(counter("graph_webhook_validations_total", {{"endpoint", "lifecycle"}}), 1u);
  EXPECT_TRUE(inbox_->orgs_with_pending()->empty());
  EXPECT_TRUE(gate_.stored_orgs().empty());
}

TEST_F(GraphWebhookTest, HandshakeTokenIsNotInterpretedAsMarkup) {
  start();
  auto r = post(std::string(kGraphNotificationsPath) + "?validationToken=%3Cscript%3Ex%3C%2Fscript%3E",
                "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(r->body(), "<script>x</script>");
  EXPECT_EQ((*r)[bhttp::field::content_type], "text/plain");
}

TEST_F(GraphWebhookTest, AbsurdOrEmptyValidationTokenIs400) {
  start();
  auto huge = post(std::string(kGraphNotificationsPath) + "?validationToken=" +
                       std::string(5000, 'a'),
                   "");
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->result_int(), 400);
  EXPECT_EQ(error_code(*huge), "invalid_input");
  auto empty = post(std::string(kGraphLifecyclePath) + "?validationToken=", "");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->result_int(), 400);
  EXPECT_EQ(refused("bad_validation_token"), 2u);
}

// ---- Change notifications (§4.3)

TEST_F(GraphWebhookTest, AdmittedRichBatchIsStoredBeforeThe202) {
  start();
  auto r = post(kGraphNotificationsPath, collection({rich(kSub, kSecret)}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 202);
  EXPECT_TRUE(r->body().empty());
  // The 202 came after the commit: the entry is there now.
  auto p = pending(org_);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].kind, InboxKind::change);
  EXPECT_EQ(p[0].received_at, kT0);
  ASSERT_EQ(p[0].batch.notifications.size(), 1u);
  const auto& n = p[0].batch.notifications[0];
  EXPECT_EQ(n.subscription_id, kSub);
  EXPECT_EQ(n.resource, "communications/presences/fa8bf3dc-eca7-46b7-bad1-db199b62afc3");
  ASSERT_TRUE(n.encrypted_content);
  EXPECT_EQ(n.encrypted_content->data_key, "{Encrypted data key for encrypting content}");
  EXPECT_EQ(p[0].batch.validation_tokens,
            std::vector<std::string>{"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.e30.sig"});
  EXPECT_EQ(gate_.stored_orgs(), std::vector<OrgId>{org_});
  // Presence sync is handed the entry as stored, its seq included: it need not read it back.
  const auto handed = gate_.handed();
  ASSERT_EQ(handed.size(), 1u);
  EXPECT_EQ(handed[0].seq, p[0].seq);
  EXPECT_EQ(handed[0].received_at, p[0].received_at);
  EXPECT_EQ(handed[0].batch.notifications.size(), 1u);
  EXPECT_EQ(handed[0].batch.validation_tokens, p[0].batch.validation_tokens);
  EXPECT_EQ(stored(), 1u);
  EXPECT_EQ(counter("graph_webhook_notifications_received_total", {{"endpoint", "notifications"}}),
            1u);
}

TEST_F(GraphWebhookTest, WrongClientStateIsDroppedCountedAndStill202) {
  start();
  auto r = post(kGraphNotificationsPath, collection({rich(kSub, "forged")}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 202);
  EXPECT_TRUE(r->body().empty());  // nothing says which check failed
  expect_inbox_untouched();
  EXPECT_EQ(rejected("client_state"), 1u);
  EXPECT_EQ(rejected("unknown_subscription"), 0u);
  EXPECT_EQ(stored(), 0u);
}

TEST_F(GraphWebhookTest, UnknownSubscriptionIsDroppedCountedAndStill202) {
  start();
  auto r = post(kGraphNotificationsPath, collection({rich("not-ours", kSecret)}, false));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 202);
  EXPECT_TRUE(r->body().empty());
  expect_inbox_untouched();
  EXPECT_EQ(rejected("unknown_subscription"), 1u);
  EXPECT_EQ(rejected("client_state"), 0u);
  EXPECT_EQ(received(), 1u);
  EXPECT_EQ(stored(), 0u);
}

// Another instance created the subscription after this gate was loaded: a reload teaches the
// gate (as PresenceSync's does from the store), or, when it does not reload, the miss stands.
class TeachingReload final : public GateReload {
 public:
  TeachingReload(FakeGate& gate, OrgId org, bool reloads)
      : gate_(gate), org_(org), reloads_(reloads) {}
  boost::asio::awaitable<bool> reload_gate() override {
    ++calls;
    if (reloads_) gate_.add("created-elsewhere", org_, kSecret);  // on the request's thread
    co_return reloads_;
  }
  std::atomic<int> calls{0};

 private:
  FakeGate& gate_;
  OrgId org_;
  bool reloads_;
};

TEST_F(GraphWebhookTest, ASubscriptionCreatedElsewhereIsStoredOnceTheGateReloaded) {
  TeachingReload reload(gate_, org_, true);
  GraphWebhookOptions options;
  options.gate_reload = &reload;
  start(options);
  auto r = post(kGraphNotificationsPath,
                collection({rich("created-elsewhere", kSecret), rich("not-ours", kSecret)}, false));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 202);
  EXPECT_EQ(reload.calls, 1);  // once per request: a forged one after it costs no second read
  auto entries = pending(org_);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].batch.notifications.size(), 1u);
  EXPECT_EQ(rejected("unknown_subscription"), 1u);
  EXPECT_EQ(stored(), 1u);
}

TEST_F(GraphWebhookTest, AnUnknownSubscriptionStaysDroppedWhenTheGateDoesNotReload) {
  TeachingReload reload(gate_, org_, false);
  GraphWebhookOptions options;
  options.gate_reload = &reload;
  start(options);
  auto r = post(kGraphNotificationsPath, collection({rich("created-elsewhere", kSecret)}, false));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 202);
  EXPECT_EQ(reload.calls, 1);
  expect_inbox_untouched();
  EXPECT_EQ(rejected("unknown_subscription"), 1u);
}

TEST_F(GraphWebhookTest, MixedBatchStoresOnlyTheAdmitted) {
  start();
  auto r = post(kGraphNotificationsPath,
                collection({rich(kSub, kSecret, "u1"), rich(kSub, "wrong", "u2"),
                            rich("unknown", kSecret, "u3"), rich(kSub, kSecret, "u4")}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 202);
  auto p = pending(org_);
  ASSERT_EQ(p.size(), 1u);
  ASSERT_EQ(p[0].batch.notifications.size(), 2u);
  EXPECT_EQ(p[0].batch.notifications[0].resource, "communications/presences/u1");
  EXPECT_EQ(p[0].batch.notifications[1].resource, "communications/presences/u4");
  EXPECT_EQ(rejected("client_state"), 1u);
  EXPECT_EQ(rejected("unknown_subscription"), 1u);
  EXPECT_EQ(stored(), 2u);
}

TEST_F(GraphWebhookTest, TwoOrganisationsInOnePostMakeTwoEntries) {
  start();
  auto r = post(kGraphNotificationsPath,
                collection({rich(kSub, kSecret, "u1"), rich(kOtherSub, "otherSecret", "x1"),
                            rich(kSub, kSecret, "u2")}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 202);
  auto mine = pending(org_);
  auto theirs = pending(other_);
  ASSERT_EQ(mine.size(), 1u);
  ASSERT_EQ(theirs.size(), 1u);
  EXPECT_EQ(mine[0].batch.notifications.size(), 2u);
  ASSERT_EQ(theirs[0].batch.notifications.size(), 1u);
  EXPECT_EQ(theirs[0].batch.notifications[0].subscription_id, kOtherSub);
  // Each entry keeps the post's validation tokens (they name (app, tenant) pairs, not orgs).
  EXPECT_EQ(mine[0].batch.validation_tokens.size(), 1u);
  EXPECT_EQ(theirs[0].batch.validation_tokens.size(), 1u);
  auto woken = gate_.stored_orgs();
  std::sort(woken.begin(), woken.end());
  EXPECT_EQ(woken, (std::vector<OrgId>{org_, other_}));
}

TEST_F(GraphWebhookTest, LifecycleItemOnTheNotificationUrlGetsALifecycleEntry) {
  start();
  auto r = post(kGraphNotificationsPath,
                collection({rich(kSub, kSecret), lifecycle_item(kSub, kSecret)}, false));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 202);
  auto p = pending(org_);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_NE(p[0].kind, p[1].kind);
}

TEST_F(GraphWebhookTest, MalformedBodiesAre400WithAMachineReadableCodeAndWhere) {
  start();
  // Each body, and the part of the message that says where it is wrong.
  const std::vector<std::pair<std::string, std::string>> bodies = {
      {"{", "at byte 1"},
      {"[]", "(root)"},
      {R"({"value":{}})", "value"},
      // The doc's basic example with its trailing comma.
      {R"({"value":[{"subscriptionId":"s","changeType":"updated","resource":"r",}]})",
       "at byte 70"},
      {R"({"value":[{"changeType":"updated","resource":"r","clientState":"secretClientValue"}]})",
       "value[0].subscriptionId"},
      {R"({"value":[)" + basic(kSub, kSecret, "u1") + R"(,{"subscriptionId":"x"}]})",
       "value[1].changeType"},
  };
  for (const auto& [body, where] : bodies) {
    auto r = post(kGraphNotificationsPath, body);
    ASSERT_TRUE(r) << body;
    EXPECT_EQ(r->result_int(), 400) << body;
    EXPECT_EQ(error_code(*r), "invalid_input") << body;
    const auto message = std::string(json::parse(r->body()).at("error").at("message").as_string());
    EXPECT_NE(message.find(where), std::string::npos) << message;
  }
  EXPECT_EQ(refused("malformed"), bodies.size());
  EXPECT_EQ(received(), 0u);
  // A malformed post stores none of its items, not even the good one before the bad one.
  expect_inbox_untouched();
}

TEST_F(GraphWebhookTest, OversizedBodyIs413AndNothingIsStored) {
  GraphWebhookOptions options;
  options.max_body_bytes = 2048;
  start(options);
  std::vector<std::string> items;
  for (int i = 0; i < 10; ++i) items.push_back(rich(kSub, kSecret, "u" + std::to_string(i)));
  const std::string body = collection(items);
  ASSERT_GT(body.size(), 2048u);
  auto r = post(kGraphNotificationsPath, body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 413);
  EXPECT_EQ(error_code(*r), "payload_too_large");
  expect_inbox_untouched();
  EXPECT_EQ(refused("too_large"), 1u);
}

TEST_F(GraphWebhookTest, StoreFailureIs503NeverA202) {
  start();
  inbox_->fail = true;
  auto r = post(kGraphNotificationsPath, collection({rich(kSub, kSecret)}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 503);
  EXPECT_EQ(error_code(*r), "unavailable");
  EXPECT_TRUE(gate_.stored_orgs().empty());
  EXPECT_EQ(stored(), 0u);
  EXPECT_EQ(refused("store_failed"), 1u);
  // Graph's retry, once the store is back, is stored.
  inbox_->fail = false;
  auto again = post(kGraphNotificationsPath, collection({rich(kSub, kSecret)}));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->result_int(), 202);
  EXPECT_EQ(pending(org_).size(), 1u);
}

TEST_F(GraphWebhookTest, NoBearerTokenIsNeeded) {
  start();
  auto r = post(kGraphNotificationsPath, collection({rich(kSub, kSecret)}),
                {{"Content-Type", "application/json"}, {"Authorization", "Bearer nonsense"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 202);
}

TEST_F(GraphWebhookTest, StoredEntriesReadBackEqualWhatWasPosted) {
  start();
  std::vector<std::string> items;
  for (int i = 0; i < 5; ++i) items.push_back(basic(kSub, kSecret, "user-" + std::to_string(i), i));
  items.push_back(rich(kSub, kSecret, "user-rich"));
  const std::string body = collection(items);
  auto r = post(kGraphNotificationsPath, body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 202);

  auto posted = graph::decode_notifications(body);
  ASSERT_TRUE(posted) << posted.error().message;
  auto p = pending(org_);
  ASSERT_EQ(p.size(), 1u);
  // Every field of every item, and the tokens, in Graph's wire format.
  EXPECT_EQ(graph::encode_notifications(p[0].batch), graph::encode_notifications(*posted));
  ASSERT_EQ(p[0].batch.notifications.size(), 6u);
  const auto& first = p[0].batch.notifications[0];
  EXPECT_EQ(first.id, "lsgTZMr9KwAAA0");
  EXPECT_EQ(first.change_type, "updated");
  EXPECT_EQ(first.resource, "communications/presences/user-0");
  ASSERT_TRUE(first.resource_data);
  EXPECT_EQ(first.resource_data->id, "user-0");
  EXPECT_EQ(first.resource_data->odata_type, "#Microsoft.Graph.presence");
  EXPECT_EQ(first.tenant_id, "bbbbcccc-1111-dddd-2222-eeee3333ffff");
  EXPECT_FALSE(first.encrypted_content);
  EXPECT_EQ(p[0].batch.notifications[5].encrypted_content->encryption_certificate_id,
            "cert-2026-11");
  EXPECT_EQ(p[0].org, org_);
  EXPECT_EQ(p[0].kind, InboxKind::change);
  EXPECT_EQ(p[0].received_at, kT0);
  EXPECT_EQ(stored(), 6u);
  EXPECT_EQ(received(), 6u);
}

TEST_F(GraphWebhookTest, EmptyCollectionIs202AndStoresNothing) {
  start();
  auto r = post(kGraphNotificationsPath, R"({"value":[]})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 202);
  expect_inbox_untouched();
}

TEST_F(GraphWebhookTest, ConcurrentPostsAreAllStoredAndShareCommits) {
  start();
  constexpr int kPosts = 24;
  std::atomic<int> accepted{0};
  std::vector<std::thread> clients;
  {
    // Holding the database while the posts arrive makes the group certain: the writer can take
    // at most one batch before it blocks on the lock; everything else queued meanwhile goes in
    // one more transaction. No 202 may come before that commit.
    auto conn = sqlite_->db().lock();
    for (int i = 0; i < kPosts; ++i) {
      clients.emplace_back([&, i] {
        auto r = fetch(server_->port(), "POST", std::string(kGraphNotificationsPath),
                       collection({basic(kSub, kSecret, "u" + std::to_string(i), i)}, false),
                       kJson);
        if (r && r->result_int() == 202) ++accepted;
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (store_->submitted() < static_cast<std::uint64_t>(kPosts) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
    EXPECT_EQ(accepted.load(), 0);  // nothing acknowledged while nothing could be committed
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(accepted.load(), kPosts);
  EXPECT_LE(store_->commits(), 2u);
  auto p = pending(org_);
  ASSERT_EQ(p.size(), static_cast<std::size_t>(kPosts));
  std::set<std::string> users;
  for (const auto& e : p) {
    ASSERT_EQ(e.batch.notifications.size(), 1u);
    users.insert(*e.batch.notifications[0].resource);
  }
  EXPECT_EQ(users.size(), static_cast<std::size_t>(kPosts));
  EXPECT_EQ(gate_.stored_orgs().size(), static_cast<std::size_t>(kPosts));
  EXPECT_EQ(stored(), static_cast<std::uint64_t>(kPosts));
}

TEST_F(GraphWebhookTest, KeepAliveClientsPostingFreelyLoseNothing) {
  start();
  constexpr int kClients = 6;
  constexpr int kPostsEach = 10;
  constexpr int kItems = 3;
  std::atomic<int> accepted{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      WireClient client(server_->port());  // one connection, kept alive across its posts
      for (int i = 0; i < kPostsEach; ++i) {
        std::vector<std::string> items;
        for (int k = 0; k < kItems; ++k) {
          items.push_back(basic(kSub, kSecret,
                                "c" + std::to_string(c) + "-" + std::to_string(i) + "-" +
                                    std::to_string(k)));
        }
        auto r = client.request("POST", std::string(kGraphNotificationsPath), collection(items),
                                kJson);
        if (r && r->result_int() == 202) ++accepted;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(accepted.load(), kClients * kPostsEach);
  auto p = pending(org_);
  std::set<std::string> users;
  for (const auto& e : p) {
    for (const auto& n : e.batch.notifications) users.insert(*n.resource);
  }
  EXPECT_EQ(users.size(), static_cast<std::size_t>(kClients * kPostsEach * kItems));
  EXPECT_EQ(stored(), static_cast<std::uint64_t>(kClients * kPostsEach * kItems));
  EXPECT_LE(store_->commits(), static_cast<std::uint64_t>(kClients * kPostsEach));
}

TEST_F(GraphWebhookTest, OneOrganisationFailingToStoreMakesThePost503) {
  start();
  inbox_->fail_org = other_.value;
  auto r = post(kGraphNotificationsPath,
                collection({rich(kSub, kSecret, "u1"), rich(kOtherSub, "otherSecret", "x1")}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 503);
  EXPECT_EQ(error_code(*r), "unavailable");
  EXPECT_EQ((*r)[bhttp::field::retry_after], "1");
  // What was stored stays stored and is processed; Graph's retry repeats it, which is harmless.
  EXPECT_EQ(pending(org_).size(), 1u);
  EXPECT_TRUE(pending(other_).empty());
  EXPECT_EQ(gate_.stored_orgs(), std::vector<OrgId>{org_});
  EXPECT_EQ(refused("store_failed"), 1u);
  EXPECT_EQ(stored(), 1u);
}

TEST_F(GraphWebhookTest, MetricsCountEveryOutcome) {
  start();
  ASSERT_TRUE(post(std::string(kGraphNotificationsPath) + "?validationToken=abc", ""));
  ASSERT_TRUE(post(kGraphNotificationsPath,
                   collection({basic(kSub, kSecret, "u1"), basic(kSub, "bad", "u2"),
                               basic("nope", kSecret, "u3")})));
  ASSERT_TRUE(post(kGraphLifecyclePath, collection({lifecycle_item(kSub, kSecret)}, false)));
  ASSERT_TRUE(post(kGraphNotificationsPath, "not json"));
  inbox_->fail = true;
  ASSERT_TRUE(post(kGraphNotificationsPath, collection({basic(kSub, kSecret, "u4")})));

  EXPECT_EQ(counter("graph_webhook_validations_total", {{"endpoint", "notifications"}}), 1u);
  EXPECT_EQ(received(), 4u);
  EXPECT_EQ(received("lifecycle"), 1u);
  EXPECT_EQ(stored(), 1u);
  EXPECT_EQ(stored("lifecycle"), 1u);
  EXPECT_EQ(rejected("client_state"), 1u);
  EXPECT_EQ(rejected("unknown_subscription"), 1u);
  EXPECT_EQ(refused("malformed"), 1u);
  EXPECT_EQ(refused("store_failed"), 1u);
  auto& h = metrics_.histogram("graph_webhook_store_seconds", "",
                              Metrics::default_latency_buckets());
  EXPECT_EQ(h.snapshot().count, 3u);  // the three posts that tried to store something
  const std::string text = prometheus_text(metrics_);
  EXPECT_NE(text.find("graph_webhook_notifications_stored_total{endpoint=\"notifications\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("graph_webhook_requests_refused_total{reason=\"store_failed\"} 1"),
            std::string::npos);
}

// ---- Lifecycle notifications (§4.4)

TEST_F(GraphWebhookTest, LifecycleNotificationsAreStoredAsLifecycle) {
  start();
  auto r = post(kGraphLifecyclePath,
                collection({lifecycle_item(kSub, kSecret),
                            lifecycle_item(kSub, kSecret, "subscriptionRemoved"),
                            lifecycle_item(kSub, "forged")},
                           false));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 202);
  auto p = pending(org_);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].kind, InboxKind::lifecycle);
  ASSERT_EQ(p[0].batch.notifications.size(), 2u);
  EXPECT_EQ(p[0].batch.notifications[0].lifecycle_event_text, "reauthorizationRequired");
  EXPECT_EQ(p[0].batch.notifications[1].lifecycle_event_text, "subscriptionRemoved");
  EXPECT_EQ(stored("lifecycle"), 2u);
  EXPECT_EQ(rejected("client_state"), 1u);
}

TEST_F(GraphWebhookTest, LifecyclePathRefusesItemsWithoutALifecycleEvent) {
  start();
  auto r = post(kGraphLifecyclePath, collection({rich(kSub, kSecret)}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 400);
  EXPECT_NE(json::parse(r->body()).at("error").at("message").as_string().find("lifecycleEvent"),
            json::string::npos);
}

}  // namespace
}  // namespace ccteams::http
