#include "core/connector.hpp"

#include <gtest/gtest.h>

namespace ccteams {
namespace {

using S = ConnectorStatus;
using E = ConnectorEvent;

struct Step {
  S from;
  E event;
  std::optional<S> to;  // nullopt: refused
  Errc refusal = Errc::conflict;
};

// Every (status, event) pair: 5 x 6 = 30 rows.
const Step kSteps[] = {
    {S::not_configured, E::authorize, S::authorizing},
    {S::not_configured, E::consent_accepted, std::nullopt, Errc::not_found},
    {S::not_configured, E::deactivate, std::nullopt, Errc::not_found},
    {S::not_configured, E::reactivate, std::nullopt, Errc::not_found},
    {S::not_configured, E::remove, std::nullopt, Errc::not_found},
    {S::not_configured, E::authorization_failed, std::nullopt, Errc::not_found},

    {S::authorizing, E::authorize, S::authorizing},
    {S::authorizing, E::consent_accepted, S::active},
    {S::authorizing, E::deactivate, std::nullopt},
    {S::authorizing, E::reactivate, std::nullopt},
    {S::authorizing, E::remove, S::not_configured},
    {S::authorizing, E::authorization_failed, std::nullopt},

    {S::active, E::authorize, std::nullopt},
    {S::active, E::consent_accepted, std::nullopt},
    {S::active, E::deactivate, S::inactive},
    {S::active, E::reactivate, std::nullopt},
    {S::active, E::remove, std::nullopt},
    {S::active, E::authorization_failed, S::authorization_error},

    {S::inactive, E::authorize, std::nullopt},
    {S::inactive, E::consent_accepted, std::nullopt},
    {S::inactive, E::deactivate, std::nullopt},
    {S::inactive, E::reactivate, S::active},
    {S::inactive, E::remove, S::not_configured},
    {S::inactive, E::authorization_failed, S::authorization_error},

    {S::authorization_error, E::authorize, S::authorization_error},
    {S::authorization_error, E::consent_accepted, S::active},
    {S::authorization_error, E::deactivate, std::nullopt},
    {S::authorization_error, E::reactivate, std::nullopt},
    {S::authorization_error, E::remove, S::not_configured},
    {S::authorization_error, E::authorization_failed, std::nullopt},
};

class ConnectorLifecycle : public ::testing::TestWithParam<Step> {};

TEST_P(ConnectorLifecycle, AllowsOrRefusesExactlyAsDocumented) {
  const Step& s = GetParam();
  auto r = next_connector_status(s.from, s.event);
  const std::string what = std::string(connector_status_name(s.from)) + " --" +
                           std::string(connector_event_name(s.event)) + "-->";
  if (s.to) {
    ASSERT_TRUE(r) << what << " refused: " << r.error().message;
    EXPECT_EQ(*r, *s.to) << what;
  } else {
    ASSERT_FALSE(r) << what << " allowed: " << connector_status_name(*r);
    EXPECT_EQ(r.error().code, s.refusal) << what;
    EXPECT_FALSE(r.error().message.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(EveryPair, ConnectorLifecycle, ::testing::ValuesIn(kSteps));

TEST(ConnectorLifecycleTable, CoversEveryStatusAndEvent) { EXPECT_EQ(std::size(kSteps), 5u * 6u); }

TEST(ConnectorLifecycleMessages, DeleteWhileActiveSaysDeactivateFirst) {
  auto r = next_connector_status(S::active, E::remove);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::conflict);
  EXPECT_NE(r.error().message.find("Deactivate"), std::string::npos) << r.error().message;
}

TEST(ConnectorStatusNames, RoundTripAndRejectUnknown) {
  for (auto s :
       {S::not_configured, S::authorizing, S::active, S::inactive, S::authorization_error}) {
    EXPECT_EQ(parse_connector_status(connector_status_name(s)), s);
  }
  EXPECT_EQ(connector_status_name(S::authorization_error), "AuthorizationError");
  EXPECT_EQ(parse_connector_status("active"), std::nullopt);  // exact spelling only
  EXPECT_EQ(parse_connector_status(""), std::nullopt);
}

}  // namespace
}  // namespace ccteams
