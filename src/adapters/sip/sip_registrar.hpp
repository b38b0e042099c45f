#pragma once
// The registrar SipServer hands REGISTER requests to (RFC 3261 §10.3, digest §22): the pure
// core/sip/registrar.hpp on the Clock port, its nonces sealed with HMAC-SHA256 under a secret
// drawn at start (so nonces from a previous process are refused, and phones are challenged
// again: the registrar keeps no state across restarts, bindings included).
// Thread-safety: handler() and bindings() on the SIP server's strand only (the handler is
// called there; a later part reads bindings from there too).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/sip/sip_server.hpp"
#include "app/ports/clock.hpp"
#include "core/sip/registrar.hpp"

namespace ccteams::sip {

class SipRegistrar {
 public:
  // clock and credentials must outlive the registrar.
  SipRegistrar(Clock& clock, const SipCredentials& credentials, RegistrarLimits limits = {},
               DigestServerConfig digest = {});

  // For SipServer::set_register_handler; the registrar must outlive the server's use of it.
  RegisterHandler handler();
  // The extension's current bindings ("agent1"): Contact, and the transport and address the
  // REGISTER came from.
  std::vector<Binding> bindings(std::string_view extension);

 private:
  Clock& clock_;
  Registrar registrar_;
};

}  // namespace ccteams::sip
