#include "adapters/sip/sip_registrar.hpp"

#include <cstdlib>
#include <utility>

#include "adapters/crypto/encoding.hpp"

namespace ccteams::sip {
namespace {

// HMAC-SHA256 under a key of 32 random bytes drawn once per registrar.
NonceMac hmac_sha256_mac() {
  return [key = random_bytes(32)](std::string_view data) {
    auto mac = hmac_sha256(key, data);
    // Without a MAC every nonce would be forgeable: stop rather than authenticate anyone.
    if (!mac) std::abort();
    return std::move(*mac);
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
