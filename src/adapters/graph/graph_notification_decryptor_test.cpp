// GraphNotificationDecryptor: rich presence batches as Graph produces them (encrypted by the
// test support written from graph-protocol.md §4.5, tokens signed like Entra's, §4.6) become
// presences; a refused token, a tampered item, a swapped item or missing keys give the errors
// that mean "fall back to a bulk read", with nothing partial; Entra key rotation re-fetches the
// JWKS once; our own key rotation keeps the previous key for the grace period, then drops it.
#include "adapters/graph/graph_notification_decryptor.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>

#include "adapters/crypto/jwt_test_support.hpp"
#include "adapters/graph/notification_crypto_test_support.hpp"
#include "adapters/graph/validation_token.hpp"
#include "app/testing/fake_clock.hpp"

namespace ccteams::graph {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using testing::graph_encrypt;
using testing::presence_json;

const Timestamp kT0 = from_unix_millis(1'800'000'000'000);
const std::string kTenant = "6f1c2a9e-1111-4222-8333-944455556666";
const std::string kClientId = "a1b2c3d4-0000-4000-8000-00000000c11e";
const std::string kUser1 = "2b6a4a4e-0000-4000-8000-000000000001";
const std::string kUser2 = "2b6a4a4e-0000-4000-8000-000000000002";

EVP_PKEY* entra_key(int which = 1) {
  static const ccteams::testing::TestPkey k1 = ccteams::testing::make_rsa_key();
  static const ccteams::testing::TestPkey k2 = ccteams::testing::make_rsa_key();
  return which == 1 ? k1.get() : k2.get();
}

JwkSet jwks_with(int which, const std::string& kid) {
  const json::array keys{ccteams::testing::jwk_for(entra_key(which), kid)};
  auto s = parse_jwks(json::serialize(json::object{{"keys", keys}}));
  EXPECT_TRUE(s);
  return std::move(s).value();
}

// Entra's key endpoint: serves the set it holds, counts fetches, can be down.
class FakeJwks final : public JwksSource {
 public:
  JwkSet set = jwks_with(1, "kid-1");
  bool down = false;
  int fetches = 0;
  asio::awaitable<Result<JwkSet>> fetch() override {
    ++fetches;
    if (down) co_return make_error(Errc::unavailable, "connection refused");
    co_return set;
  }
};

// The token Graph's publisher sends with a rich batch (§4.6), valid at kT0.
std::string publisher_token(int key = 1, const std::string& kid = "kid-1",
                            const std::string& audience = kClientId,
                            const std::string& tenant = kTenant) {
  const std::int64_t now = to_unix_millis(kT0) / 1000;
  const json::object claims{
      {"aud", audience},   {"iss", ValidationTokenValidator::issuer_for(tenant)},
      {"iat", now - 60},   {"nbf", now - 60},
      {"exp", now + 3600}, {"appid", std::string(kNotificationPublisherAppId)},
      {"appidacr", "2"},   {"tid", tenant},
      {"ver", "1.0"}};
  return ccteams::testing::sign_jwt(entra_key(key), claims, kid);
}

ChangeNotification rich_item(const NotificationCertificate& cert, const std::string& user,
                             const std::string& availability, const std::string& activity) {
  ChangeNotification n;
  n.subscription_id = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07";
  n.change_type = "updated";
  n.resource = "communications/presences/" + user;
  n.user = user;
  n.resource_data = ResourceData{user, "#microsoft.graph.presence", "users/" + user + "/presence"};
  n.tenant_id = kTenant;
  n.client_state = "secretClientValue";
  n.encrypted_content = graph_encrypt(cert.certificate_base64, cert.id,
                                      presence_json(user, availability, activity, "C01293"));
  return n;
}

template <class T>
T run(asio::awaitable<T> a) {
  asio::io_context ioc;
  std::optional<T> out;
  asio::co_spawn(
      ioc, [&]() -> asio::awaitable<void> { out.emplace(co_await std::move(a)); }, asio::detached);
  ioc.run();
  return std::move(*out);
}

class NotificationDecryptorTest : public ::testing::Test {
 protected:
  static const NotificationKeyring& fresh_ring() {
    // Key generation is the slow part: one keyring for the suite; each test copies it.
    static const NotificationKeyring r = [] {
      auto k = NotificationKeyring::generate(kT0);
      EXPECT_TRUE(k);
      return std::move(k).value();
    }();
    return r;
  }
  void SetUp() override {
    decryptor_ = std::make_unique<GraphNotificationDecryptor>(fresh_ring(), jwks_, clock_);
  }
  const NotificationCertificate& cert() const { return fresh_ring().current(); }

  NotificationBatch batch(std::vector<ChangeNotification> items,
                          std::vector<std::string> tokens = {publisher_token()}) {
    return NotificationBatch{std::move(items), std::move(tokens)};
  }
  Result<DecryptedPresences> decrypt(const NotificationBatch& b) {
    return run(decryptor_->decrypt(b, kClientId, kTenant));
  }

  FakeJwks jwks_;
  FakeClock clock_{kT0};
  std::unique_ptr<GraphNotificationDecryptor> decryptor_;
};

TEST_F(NotificationDecryptorTest, CertificateForSubscriptionsIsTheCurrentPublicOne) {
  EXPECT_EQ(decryptor_->encryption_certificate(), cert().certificate_base64);
  EXPECT_EQ(decryptor_->certificate_id(), cert().id);
  EXPECT_FALSE(decryptor_->encryption_certificate().empty());
  EXPECT_LE(decryptor_->certificate_id().size(), 128u);
}

TEST_F(NotificationDecryptorTest, RichBatchBecomesPresencesInOrder) {
  auto r = decrypt(batch({rich_item(cert(), kUser1, "Busy", "InACall"),
                          rich_item(cert(), kUser2, "DoNotDisturb", "Presenting")}));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->presences.size(), 2u);
  EXPECT_EQ(r->presences[0].user_id, kUser1);
  EXPECT_EQ(r->presences[0].availability, "Busy");
  EXPECT_EQ(r->presences[0].activity, "InACall");
  EXPECT_EQ(r->presences[0].sequence_number, "C01293");
  EXPECT_EQ(r->presences[1].user_id, kUser2);
  EXPECT_EQ(r->presences[1].activity, "Presenting");
  EXPECT_EQ(r->previous_key_items, 0u);
  EXPECT_EQ(jwks_.fetches, 1);
  // The keys are cached.
  ASSERT_TRUE(decrypt(batch({rich_item(cert(), kUser1, "Available", "Available")})));
  EXPECT_EQ(jwks_.fetches, 1);
}

// Issue 23: one POST may carry two tenants' notifications (organisations sharing the webhook
// URL) with one validation token per tenant; each organisation's part is decrypted, not turned
// into bulk reads because the other tenant's token is "foreign".
TEST_F(NotificationDecryptorTest, AMixedTenantBatchIsDecryptedForEachTenant) {
  const std::string other = "0c0ffee0-2222-4333-8444-955566667777";
  const std::vector<std::string> tokens = {publisher_token(1, "kid-1", kClientId, other),
                                           publisher_token()};
  auto ours = run(decryptor_->decrypt(batch({rich_item(cert(), kUser1, "Busy", "InACall")}, tokens),
                                      kClientId, kTenant));
  ASSERT_TRUE(ours) << ours.error().message;
  EXPECT_EQ(ours->presences.size(), 1u);
  auto theirs = run(decryptor_->decrypt(batch({rich_item(cert(), kUser2, "Away", "Away")}, tokens),
                                        kClientId, other));
  ASSERT_TRUE(theirs) << theirs.error().message;
  // Only the other tenant's token: not this organisation's batch.
  auto foreign = run(decryptor_->decrypt(
      batch({rich_item(cert(), kUser1, "Busy", "InACall")}, {tokens[0]}), kClientId, kTenant));
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, Errc::unauthenticated);
  EXPECT_NE(foreign.error().message.find("no token of the organisation's tenant"),
            std::string::npos);
  // A token whose iss names another tenant than its own tid is refused.
  const std::int64_t now = to_unix_millis(kT0) / 1000;
  const std::string lying = ccteams::testing::sign_jwt(
      entra_key(1),
      json::object{{"aud", kClientId},
                   {"iss", ValidationTokenValidator::issuer_for(kTenant)},
                   {"nbf", now - 60},
                   {"exp", now + 3600},
                   {"appid", std::string(kNotificationPublisherAppId)},
                   {"tid", other}},
      "kid-1");
  EXPECT_FALSE(run(decryptor_->decrypt(
      batch({rich_item(cert(), kUser1, "Busy", "InACall")}, {lying}), kClientId, kTenant)));
}

TEST_F(NotificationDecryptorTest, LifecycleItemsAreSkipped) {
  ChangeNotification lifecycle;
  lifecycle.subscription_id = "7f105c7d-2dc5-4530-97cd-4e7ae6534c07";
  lifecycle.lifecycle_event = LifecycleEvent::reauthorization_required;
  lifecycle.lifecycle_event_text = "reauthorizationRequired";
  auto r = decrypt(batch({lifecycle, rich_item(cert(), kUser1, "Busy", "InACall")}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->presences.size(), 1u);
}

TEST_F(NotificationDecryptorTest, MissingOrForeignTokensAreUnauthenticated) {
  const auto items = std::vector<ChangeNotification>{rich_item(cert(), kUser1, "Busy", "InACall")};
  auto none = decrypt(batch(items, {}));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, Errc::unauthenticated);
  auto other_app = decrypt(batch(items, {publisher_token(1, "kid-1", "another-app")}));
  ASSERT_FALSE(other_app);
  EXPECT_EQ(other_app.error().code, Errc::unauthenticated);
  // One good and one bad token: the whole POST is suspicious.
  auto mixed = decrypt(batch(items, {publisher_token(), "not.a.jwt"}));
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().code, Errc::unauthenticated);
  // The tenant is the organisation's.
  auto tenant = run(decryptor_->decrypt(batch(items), kClientId, "another-tenant"));
  ASSERT_FALSE(tenant);
  EXPECT_EQ(tenant.error().code, Errc::unauthenticated);
}

TEST_F(NotificationDecryptorTest, TamperedItemFailsTheWholeBatch) {
  auto tampered = rich_item(cert(), kUser2, "Busy", "InACall");
  auto data = base64_decode(tampered.encrypted_content->data);
  ASSERT_TRUE(data);
  (*data)[0] ^= 1;
  tampered.encrypted_content->data = base64_encode(*data);
  auto r = decrypt(batch({rich_item(cert(), kUser1, "Busy", "InACall"), tampered}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  EXPECT_NE(r.error().message.find("value[1]"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("signature"), std::string::npos) << r.error().message;
}

TEST_F(NotificationDecryptorTest, ItemCarryingAnotherUsersPresenceIsRefused) {
  auto swapped = rich_item(cert(), kUser1, "Available", "Available");
  swapped.encrypted_content = rich_item(cert(), kUser2, "Busy", "InACall").encrypted_content;
  auto r = decrypt(batch({swapped}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);
}

TEST_F(NotificationDecryptorTest, ItemWithoutEncryptedContentOrForAnotherKeyIsRefused) {
  auto basic = rich_item(cert(), kUser1, "Busy", "InACall");
  basic.encrypted_content.reset();
  auto r = decrypt(batch({basic}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);

  auto stranger = NotificationKeyring::generate(kT0);
  ASSERT_TRUE(stranger);
  auto foreign = decrypt(batch({rich_item(stranger->current(), kUser1, "Busy", "InACall")}));
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().code, Errc::invalid_input);
  EXPECT_NE(foreign.error().message.find("unknown key"), std::string::npos)
      << foreign.error().message;
}

TEST_F(NotificationDecryptorTest, SigningKeysUnavailableIsUnavailableAndBacksOff) {
  jwks_.down = true;
  auto r = decrypt(batch({rich_item(cert(), kUser1, "Busy", "InACall")}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unavailable);
  EXPECT_EQ(jwks_.fetches, 1);
  // Within the re-fetch interval no new fetch is made; after it, the keys are fetched again.
  jwks_.down = false;
  EXPECT_FALSE(decrypt(batch({rich_item(cert(), kUser1, "Busy", "InACall")})));
  EXPECT_EQ(jwks_.fetches, 1);
  clock_.advance(6min);
  EXPECT_TRUE(decrypt(batch({rich_item(cert(), kUser1, "Busy", "InACall")})));
  EXPECT_EQ(jwks_.fetches, 2);
}

TEST_F(NotificationDecryptorTest, EntraKeyRotationRefetchesTheKeysOnceAtMostPerInterval) {
  ASSERT_TRUE(decrypt(batch({rich_item(cert(), kUser1, "Busy", "InACall")})));
  EXPECT_EQ(jwks_.fetches, 1);
  // Entra now signs with a new key; the cache does not know it yet.
  jwks_.set = jwks_with(2, "kid-2");
  clock_.advance(10min);
  const auto items = std::vector<ChangeNotification>{rich_item(cert(), kUser1, "Busy", "InACall")};
  auto r = decrypt(batch(items, {publisher_token(2, "kid-2")}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(jwks_.fetches, 2);
  // Tokens naming keys nobody has (forgeries) do not make a fetch each.
  for (int i = 0; i < 5; ++i) {
    auto forged = decrypt(batch(items, {publisher_token(1, "kid-unknown")}));
    ASSERT_FALSE(forged);
    EXPECT_EQ(forged.error().code, Errc::unauthenticated);
  }
  EXPECT_EQ(jwks_.fetches, 2);
}

TEST_F(NotificationDecryptorTest, RotationKeepsThePreviousKeyForTheGraceThenDropsIt) {
  NotificationDecryptorOptions options;
  options.rotation.max_age = 24h * 30;
  options.previous_key_grace = 120min;
  decryptor_ = std::make_unique<GraphNotificationDecryptor>(fresh_ring(), jwks_, clock_, options);
  const NotificationCertificate old_cert = cert();

  auto not_due = run(decryptor_->rotate_if_due(kT0 + 24h));
  ASSERT_TRUE(not_due);
  EXPECT_FALSE(*not_due);
  EXPECT_EQ(decryptor_->certificate_id(), old_cert.id);

  const Timestamp rotated_at = kT0 + 24h * 30;
  clock_.set(rotated_at);
  auto due = run(decryptor_->rotate_if_due(rotated_at));
  ASSERT_TRUE(due) << due.error().message;
  EXPECT_TRUE(*due);
  EXPECT_NE(decryptor_->certificate_id(), old_cert.id);
  EXPECT_NE(decryptor_->encryption_certificate(), old_cert.certificate_base64);
  auto again = run(decryptor_->rotate_if_due(rotated_at + 1min));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);  // the new key is not due

  // Graph still encrypts some items for the old certificate, some for the new (§4.2).
  const NotificationKeyring ring = decryptor_->keyring();
  ASSERT_NE(ring.previous(), nullptr);
  EXPECT_EQ(ring.previous()->id, old_cert.id);
  const auto token_at = [&] {
    const std::int64_t now = to_unix_millis(rotated_at) / 1000;
    return ccteams::testing::sign_jwt(
        entra_key(1),
        json::object{{"aud", kClientId},
                     {"iss", ValidationTokenValidator::issuer_for(kTenant)},
                     {"nbf", now - 60},
                     {"exp", now + 3600},
                     {"appid", std::string(kNotificationPublisherAppId)}},
        "kid-1");
  };
  auto mixed = decrypt(batch({rich_item(old_cert, kUser1, "Busy", "InACall"),
                              rich_item(ring.current(), kUser2, "Busy", "InACall")},
                             {token_at()}));
  ASSERT_TRUE(mixed) << mixed.error().message;
  EXPECT_EQ(mixed->presences.size(), 2u);
  EXPECT_EQ(mixed->previous_key_items, 1u);

  // After the grace the previous key goes; an item still encrypted for it is then refused
  // (the bulk read repairs that user's presence).
  auto dropped = run(decryptor_->rotate_if_due(rotated_at + 121min));
  ASSERT_TRUE(dropped);
  EXPECT_FALSE(*dropped);
  EXPECT_EQ(decryptor_->keyring().previous(), nullptr);
  auto late = decrypt(batch({rich_item(old_cert, kUser1, "Busy", "InACall")}, {token_at()}));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, Errc::invalid_input);
}

TEST_F(NotificationDecryptorTest, ARotatedKeyIsSavedBeforeItIsUsedAndNotUsedWhenSavingFails) {
  NotificationDecryptorOptions options;
  options.rotation.max_age = 24h;
  options.previous_key_grace = 2h;
  std::vector<std::string> saved;  // the current certificate id of each saved keyring
  bool fail = true;
  decryptor_ = std::make_unique<GraphNotificationDecryptor>(
      fresh_ring(), jwks_, clock_, options,
      [&](NotificationKeyring ring) -> asio::awaitable<Result<void>> {
        if (fail) co_return make_error(Errc::unavailable, "disk full");
        saved.push_back(ring.current().id);
        co_return ok();
      });
  const std::string old_id = decryptor_->certificate_id();
  EXPECT_EQ(decryptor_->next_rotation(), kT0 + 24h);

  // Saving fails: the rotation is refused and the old key stays in use.
  auto refused = run(decryptor_->rotate_if_due(kT0 + 24h));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::unavailable);
  EXPECT_EQ(decryptor_->certificate_id(), old_id);
  EXPECT_TRUE(saved.empty());

  // Saving works: the new key is saved, then used; the previous key's drop is due next.
  fail = false;
  auto rotated = run(decryptor_->rotate_if_due(kT0 + 25h));
  ASSERT_TRUE(rotated) << rotated.error().message;
  EXPECT_TRUE(*rotated);
  ASSERT_EQ(saved.size(), 1u);
  EXPECT_EQ(saved[0], decryptor_->certificate_id());
  EXPECT_NE(saved[0], old_id);
  EXPECT_EQ(decryptor_->next_rotation(), kT0 + 25h + 2h);
  auto dropped = run(decryptor_->rotate_if_due(kT0 + 27h));
  ASSERT_TRUE(dropped);
  EXPECT_FALSE(*dropped);
  EXPECT_EQ(saved.size(), 2u);  // the keyring without the previous key
  EXPECT_EQ(decryptor_->next_rotation(), kT0 + 25h + 24h);
}

TEST_F(NotificationDecryptorTest, ACallWhileARotationSavesReturnsFalseAndLeavesItAlone) {
  NotificationDecryptorOptions options;
  options.rotation.max_age = 24h;
  asio::io_context ioc;
  asio::steady_timer disk(ioc, asio::steady_timer::time_point::max());
  int saves = 0;
  decryptor_ = std::make_unique<GraphNotificationDecryptor>(
      fresh_ring(), jwks_, clock_, options,
      [&](NotificationKeyring) -> asio::awaitable<Result<void>> {
        ++saves;
        co_await disk.async_wait(asio::as_tuple(asio::use_awaitable));  // until the test says
        co_return ok();
      });
  const std::string old_id = decryptor_->certificate_id();
  std::optional<Result<bool>> first;
  std::optional<Result<bool>> second;
  auto rotate_into = [this](std::optional<Result<bool>>& out) -> asio::awaitable<void> {
    out.emplace(co_await decryptor_->rotate_if_due(kT0 + 25h));
  };
  asio::co_spawn(ioc, rotate_into(first), asio::detached);
  ioc.poll();  // the first is saving now
  ASSERT_EQ(saves, 1);
  asio::co_spawn(ioc, rotate_into(second), asio::detached);
  ioc.poll();
  ASSERT_TRUE(second.has_value());
  ASSERT_TRUE(*second);
  EXPECT_FALSE(**second);                           // another call is at work
  EXPECT_EQ(decryptor_->certificate_id(), old_id);  // not used before it is saved
  disk.cancel();
  ioc.run();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(*first);
  EXPECT_TRUE(**first);
  EXPECT_NE(decryptor_->certificate_id(), old_id);
  EXPECT_EQ(saves, 1);
}

}  // namespace
}  // namespace ccteams::graph
