#include "adapters/graph/notification_crypto.hpp"

#include <gtest/gtest.h>

#include "adapters/crypto/encoding.hpp"
#include "adapters/graph/notification_crypto_test_support.hpp"

namespace ccteams::graph {
namespace {

using namespace std::chrono_literals;
using testing::graph_encrypt;
using testing::GraphSideEncryption;
using testing::presence_json;

const Timestamp kT0 = from_unix_millis(1'800'000'000'000);
const std::string kUser = "2b6a4a4e-0000-4000-8000-000000000001";

// Key generation is the slow part: one rotated keyring (current + previous) for the file.
const NotificationKeyring& ring() {
  static const NotificationKeyring r = [] {
    auto k = NotificationKeyring::generate(kT0);
    EXPECT_TRUE(k);
    EXPECT_TRUE(k->rotate(kT0 + 24h));
    return std::move(k).value();
  }();
  return r;
}

EncryptedContent for_current(std::string_view plaintext, const GraphSideEncryption& how = {}) {
  return graph_encrypt(ring().current().certificate_base64, ring().current().id, plaintext, how);
}

void expect_step(const DecryptResult<DecryptedPresence>& r, DecryptStep step) {
  ASSERT_FALSE(r) << "decrypted although " << decrypt_step_name(step) << " was expected";
  EXPECT_EQ(r.error().step, step) << r.error().message;
  EXPECT_NE(r.error().message.find(decrypt_step_name(step)), std::string::npos);
}

TEST(DecryptNotification, RoundTripOfWhatGraphProduces) {
  auto r = decrypt_presence_notification(
      for_current(presence_json(kUser, "Busy", "InACall", "C0129311063")), ring());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->presence.user_id, kUser);
  EXPECT_EQ(r->presence.availability, "Busy");
  EXPECT_EQ(r->presence.activity, "InACall");
  EXPECT_EQ(r->presence.sequence_number, "C0129311063");
  EXPECT_EQ(r->presence.out_of_office, false);
  EXPECT_EQ(r->certificate_id, ring().current().id);
  EXPECT_FALSE(r->used_previous_key);
}

TEST(DecryptNotification, SequenceNumberIsOptional) {
  auto r = decrypt_presence_notification(
      for_current(R"({"id":"u1","availability":"Available","activity":"Available"})"), ring());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->presence.sequence_number);
}

TEST(DecryptNotification, AnyResourceDecryptsToValidatedJson) {
  const std::string user = R"({"id":"u1","displayName":"Zoë Ångström"})";
  auto r = decrypt_notification(for_current(user), ring());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->json, user);
}

TEST(DecryptNotification, OldKeyStillDecryptsAfterRotation) {
  const auto* prev = ring().previous();
  ASSERT_NE(prev, nullptr);
  auto r = decrypt_presence_notification(
      graph_encrypt(prev->certificate_base64, prev->id,
                    presence_json(kUser, "DoNotDisturb", "Presenting", "D1")),
      ring());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->presence.activity, "Presenting");
  EXPECT_EQ(r->certificate_id, prev->id);
  EXPECT_TRUE(r->used_previous_key);
}

TEST(DecryptNotification, KeyIsFoundByThumbprintWhenTheIdIsMissing) {
  auto c = for_current(presence_json(kUser, "Away", "Away", "E1"));
  c.encryption_certificate_id.clear();
  auto r = decrypt_presence_notification(c, ring());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->certificate_id, ring().current().id);
}

TEST(DecryptNotification, WrongKeyIdIsUnknownKey) {
  auto c = for_current(presence_json(kUser, "Away", "Away", "E1"));
  c.encryption_certificate_id = "not-ours";
  expect_step(decrypt_presence_notification(c, ring()), DecryptStep::unknown_key);
  // Our id with another certificate's thumbprint: not the certificate we hold under that id.
  c.encryption_certificate_id = ring().current().id;
  c.encryption_certificate_thumbprint = ring().previous()->thumbprint_hex;
  expect_step(decrypt_presence_notification(c, ring()), DecryptStep::unknown_key);
}

TEST(DecryptNotification, KeyWrappedForAnotherCertificateFailsToUnwrap) {
  // Encrypted for the previous certificate but labelled as the current one.
  auto c = graph_encrypt(ring().previous()->certificate_base64, ring().current().id,
                         presence_json(kUser, "Away", "Away", "E1"));
  c.encryption_certificate_thumbprint.clear();
  expect_step(decrypt_presence_notification(c, ring()), DecryptStep::key_unwrap);
}

TEST(DecryptNotification, TamperedSignatureIsRefusedBeforeDecrypting) {
  auto c = for_current(presence_json(kUser, "Busy", "InACall", "F1"));
  auto sig = *base64_decode(c.data_signature);
  sig[5] = static_cast<char>(sig[5] ^ 0x01);
  c.data_signature = base64_encode(sig);
  expect_step(decrypt_presence_notification(c, ring()), DecryptStep::signature_mismatch);
}

TEST(DecryptNotification, TamperedCiphertextIsRefusedAsSignatureMismatch) {
  auto c = for_current(presence_json(kUser, "Busy", "InACall", "F1"));
  auto data = *base64_decode(c.data);
  data[0] = static_cast<char>(data[0] ^ 0x80);
  c.data = base64_encode(data);
  expect_step(decrypt_presence_notification(c, ring()), DecryptStep::signature_mismatch);
  // A truncated signature compares unequal, too (not a prefix match).
  auto c2 = for_current(presence_json(kUser, "Busy", "InACall", "F1"));
  c2.data_signature = base64_encode(base64_decode(c2.data_signature)->substr(0, 16));
  expect_step(decrypt_presence_notification(c2, ring()), DecryptStep::signature_mismatch);
}

TEST(DecryptNotification, BadBase64NamesTheField) {
  for (int field = 0; field < 3; ++field) {
    auto c = for_current(presence_json(kUser, "Busy", "InACall", "G1"));
    std::string& target = field == 0 ? c.data : field == 1 ? c.data_signature : c.data_key;
    target.insert(4, "*");
    const auto r = decrypt_presence_notification(c, ring());
    expect_step(r, DecryptStep::bad_base64);
    const char* names[] = {"data", "dataSignature", "dataKey"};
    EXPECT_NE(r.error().message.find(names[field]), std::string::npos);
  }
}

TEST(DecryptNotification, DataKeyOfTheWrongSizeIsRefused) {
  GraphSideEncryption how;
  how.data_key = random_bytes(16);  // AES-128-sized: not Graph's scheme
  expect_step(decrypt_presence_notification(
                  for_current(presence_json(kUser, "Busy", "InACall", "H1"), how), ring()),
              DecryptStep::bad_key_size);
}

TEST(DecryptNotification, BadPaddingIsRefused) {
  GraphSideEncryption how;
  how.pkcs7_padding = false;
  // 16 bytes ending in 0x00: no PKCS7 padding can end in a zero byte.
  const std::string block("{\"id\":\"u\"}     \0", 16);
  expect_step(decrypt_presence_notification(for_current(block, how), ring()),
              DecryptStep::bad_padding);
}

TEST(DecryptNotification, PlaintextThatIsNotJsonOrNotAPresenceIsBadJson) {
  expect_step(decrypt_presence_notification(for_current("not json at all"), ring()),
              DecryptStep::bad_json);
  expect_step(decrypt_presence_notification(for_current("[1,2]"), ring()), DecryptStep::bad_json);
  expect_step(decrypt_presence_notification(for_current("{\"id\":\"\xff\xfe\"}"), ring()),
              DecryptStep::bad_json);  // not UTF-8
  expect_step(decrypt_presence_notification(for_current(R"({"id":"u1","availability":"Busy"})"),
                                            ring()),
              DecryptStep::bad_json);  // no activity
}

TEST(DecryptNotification, OversizedDataIsRefusedBeforeDecoding) {
  auto c = for_current(presence_json(kUser, "Busy", "InACall", "J1"));
  c.data = std::string((kMaxEncryptedDataBytes / 3 + 2) * 4, 'A');
  expect_step(decrypt_presence_notification(c, ring()), DecryptStep::oversized);
}

TEST(DecryptNotification, ErrorsConvertToInvalidInputWithoutSecrets) {
  auto c = for_current(presence_json(kUser, "Busy", "InACall", "K1"));
  c.data_signature = base64_encode(std::string(32, 'x'));
  auto r = decrypt_presence_notification(c, ring());
  ASSERT_FALSE(r);
  const Error e = r.error().to_error();
  EXPECT_EQ(e.code, Errc::invalid_input);
  EXPECT_EQ(e.message.find(c.data_key), std::string::npos);
  EXPECT_EQ(e.message.find(kUser), std::string::npos);
}

}  // namespace
}  // namespace ccteams::graph
