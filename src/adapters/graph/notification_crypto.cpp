#include "adapters/graph/notification_crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <optional>

#include "adapters/crypto/encoding.hpp"
#include "adapters/graph/graph_json.hpp"

namespace ccteams::graph {

namespace {

constexpr std::size_t kDataKeyBytes = 32;  // AES-256
constexpr std::size_t kIvBytes = 16;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

DecryptError fail(DecryptStep step, std::string_view detail) {
  return DecryptError{step, "rich notification: " + std::string(decrypt_step_name(step)) + ": " +
                                std::string(detail)};
}

// The data key is a secret for as long as it lives; it is wiped however the function ends.
class DataKey {
 public:
  explicit DataKey(std::string bytes) : bytes_(std::move(bytes)) {}
  ~DataKey() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }
  DataKey(const DataKey&) = delete;
  DataKey& operator=(const DataKey&) = delete;
  std::string_view view() const { return bytes_; }
  const unsigned char* data() const {
    return reinterpret_cast<const unsigned char*>(bytes_.data());
  }
  std::size_t size() const { return bytes_.size(); }

 private:
  std::string bytes_;
};

std::optional<std::string> hmac_sha256(const DataKey& key, std::string_view data) {
  return ccteams::hmac_sha256(key.view(), data);
}

// AES-256-CBC, iv = key[0..16), PKCS7. nullopt for a bad length or bad padding.
std::optional<std::string> aes_256_cbc_decrypt(const DataKey& key, std::string_view data) {
  if (data.empty() || data.size() % kIvBytes != 0) return std::nullopt;
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  std::string out(data.size() + kIvBytes, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  int n1 = 0;
  int n2 = 0;
  const bool good =
      ctx && EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.data(), key.data()) == 1 &&
      EVP_DecryptUpdate(ctx.get(), o, &n1, reinterpret_cast<const unsigned char*>(data.data()),
                        static_cast<int>(data.size())) == 1 &&
      EVP_DecryptFinal_ex(ctx.get(), o + n1, &n2) == 1;
  ERR_clear_error();
  if (!good) return std::nullopt;
  out.resize(static_cast<std::size_t>(n1 + n2));
  return out;
}

// Valid UTF-8 JSON whose root is an object (Boost.JSON rejects invalid UTF-8 by default).
bool is_json_object(std::string_view text) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(text, ec);
  return !ec && v.is_object();
}

}  // namespace

std::string_view decrypt_step_name(DecryptStep step) {
  switch (step) {
    case DecryptStep::unknown_key: return "unknown key";
    case DecryptStep::bad_base64: return "bad base64";
    case DecryptStep::oversized: return "oversized";
    case DecryptStep::key_unwrap: return "key unwrap failed";
    case DecryptStep::bad_key_size: return "bad key size";
    case DecryptStep::signature_mismatch: return "signature mismatch";
    case DecryptStep::bad_padding: return "bad padding";
    case DecryptStep::bad_json: return "bad JSON";
  }
  return "failed";
}

Error DecryptError::to_error() const { return make_error(Errc::invalid_input, message); }

DecryptResult<DecryptedContent> decrypt_notification(const EncryptedContent& content,
                                                     const NotificationKeyring& keyring) {
  const auto* entry =
      keyring.find(content.encryption_certificate_id, content.encryption_certificate_thumbprint);
  if (entry == nullptr) {
    return fail(DecryptStep::unknown_key, "no key for encryptionCertificateId/thumbprint");
  }
  // Base64 grows 4/3; refusing by the text's length avoids decoding a huge body at all.
  if (content.data.size() > (kMaxEncryptedDataBytes / 3 + 1) * 4) {
    return fail(DecryptStep::oversized, "data is larger than allowed");
  }
  auto data = base64_decode(content.data);
  if (!data) return fail(DecryptStep::bad_base64, "data");
  auto signature = base64_decode(content.data_signature);
  if (!signature) return fail(DecryptStep::bad_base64, "dataSignature");
  auto wrapped = base64_decode(content.data_key);
  if (!wrapped) return fail(DecryptStep::bad_base64, "dataKey");

  auto unwrapped = entry->key.oaep_sha1_decrypt(*wrapped);
  if (!unwrapped) return fail(DecryptStep::key_unwrap, "RSA-OAEP refused dataKey");
  const DataKey key(std::move(*unwrapped));
  if (key.size() != kDataKeyBytes) {
    return fail(DecryptStep::bad_key_size, "expected 32 bytes, got " + std::to_string(key.size()));
  }

  const auto mac = hmac_sha256(key, *data);
  if (!mac) return fail(DecryptStep::signature_mismatch, "HMAC-SHA256 could not be computed");
  if (!constant_time_equals(*mac, *signature)) {
    return fail(DecryptStep::signature_mismatch, "dataSignature does not match; not decrypted");
  }

  auto plain = aes_256_cbc_decrypt(key, *data);
  if (!plain) return fail(DecryptStep::bad_padding, "AES-256-CBC refused the data");
  if (!is_json_object(*plain)) {
    return fail(DecryptStep::bad_json, "plaintext is not a UTF-8 JSON object");
  }
  return DecryptedContent{std::move(*plain), entry->certificate.id,
                          entry->certificate.id != keyring.current().id};
}

DecryptResult<DecryptedPresence> decrypt_presence_notification(
    const EncryptedContent& content, const NotificationKeyring& keyring) {
  auto decrypted = decrypt_notification(content, keyring);
  if (!decrypted) return std::move(decrypted).error();
  auto presence = decode_presence(decrypted->json);
  if (!presence) return fail(DecryptStep::bad_json, presence.error().message);
  return DecryptedPresence{std::move(*presence), std::move(decrypted->certificate_id),
                           decrypted->used_previous_key};
}

}  // namespace ccteams::graph
