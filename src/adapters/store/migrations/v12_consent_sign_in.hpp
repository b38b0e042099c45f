#pragma once
// Schema migration v12 (issue 23: the tenant is proven by an OpenID Connect sign-in). One
// migration per file; the list that orders them is in sqlite_migrations.cpp.

#include <string_view>

namespace ccteams::store {

// A Set up is now two steps, each with its own single-use state: the administrator's sign-in
// (`sign_in`: the OIDC nonce and the sealed PKCE verifier) and then admin consent (`consent`:
// the tenant, UPN and object id the verified ID token proved). Requests pending from before the
// upgrade belong to the old one-step flow, whose tenant was never proven: they are dropped (the
// admin presses Set up again). The connector keeps which Entra account consented.
inline constexpr std::string_view kV12ConsentSignIn = R"sql(
DELETE FROM teams_consent_requests;
ALTER TABLE teams_consent_requests ADD COLUMN stage TEXT NOT NULL DEFAULT 'sign_in';
ALTER TABLE teams_consent_requests ADD COLUMN nonce TEXT NOT NULL DEFAULT '';
ALTER TABLE teams_consent_requests ADD COLUMN sealed_code_verifier TEXT NOT NULL DEFAULT '';
ALTER TABLE teams_consent_requests ADD COLUMN tenant_id TEXT NOT NULL DEFAULT '';
ALTER TABLE teams_consent_requests ADD COLUMN entra_upn TEXT NOT NULL DEFAULT '';
ALTER TABLE teams_consent_requests ADD COLUMN entra_oid TEXT NOT NULL DEFAULT '';
ALTER TABLE teams_connectors ADD COLUMN consented_by_entra_upn TEXT NOT NULL DEFAULT '';
ALTER TABLE teams_connectors ADD COLUMN consented_by_entra_oid TEXT NOT NULL DEFAULT '';
)sql";

}  // namespace ccteams::store
