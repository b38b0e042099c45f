// libFuzzer target: decrypting rich change notifications (graph-protocol.md §4.5), under ASan +
// UBSan (scripts/fuzz.sh). The first byte picks the mode:
//   0  the input is the four fields of encryptedContent (data, dataSignature, dataKey,
//      encryptionCertificateId), separated by '\n', as an attacker could send them
//   1  the input is the plaintext, encrypted the way Graph does for our key, so the presence
//      decoder behind the cryptography sees arbitrary JSON
// Forged content never decrypts; genuine content decrypts to what was sent or a clear error.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/graph/notification_crypto.hpp"
#include "adapters/graph/notification_crypto_keyring.hpp"
#include "adapters/graph/notification_crypto_test_support.hpp"

namespace {

using namespace ccteams;
using namespace ccteams::graph;

const NotificationKeyring& keyring() {
  static const NotificationKeyring kKeyring = [] {
    auto k = NotificationKeyring::generate(Timestamp(std::chrono::milliseconds(1'780'000'000'000)));
    if (!k) std::abort();
    return *k;
  }();
  return kKeyring;
}

std::string_view next_field(std::string_view& rest) {
  const auto cut = rest.find('\n');
  const auto field = rest.substr(0, cut);
  rest = cut == std::string_view::npos ? std::string_view{} : rest.substr(cut + 1);
  return field;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto& cert = keyring().current();
  if (data[0] % 2 == 0) {
    EncryptedContent c;
    c.data = next_field(text);
    c.data_signature = next_field(text);
    c.data_key = next_field(text);
    c.encryption_certificate_id = next_field(text);
    if (c.encryption_certificate_id.empty()) c.encryption_certificate_id = cert.id;
    // Without our key the data key cannot be wrapped: nothing an attacker writes decrypts.
    if (decrypt_notification(c, keyring())) std::abort();
    return 0;
  }
  const auto content = testing::graph_encrypt(cert.certificate_base64, cert.id, text);
  auto plain = decrypt_notification(content, keyring());
  if (plain && plain->json != text) std::abort();
  (void)decrypt_presence_notification(content, keyring());
  return 0;
}
