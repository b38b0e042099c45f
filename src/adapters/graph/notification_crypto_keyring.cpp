#include "adapters/graph/notification_crypto_keyring.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <boost/json.hpp>
#include <algorithm>
#include <array>
#include <cctype>
#include <new>

#include "adapters/crypto/encoding.hpp"

namespace ccteams::graph {

namespace json = boost::json;

namespace {

constexpr std::int64_t kFormatVersion = 1;
constexpr std::string_view kCommonName = "ccteams change notifications";
// Room for two 4096-bit keys with certificates, encoded, several times over.
constexpr std::size_t kArenaBytes = 64 * 1024;

void wipe(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

// JSON values that hold private keys live in this buffer, so they can be wiped afterwards
// (the default allocator would hand them back to the heap as they are).
struct WipedArena {
  std::vector<unsigned char> bytes = std::vector<unsigned char>(kArenaBytes);
  ~WipedArena() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

std::string upper_hex_sha1(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha1(), nullptr) != 1) {
    return {};  // a failing SHA-1 is an OpenSSL breakdown; an empty thumbprint matches nothing
  }
  std::string hex = hex_encode(std::string_view(reinterpret_cast<const char*>(md.data()), len));
  for (auto& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return hex;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// "ccteams-nk-20261124131634-Ab3_x9Qz": sortable by creation, unique by the random tail.
std::string new_certificate_id(Timestamp now) {
  std::string digits;
  for (const char c : format_iso8601(now)) {
    if (std::isdigit(static_cast<unsigned char>(c)) != 0 && digits.size() < 14) digits += c;
  }
  return "ccteams-nk-" + digits + "-" + random_token(6);
}

Result<NotificationKeyring::Entry> new_entry(Timestamp now, const NotificationKeyOptions& o) {
  auto key = RsaPrivateKey::generate(o.key_bits);
  if (!key) return std::move(key).error();
  auto der = key->self_signed_certificate_der(kCommonName, now, o.certificate_validity);
  if (!der) return std::move(der).error();
  NotificationCertificate cert;
  cert.id = new_certificate_id(now);
  cert.certificate_base64 = base64_encode(*der);
  cert.thumbprint_hex = upper_hex_sha1(*der);
  cert.created_at = now;
  return NotificationKeyring::Entry{std::move(cert), std::move(*key)};
}

Error not_a_keyring(std::string why) {
  return make_error(Errc::invalid_input, "stored notification keyring is unusable: " + why);
}

Result<NotificationKeyring::Entry> decode_entry(const json::value& v) {
  const auto* o = v.if_object();
  if (o == nullptr) return not_a_keyring("a key is not an object");
  const auto* id = o->if_contains("id");
  const auto* created = o->if_contains("createdAt");
  const auto* cert = o->if_contains("certificate");
  const auto* pem = o->if_contains("privateKey");
  if (id == nullptr || !id->is_string() || id->get_string().empty() || created == nullptr ||
      !created->is_int64() || cert == nullptr || !cert->is_string() || pem == nullptr ||
      !pem->is_string()) {
    return not_a_keyring("a key lacks id, createdAt, certificate or privateKey");
  }
  auto der = base64_decode(cert->get_string());
  if (!der) return not_a_keyring("a certificate is not base64");
  auto key = RsaPrivateKey::from_pem(pem->get_string());
  if (!key) return not_a_keyring("a private key does not load");
  if (!key->matches_certificate_der(*der)) {
    return not_a_keyring("a private key does not match its certificate");
  }
  NotificationCertificate c;
  c.id = std::string(id->get_string());
  c.certificate_base64 = std::string(cert->get_string());
  c.thumbprint_hex = upper_hex_sha1(*der);
  c.created_at = from_unix_millis(created->get_int64());
  return NotificationKeyring::Entry{std::move(c), std::move(*key)};
}

}  // namespace

std::string notification_keyring_aad(std::string_view owner) {
  return std::string(owner) + "/" + std::string(kNotificationKeyringPurpose);
}

Result<NotificationKeyring> NotificationKeyring::generate(Timestamp now,
                                                          NotificationKeyOptions options) {
  auto entry = new_entry(now, options);
  if (!entry) return std::move(entry).error();
  std::vector<Entry> entries;
  entries.push_back(std::move(*entry));
  return NotificationKeyring(std::move(entries));
}

const NotificationCertificate* NotificationKeyring::previous() const {
  return entries_.size() > 1 ? &entries_[1].certificate : nullptr;
}

Result<void> NotificationKeyring::rotate(Timestamp now, NotificationKeyOptions options) {
  auto entry = new_entry(now, options);
  if (!entry) return std::move(entry).error();
  entries_.erase(entries_.begin() + 1, entries_.end());  // the old previous goes
  entries_.insert(entries_.begin(), std::move(*entry));
  return ok();
}

void NotificationKeyring::drop_previous() {
  entries_.erase(entries_.begin() + 1, entries_.end());
}

const NotificationKeyring::Entry* NotificationKeyring::find(std::string_view id,
                                                            std::string_view thumbprint_hex) const {
  for (const auto& e : entries_) {
    if (!id.empty()) {
      if (e.certificate.id != id) continue;
      if (!thumbprint_hex.empty() && !iequals(e.certificate.thumbprint_hex, thumbprint_hex)) {
        return nullptr;
      }
      return &e;
    }
    if (!thumbprint_hex.empty() && iequals(e.certificate.thumbprint_hex, thumbprint_hex)) {
      return &e;
    }
  }
  return nullptr;
}

Result<std::string> NotificationKeyring::seal(const SecretBox& box, std::string_view aad) const {
  WipedArena arena;
  std::string text;
  try {
    json::static_resource mr(arena.bytes.data(), arena.bytes.size());
    json::storage_ptr sp(&mr);
    json::array keys(sp);
    for (const auto& e : entries_) {
      auto pem = e.key.to_pkcs8_pem();
      if (!pem) return std::move(pem).error();
      json::object o(sp);
      o["id"] = e.certificate.id;
      o["createdAt"] = to_unix_millis(e.certificate.created_at);
      o["certificate"] = e.certificate.certificate_base64;
      o["privateKey"] = *pem;
      wipe(*pem);
      keys.push_back(std::move(o));
    }
    json::object root(sp);
    root["version"] = kFormatVersion;
    root["keys"] = std::move(keys);
    text = json::serialize(root);
  } catch (const std::bad_alloc&) {
    return make_error(Errc::internal, "notification keyring does not fit the encoding buffer");
  }
  auto sealed = box.seal(text, aad);
  wipe(text);
  return sealed;
}

Result<NotificationKeyring> NotificationKeyring::open(std::string_view sealed,
                                                      const SecretBox& box, std::string_view aad) {
  auto text = box.open(sealed, aad);
  if (!text) return std::move(text).error();
  WipedArena arena;
  std::vector<Entry> entries;
  Result<void> decoded = ok();
  try {
    json::static_resource mr(arena.bytes.data(), arena.bytes.size());
    boost::system::error_code ec;
    const json::value doc = json::parse(*text, ec, json::storage_ptr(&mr));
    wipe(*text);
    const auto* root = ec ? nullptr : doc.if_object();
    const auto* version = root != nullptr ? root->if_contains("version") : nullptr;
    const auto* keys = root != nullptr ? root->if_contains("keys") : nullptr;
    if (root == nullptr) {
      decoded = not_a_keyring("not a JSON object");
    } else if (version == nullptr || !version->is_int64() || version->get_int64() != kFormatVersion) {
      decoded = not_a_keyring("unknown format version");
    } else if (keys == nullptr || !keys->is_array() || keys->get_array().empty() ||
               keys->get_array().size() > 2) {
      decoded = not_a_keyring("expected one or two keys");
    } else {
      for (const auto& k : keys->get_array()) {
        auto entry = decode_entry(k);
        if (!entry) {
          decoded = std::move(entry).error();
          break;
        }
        entries.push_back(std::move(*entry));
      }
    }
  } catch (const std::bad_alloc&) {
    decoded = not_a_keyring("too large");
  }
  if (text) wipe(*text);
  if (!decoded) return std::move(decoded).error();
  if (entries.size() == 2 && entries[0].certificate.id == entries[1].certificate.id) {
    return not_a_keyring("two keys share an id");
  }
  return NotificationKeyring(std::move(entries));
}

}  // namespace ccteams::graph
