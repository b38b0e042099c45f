#include "core/sip/registrar.hpp"

#include <utility>

#include "core/sip/server_transaction.hpp"

namespace ccteams::sip {

Registrar::Registrar(const SipCredentials& credentials, NonceMac mac, RegistrarLimits limits,
                     DigestServerConfig digest)
    : credentials_(credentials), digest_(std::move(digest), std::move(mac)), bindings_(limits) {}

SipMessage Registrar::on_register(const SipMessage& request, const BindingSource& source,
                                  Timestamp now, std::string_view to_tag) {
  const auto user = aor_user(request);
  if (!user) return make_response(request, user.error().status, to_tag, user.error().reason);
  // §10.3 step 5: an address-of-record that is not ours is 404.
  if (!credentials_.ha1(*user)) {
    return make_response(request, 404, to_tag, "Not Found (no such extension)");
  }
  const auto auth = digest_.authenticate(request, credentials_, now);
  if (auth.kind != DigestServer::Outcome::Kind::authenticated) {
    return digest_.refusal(request, auth, now, to_tag);
  }
  // §10.3 step 3: whoever authenticated may change only their own bindings.
  if (auth.user != *user) {
    return make_response(request, 403, to_tag,
                         "Forbidden (" + auth.user + " may not register " + *user + ")");
  }
  const RegisterOutcome outcome = bindings_.update(*user, request, source, now);
  SipMessage r = make_response(request, outcome.status, to_tag, outcome.reason);
  if (outcome.min_expires)
    r.add_header("Min-Expires", std::to_string(outcome.min_expires->count()));
  for (const std::string& contact : outcome.contacts) r.add_header("Contact", contact);
  return r;
}

}  // namespace ccteams::sip
