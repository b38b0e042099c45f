// Rich notifications (includeResourceData): the receiver side done here with OpenSSL exactly
// as graph-protocol.md §4.5/§4.6 describe, so the emulator's output is checked independently.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "emulator/notification_harness_test.hpp"

namespace ccteams::emulator {
namespace {

namespace json = boost::json;
using testing::NotificationHarness;

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

// Base64 with OpenSSL's codec, not the emulator's (encoding.hpp), so that the check stays
// independent. url: the URL alphabet of JWTs, unpadded.
std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}
std::optional<std::string> base64_decode(std::string_view text, bool url = false) {
  std::string padded(text);
  if (url) {
    for (char& c : padded) c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  while (padded.size() % 4 != 0) padded.push_back('=');
  std::size_t pad = 0;
  while (pad < padded.size() && pad < 2 && padded[padded.size() - 1 - pad] == '=') ++pad;
  std::string out(padded.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(padded.data()),
                                static_cast<int>(padded.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

// A receiver's key pair: RSA-2048 and a self-signed certificate (base64 DER) for it.
struct ReceiverKey {
  Pkey key;
  std::string certificate_base64;
};

ReceiverKey make_receiver_key() {
  ReceiverKey k{Pkey(EVP_RSA_gen(2048)), {}};
  std::unique_ptr<X509, X509Free> cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), k.key.get());
  X509_NAME_add_entry_by_txt(X509_get_subject_name(cert.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("receiver"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  X509_sign(cert.get(), k.key.get(), EVP_sha256());
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert.get(), &der);
  k.certificate_base64 = base64_encode(std::string_view(reinterpret_cast<char*>(der),
                                                        static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  return k;
}

std::string b64(const json::value& v) { return *base64_decode(v.as_string()); }

std::string rsa_oaep_decrypt(EVP_PKEY* key, const std::string& in) {
  std::unique_ptr<EVP_PKEY_CTX, CtxFree> ctx(EVP_PKEY_CTX_new(key, nullptr));
  EVP_PKEY_decrypt_init(ctx.get());
  EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING);
  EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha1());
  EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha1());
  std::size_t len = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  EVP_PKEY_decrypt(ctx.get(), nullptr, &len, p, in.size());
  std::string out(len, '\0');
  if (EVP_PKEY_decrypt(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, p,
                       in.size()) != 1) {
    return {};
  }
  out.resize(len);
  return out;
}

std::string aes_cbc_decrypt(const std::string& key, const std::string& data) {
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      EVP_CIPHER_CTX_free);
  const auto* k = reinterpret_cast<const unsigned char*>(key.data());
  EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, k, k);
  std::string out(data.size() + 16, '\0');
  int n1 = 0;
  int n2 = 0;
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  EVP_DecryptUpdate(ctx.get(), o, &n1, reinterpret_cast<const unsigned char*>(data.data()),
                    static_cast<int>(data.size()));
  if (EVP_DecryptFinal_ex(ctx.get(), o + n1, &n2) != 1) return {};
  out.resize(static_cast<std::size_t>(n1 + n2));
  return out;
}

// RS256 check of a JWT against the certificate (x5c) of the JWKS key with its kid.
bool verify_with_jwks(const std::string& token, const json::object& jwks,
                      json::object* claims) {
  const auto d1 = token.find('.');
  const auto d2 = token.rfind('.');
  const auto header = json::parse(*base64_decode(token.substr(0, d1), true));
  for (const auto& k : jwks.at("keys").as_array()) {
    if (k.at("kid") != header.at("kid")) continue;
    const std::string der = b64(k.at("x5c").as_array().at(0));
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    Pkey pub(X509_get_pubkey(cert.get()));
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    const std::string signed_part = token.substr(0, d2);
    const std::string sig = *base64_decode(token.substr(d2 + 1), true);
    EVP_DigestVerifyInit(md.get(), nullptr, EVP_sha256(), nullptr, pub.get());
    if (EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                         reinterpret_cast<const unsigned char*>(signed_part.data()),
                         signed_part.size()) != 1) {
      return false;
    }
    *claims = json::parse(*base64_decode(token.substr(d1 + 1, d2 - d1 - 1),
                                         true))
                  .as_object();
    return true;
  }
  return false;
}

TEST(RichNotification, ReceiverDecryptsAndVerifiesTheValidationToken) {
  NotificationHarness h;
  const auto rk = make_receiver_key();
  const auto admin = h.user_id("admin");
  auto body = h.subscription_body({admin});
  body["includeResourceData"] = true;
  body["encryptionCertificate"] = rk.certificate_base64;
  body["encryptionCertificateId"] = "receiver-key-1";
  auto created = h.call("POST", "/v1.0/subscriptions", body, h.user_token(h.user_id("member")));
  ASSERT_EQ(created->result_int(), 201) << created->body();
  auto r = h.call("POST", "/_emulator/users/" + admin + "/presence",
                  json::object{{"availability", "Busy"}, {"activity", "InAMeeting"}});
  ASSERT_EQ(r->result_int(), 200);
  ASSERT_TRUE(h.receiver->wait_for(1));
  const auto post = h.receiver->snapshot().at(0).body;
  const auto& item = post.at("value").as_array().at(0).as_object();
  const auto& enc = item.at("encryptedContent").as_object();
  EXPECT_EQ(enc.at("encryptionCertificateId").as_string(), "receiver-key-1");

  const std::string key = rsa_oaep_decrypt(rk.key.get(), b64(enc.at("dataKey")));
  ASSERT_EQ(key.size(), 32u);
  const std::string data = b64(enc.at("data"));
  unsigned char mac[32];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_len);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(mac), mac_len), b64(enc.at("dataSignature")));
  const std::string plain = aes_cbc_decrypt(key, data);
  ASSERT_FALSE(plain.empty());
  const auto presence = json::parse(plain).as_object();
  EXPECT_EQ(presence.at("id").as_string(), admin);
  EXPECT_EQ(presence.at("availability").as_string(), "Busy");
  EXPECT_EQ(presence.at("activity").as_string(), "InAMeeting");
  EXPECT_FALSE(presence.at("sequenceNumber").as_string().empty());

  const auto& tokens = post.at("validationTokens").as_array();
  ASSERT_EQ(tokens.size(), 1u);
  auto jwks = h.call("GET", "/" + h.info.tenant_id + "/discovery/v2.0/keys", nullptr);
  ASSERT_EQ(jwks->result_int(), 200);
  json::object claims;
  ASSERT_TRUE(verify_with_jwks(std::string(tokens[0].as_string()),
                               json::parse(jwks->body()).as_object(), &claims));
  EXPECT_EQ(claims.at("aud").as_string(), h.info.app_id);
  EXPECT_EQ(claims.at("appid").as_string(), "0bf30f3b-4a52-48df-9a82-234910c4a086");
  EXPECT_EQ(claims.at("iss").as_string(), "https://sts.windows.net/" + h.info.tenant_id + "/");
  const auto now_s = h.now_ms->load() / 1000;
  EXPECT_LE(claims.at("nbf").as_int64(), now_s);
  EXPECT_GT(claims.at("exp").as_int64(), now_s);
}

TEST(RichNotification, IncludeResourceDataNeedsAUsableCertificate) {
  NotificationHarness h;
  auto body = h.subscription_body({h.user_id("admin")});
  body["includeResourceData"] = true;
  const auto token = h.user_token(h.user_id("member"));
  EXPECT_EQ(h.call("POST", "/v1.0/subscriptions", body, token)->result_int(), 400);
  body["encryptionCertificate"] = make_receiver_key().certificate_base64;
  EXPECT_EQ(h.call("POST", "/v1.0/subscriptions", body, token)->result_int(), 400);  // no id
  body["encryptionCertificateId"] = "k";
  EXPECT_EQ(h.call("POST", "/v1.0/subscriptions", body, token)->result_int(), 201);
}

// Two tenants' subscriptions share one notificationUrl: one POST carries the notifications of
// both, with one validation token per (app, tenant) (graph-protocol.md §4.3, §4.6), each
// verifiable and naming its tenant, and each item decrypts with the receiver's key.
TEST(RichNotification, OnePostMixesTenantsWithATokenPerTenant) {
  auto options = NotificationHarness::fast_options();
  // Long enough that both changes below fall into one batch even on a loaded machine.
  options.batch_interval = std::chrono::milliseconds(3000);
  NotificationHarness h(options, 0, 2);
  const auto rk = make_receiver_key();
  std::map<std::string, std::string> watched;  // tenant id -> watched user
  for (const auto& t : h.info.tenants) {
    const auto admin = h.user_id("admin", t.tenant_id);
    watched[t.tenant_id] = admin;
    auto body = h.subscription_body({admin});
    body["includeResourceData"] = true;
    body["encryptionCertificate"] = rk.certificate_base64;
    body["encryptionCertificateId"] = "shared-key";
    auto created = h.call("POST", "/v1.0/subscriptions", body,
                          h.user_token(h.user_id("member", t.tenant_id), t.tenant_id));
    ASSERT_EQ(created->result_int(), 201) << created->body();
    EXPECT_EQ(json::parse(created->body()).at("notificationUrl").as_string(), h.hook_url());
  }
  for (const auto& [tenant, admin] : watched) {
    auto r = h.call("POST", "/_emulator/users/" + admin + "/presence?tenant=" + tenant,
                    json::object{{"availability", "DoNotDisturb"}, {"activity", "Presenting"}});
    ASSERT_EQ(r->result_int(), 200) << r->body();
  }
  ASSERT_TRUE(h.receiver->wait_for(1));
  const auto post = h.receiver->snapshot().at(0).body;
  const auto& items = post.at("value").as_array();
  ASSERT_EQ(items.size(), 2u) << json::serialize(post);
  std::set<std::string> item_tenants;
  for (const auto& v : items) {
    const auto& item = v.as_object();
    const std::string tenant(item.at("tenantId").as_string());
    item_tenants.insert(tenant);
    const auto& enc = item.at("encryptedContent").as_object();
    const std::string key = rsa_oaep_decrypt(rk.key.get(), b64(enc.at("dataKey")));
    const auto presence = json::parse(aes_cbc_decrypt(key, b64(enc.at("data")))).as_object();
    EXPECT_EQ(presence.at("id").as_string(), watched.at(tenant));
  }
  EXPECT_EQ(item_tenants.size(), 2u);

  const auto& tokens = post.at("validationTokens").as_array();
  ASSERT_EQ(tokens.size(), 2u);
  auto jwks = h.call("GET", "/common/discovery/v2.0/keys", nullptr);
  ASSERT_EQ(jwks->result_int(), 200);
  std::set<std::string> token_tenants;
  for (const auto& t : tokens) {
    json::object claims;
    ASSERT_TRUE(verify_with_jwks(std::string(t.as_string()), json::parse(jwks->body()).as_object(),
                                 &claims));
    const std::string tid(claims.at("tid").as_string());
    token_tenants.insert(tid);
    EXPECT_EQ(claims.at("iss").as_string(), "https://sts.windows.net/" + tid + "/");
    EXPECT_EQ(claims.at("aud").as_string(), h.info.app_id);
  }
  EXPECT_EQ(token_tenants, item_tenants);
}

}  // namespace
}  // namespace ccteams::emulator
