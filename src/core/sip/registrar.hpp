#pragma once
// The SIP registrar (RFC 3261 §10.3) with digest authentication (§22): the final response to a
// REGISTER, and the bindings it keeps. In order: the To URI's user must be an extension we know
// (404; answered before any challenge, so an outsider can tell which extensions exist), the
// request must carry right digest credentials (401 with a challenge, 401 stale=TRUE, 400 for a
// malformed Authorization; digest_server.hpp), their user must be the AOR's (403: an extension
// registers only itself), and the bindings update follows §10.3 steps 6-8 (sip_bindings.hpp).
// Pure: time comes in as an argument, the nonce MAC and the credentials as ports.

#include <string_view>
#include <vector>

#include "core/sip/digest_server.hpp"
#include "core/sip/sip_bindings.hpp"
#include "core/sip/sip_credentials.hpp"
#include "core/sip/sip_message.hpp"

namespace ccteams::sip {

class Registrar {
 public:
  // `credentials` must outlive the registrar.
  Registrar(const SipCredentials& credentials, NonceMac mac, RegistrarLimits limits = {},
            DigestServerConfig digest = {});

  // The final response to a REGISTER from `source`, `to_tag` its To tag; 200 lists every
  // current binding of the AOR with its remaining expires.
  SipMessage on_register(const SipMessage& request, const BindingSource& source, Timestamp now,
                         std::string_view to_tag);
  // The extension's current bindings ("agent1"), where a later part sends INVITEs.
  std::vector<Binding> bindings(std::string_view extension, Timestamp now) {
    return bindings_.bindings(extension, now);
  }
  const DigestServer& digest() const { return digest_; }

 private:
  const SipCredentials& credentials_;
  DigestServer digest_;
  SipBindings bindings_;
};

}  // namespace ccteams::sip
