// The URLs a browser is sent to at Entra (graph-protocol.md §1.1, §1.2), as the connector's and
// the sync accounts' sign-ins and the admin consent ask for them.
#include "adapters/graph/entra_link_builder.hpp"

#include <gtest/gtest.h>

namespace ccteams::graph {
namespace {

const std::string kVerifier = "tok2tok3tok4tok5tok6tok7tok8tok9tok10tok11tok12tok13tok14tok15tok16";

TEST(EntraLinkBuilder, AnAdministratorsSignInAtTheOrganizationsAuthority) {
  const EntraLinkBuilder links("https://login.example");
  const SignInLinkRequest request{"organizations",
                                  "app-id",
                                  "https://cc.example/api/v1/connectors/msteams/callback",
                                  "openid profile User.Read",
                                  "tok1",
                                  "tok17",
                                  "S256(" + kVerifier + ")"};
  EXPECT_EQ(links.sign_in_url(request),
            "https://login.example/organizations/oauth2/v2.0/authorize?client_id=app-id"
            "&response_type=code"
            "&redirect_uri=https%3A%2F%2Fcc.example%2Fapi%2Fv1%2Fconnectors%2Fmsteams%2Fcallback"
            "&response_mode=query&scope=openid%20profile%20User.Read&state=tok1&nonce=tok17"
            "&code_challenge=S256%28" +
                kVerifier +
                "%29&code_challenge_method=S256"
                "&prompt=select_account");
}

TEST(EntraLinkBuilder, ASyncAccountsSignInAtItsTenantWithoutNonce) {
  const EntraLinkBuilder links("https://login.example/");  // the trailing slash is dropped
  const SignInLinkRequest request{
      "tid-1",
      "client-1",
      "https://cc.example/api/v1/connectors/msteams/sync-accounts/callback",
      "openid profile offline_access https://graph.microsoft.com/Presence.Read.All",
      "st",
      std::nullopt,
      "ch"};
  EXPECT_EQ(links.sign_in_url(request),
            "https://login.example/tid-1/oauth2/v2.0/authorize?client_id=client-1&"
            "response_type=code&redirect_uri=https%3A%2F%2Fcc.example%2Fapi%2Fv1%2F"
            "connectors%2Fmsteams%2Fsync-accounts%2Fcallback&response_mode=query&"
            "scope=openid%20profile%20offline_access%20https%3A%2F%2Fgraph.microsoft."
            "com%2FPresence.Read.All&state=st&code_challenge=ch"
            "&code_challenge_method=S256&prompt=select_account");
}

TEST(EntraLinkBuilder, AdminConsentGoesToTheNamedTenantForEveryAppPermission) {
  const EntraLinkBuilder links("https://login.example");
  const AdminConsentLinkRequest request{"11111111-2222-3333-4444-555555555555", "app-id",
                                        "https://cc.example/api/v1/connectors/msteams/callback",
                                        "tok20"};
  EXPECT_EQ(links.admin_consent_url(request),
            "https://login.example/11111111-2222-3333-4444-555555555555"
            "/v2.0/adminconsent?client_id=app-id"
            "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"
            "&redirect_uri=https%3A%2F%2Fcc.example%2Fapi%2Fv1%2Fconnectors%2Fmsteams%2Fcallback"
            "&state=tok20");
}

TEST(EntraLinkBuilder, QueryValuesArePercentEncoded) {
  const EntraLinkBuilder links("https://login.example");
  const AdminConsentLinkRequest request{"a/b", "c&d", "e f", "g=h"};
  EXPECT_EQ(links.admin_consent_url(request),
            "https://login.example/a%2Fb/v2.0/adminconsent?client_id=c%26d"
            "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&redirect_uri=e%20f&state=g%3Dh");
}

}  // namespace
}  // namespace ccteams::graph
