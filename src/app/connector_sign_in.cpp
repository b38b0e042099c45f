// ConnectorService: the first step of a Set up, the administrator's OpenID Connect sign-in
// (graph-protocol.md §1.2-1.5). Its verified ID token is the only proof of the tenant that the
// connector may bind; admin consent is then asked of that tenant alone (issue 23).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "app/connector_service.hpp"
#include "app/oauth_text.hpp"
#include "app/ports/entra.hpp"

namespace ccteams {

namespace {

bool holds_admin_role(const std::vector<std::string>& roles) {
  return std::any_of(roles.begin(), roles.end(), [](const std::string& r) {
    return same_id(r, kGlobalAdministratorRole) || same_id(r, kPrivilegedRoleAdministratorRole);
  });
}

std::string not_admin_message(const std::string& upn) {
  return "The Microsoft account " + upn +
         " is not a Global Administrator or Privileged Role Administrator of its organisation, "
         "and only they can connect it. Start again with Set up and sign in with such an "
         "account.";
}

}  // namespace

Result<void> ConnectorService::check_tenant_free(ConnectorStore& st, OrgId org,
                                                 const std::string& tid) {
  auto holder = st.find_org_by_tenant(tid);
  if (!holder) return std::move(holder).error();
  // Whose it is stays unsaid: tenant ids are public, organisation names are not.
  if (*holder && **holder != org) {
    return make_error(Errc::conflict, std::string(kTenantTakenMessage));
  }
  auto current = load(st, org);
  if (!current) return std::move(current).error();
  if (!current->tenant_id.empty() && !same_id(current->tenant_id, tid)) {
    return make_error(Errc::conflict,
                      "This connector belongs to the Microsoft 365 tenant " + current->tenant_id +
                          "; sign in with an administrator of that tenant. To connect another "
                          "tenant, deactivate and delete this connector first.");
  }
  return ok();
}

ConnectorService::Async<Result<void>> ConnectorService::require_entra_admin(
    const VerifiedIdToken& id, const std::string& tid, const std::string& access_token) {
  // Entra puts wids in the ID token only when the app registration asks for directory roles
  // (groupMembershipClaims DirectoryRole or All, §1.4); otherwise Graph is asked.
  if (id.wids) {
    if (holds_admin_role(*id.wids)) co_return ok();
    co_return make_error(Errc::forbidden, not_admin_message(id.upn));
  }
  auto roles = co_await entra_.my_directory_roles(tid, access_token);
  if (!roles) {
    if (roles.error().transient()) {
      co_return make_error(Errc::unavailable,
                           "Microsoft Graph could not be reached to read your directory roles; "
                           "start again with Set up in a moment");
    }
    co_return make_error(Errc::forbidden,
                         "Microsoft Graph refused to read the directory roles of " + id.upn + " (" +
                             roles.error().code +
                             "). Allow directory roles in the app registration's tokens "
                             "(groupMembershipClaims: DirectoryRole) or grant User.Read, then "
                             "start again with Set up.");
  }
  if (holds_admin_role(roles->template_ids)) co_return ok();
  if (!roles->complete) {
    co_return make_error(Errc::forbidden,
                         "Microsoft Graph did not show the directory roles of " + id.upn +
                             " to this app. Allow directory roles in the app registration's "
                             "tokens (groupMembershipClaims: DirectoryRole), then start again "
                             "with Set up.");
  }
  co_return make_error(Errc::forbidden, not_admin_message(id.upn));
}

ConnectorService::Async<Result<ConsentStep>> ConnectorService::finish_sign_in(
    const ConsentRequest& request, const ConsentCallback& p,
    const std::function<Error(Error)>& fail) {
  const OrgId org = request.org;
  if (p.code.empty()) {
    co_return fail(make_error(Errc::invalid_input,
                              "Microsoft did not return a sign-in code; start again with Set "
                              "up"));
  }
  auto verifier =
      sealer_.open(request.sealed_code_verifier, code_verifier_purpose(org, request.state_digest));
  if (!verifier) co_return fail(std::move(verifier).error());
  // A named request, not a temporary in the co_await expression: GCC 12 may destroy such a
  // temporary twice.
  AuthCodeRequest code_request{"organizations", p.code, config_.redirect_uri, *verifier,
                               std::string(kAdminSignInScopes)};
  auto token = co_await entra_.token_by_auth_code(std::move(code_request));
  if (!token) {
    const auto& e = token.error();
    if (e.transient()) {
      co_return fail(make_error(Errc::unavailable,
                                "Microsoft Entra ID could not be reached to finish the sign-in; "
                                "start again with Set up",
                                e.retry_after_seconds));
    }
    co_return fail(
        make_error(Errc::forbidden, "Microsoft Entra ID refused to finish the sign-in (" + e.code +
                                        e.aadsts_text() + "); start again with Set up"));
  }
  if (!token->id_token || token->id_token->empty()) {
    co_return fail(make_error(Errc::forbidden,
                              "Microsoft Entra ID returned no ID token, so the organisation "
                              "could not be proven; start again with Set up"));
  }
  IdTokenExpectations expect{config_.client_id, request.nonce, clock_.now()};
  auto id = co_await id_tokens_.verify(*token->id_token, std::move(expect));
  if (!id) {
    if (id.error().code == Errc::unavailable) co_return fail(std::move(id).error());
    co_return fail(make_error(Errc::forbidden, id.error().message +
                                                   ". Nothing was changed; start again with "
                                                   "Set up."));
  }
  if (auto r = co_await require_entra_admin(*id, id->tid, token->access_token); !r) {
    co_return fail(r.error());
  }
  // Step two has its own single-use state; the proven tenant, account and object id travel in
  // the stored request, never through the browser.
  std::string state;
  ConsentRequest next;
  next.org = org;
  next.user = request.user;
  next.username = request.username;
  next.session_digest = request.session_digest;
  next.created_at = clock_.now();
  next.expires_at = request.expires_at;
  next.stage = ConsentStage::consent;
  next.tenant_id = id->tid;
  next.entra_upn = id->upn.empty() ? id->oid : id->upn;
  next.entra_oid = id->oid;
  // The tenant's check and the request it allows in one job.
  auto store_next = [&](Stores& s) -> Result<void> {
    if (auto r = check_tenant_free(s.connectors(), org, id->tid); !r) return r;
    state = tokens_.new_token();
    next.state_digest = tokens_.digest(state);
    if (auto r = s.connectors().put_consent_request(next); !r) return r;
    append(s.connectors(),
           entry_as(org, request.user, request.username, "sign-in", AuditResult::ok,
                    "signed in to Microsoft as " + next.entra_upn + " (object id " + id->oid +
                        ") of tenant " + id->tid + "; admin consent asked of that tenant"));
    return ok();
  };
  if (auto r = co_await store_.run(store_next); !r) co_return fail(std::move(r).error());
  const AdminConsentLinkRequest link{id->tid, config_.client_id, config_.redirect_uri, state};
  co_return ConsentStep{links_.admin_consent_url(link), std::nullopt};
}

}  // namespace ccteams
