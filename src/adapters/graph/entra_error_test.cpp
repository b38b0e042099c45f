// Entra token errors classified into EntraErrorKind (the app branches on the kind only), and
// lifecycle events into LifecycleEvent.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "adapters/graph/graph_json.hpp"

namespace ccteams::graph {
namespace {

struct EntraCase {
  std::string error;
  std::vector<std::int64_t> codes;
  EntraErrorKind kind;
};

class ClassifyEntraError : public ::testing::TestWithParam<EntraCase> {};

TEST_P(ClassifyEntraError, Table) {
  const auto& c = GetParam();
  std::string codes;
  for (auto n : c.codes) codes += " " + std::to_string(n);
  EXPECT_EQ(entra_error_kind_name(classify_entra_error(c.error, c.codes)),
            entra_error_kind_name(c.kind))
      << c.error << codes;
}

using K = EntraErrorKind;
INSTANTIATE_TEST_SUITE_P(
    EachCodeAndError, ClassifyEntraError,
    ::testing::Values(
        // Our app registration.
        EntraCase{"invalid_client", {}, K::bad_client_secret},
        EntraCase{"invalid_client", {7000215}, K::bad_client_secret},
        EntraCase{"invalid_request", {7000222}, K::bad_client_secret},
        EntraCase{"unauthorized_client", {}, K::app_unknown_in_tenant},
        EntraCase{"invalid_resource", {}, K::app_unknown_in_tenant},
        EntraCase{"invalid_request", {700016}, K::app_unknown_in_tenant},
        EntraCase{"invalid_request", {500011}, K::app_unknown_in_tenant},
        // The account's refresh token.
        EntraCase{"invalid_grant", {700082}, K::refresh_token_unused_too_long},
        EntraCase{"invalid_grant", {700084}, K::refresh_token_unused_too_long},
        EntraCase{"interaction_required", {}, K::interaction_required},
        EntraCase{"invalid_grant", {50076}, K::interaction_required},
        EntraCase{"invalid_grant", {50079}, K::interaction_required},
        EntraCase{"consent_required", {}, K::consent_required},
        EntraCase{"invalid_grant", {65001}, K::consent_required},
        EntraCase{"invalid_grant", {50057}, K::account_disabled},
        EntraCase{"invalid_grant", {53003}, K::blocked_by_conditional_access},
        EntraCase{"invalid_grant", {}, K::refresh_token_dead},
        EntraCase{"invalid_grant", {70008}, K::refresh_token_dead},
        EntraCase{"invalid_grant", {54005}, K::refresh_token_dead},
        EntraCase{"invalid_request", {70008}, K::refresh_token_dead},
        EntraCase{"invalid_request", {50105}, K::refresh_token_dead},
        EntraCase{"invalid_request", {50173}, K::refresh_token_dead},
        // Nothing the app acts on.
        EntraCase{"invalid_request", {}, K::none}, EntraCase{"invalid_scope", {70011}, K::none},
        EntraCase{"temporarily_unavailable", {}, K::none}, EntraCase{"", {}, K::none},
        // First match wins: the inactivity verdict before interaction, which comes before
        // consent; the app registration before any verdict on the account.
        EntraCase{"interaction_required", {700082}, K::refresh_token_unused_too_long},
        EntraCase{"consent_required", {50076}, K::interaction_required},
        EntraCase{"invalid_grant", {50057, 53003}, K::account_disabled},
        EntraCase{"invalid_client", {70008}, K::bad_client_secret}));

TEST(DecodeTokenError, ClassifiesTheEntraKindAndKeepsCodeAndNumbers) {
  auto r = decode_token_error(
      R"({"error":"invalid_grant","error_description":"AADSTS50057: The user account is disabled.","error_codes":[50057]})",
      400);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->entra, EntraErrorKind::account_disabled);
  EXPECT_EQ(r->code, "invalid_grant");
  EXPECT_EQ(r->error_codes, std::vector<std::int64_t>{50057});
  // A Graph error envelope is not Entra's verdict.
  auto g = graph_error_from_response(
      401, R"({"error":{"code":"InvalidAuthenticationToken","message":"expired"}})", 0);
  EXPECT_EQ(g.entra, EntraErrorKind::none);
}

TEST(DecodeLifecycleEvent, KnownNamesExactlyElseOther) {
  EXPECT_EQ(decode_lifecycle_event("reauthorizationRequired"),
            LifecycleEvent::reauthorization_required);
  EXPECT_EQ(decode_lifecycle_event("subscriptionRemoved"), LifecycleEvent::subscription_removed);
  EXPECT_EQ(decode_lifecycle_event("missed"), LifecycleEvent::missed);
  EXPECT_EQ(decode_lifecycle_event("Missed"), LifecycleEvent::other);
  EXPECT_EQ(decode_lifecycle_event("somethingNew"), LifecycleEvent::other);
  for (auto e : {LifecycleEvent::reauthorization_required, LifecycleEvent::subscription_removed,
                 LifecycleEvent::missed}) {
    EXPECT_EQ(decode_lifecycle_event(lifecycle_event_wire_name(e)), e);
  }
}

TEST(PresenceSubscriptionResource, FiltersOnTheIds) {
  EXPECT_EQ(presence_subscription_resource({"a", "b"}),
            "/communications/presences?$filter=id in ('a','b')");
  EXPECT_EQ(presence_subscription_resource({"u1"}),
            "/communications/presences?$filter=id in ('u1')");
}

}  // namespace
}  // namespace ccteams::graph
