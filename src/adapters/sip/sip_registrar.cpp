#include "adapters/sip/sip_registrar.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <array>
#include <cstdlib>
#include <utility>

#include "adapters/crypto/encoding.hpp"

namespace ccteams::sip {
namespace {

// HMAC-SHA256 under a key of 32 random bytes drawn once per registrar.
NonceMac hmac_sha256_mac() {
  return [key = random_bytes(32)](std::string_view data) {
    std::array<unsigned char, 32> mac{};
    std::size_t len = 0;
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                  reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(),
                  mac.size(), &len) == nullptr ||
        len != mac.size()) {
      // Without a MAC every nonce would be forgeable: stop rather than authenticate anyone.
      ERR_clear_error();
      std::abort();
    }
    return std::string(reinterpret_cast<const char*>(mac.data()), len);
  };
}

}  // namespace

SipRegistrar::SipRegistrar(Clock& clock, const SipCredentials& credentials, RegistrarLimits limits,
                           DigestServerConfig digest)
    : clock_(clock), registrar_(credentials, hmac_sha256_mac(), limits, std::move(digest)) {}

RegisterHandler SipRegistrar::handler() {
  return [this](const SipMessage& request, const BindingSource& source, std::string_view to_tag) {
    return registrar_.on_register(request, source, clock_.now(), to_tag);
  };
}

std::vector<Binding> SipRegistrar::bindings(std::string_view extension) {
  return registrar_.bindings(extension, clock_.now());
}

}  // namespace ccteams::sip
