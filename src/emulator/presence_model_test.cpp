#include "emulator/presence_model.hpp"

#include <gtest/gtest.h>

namespace ccteams::emulator {
namespace {

using namespace std::chrono_literals;
const Timestamp kT0 = from_unix_millis(1'800'000'000'000);
constexpr std::string_view kApp = "11111111-2222-4333-8444-555555555555";
constexpr std::string_view kUser = "u1";

PresencePair pp(std::string a, std::string b) { return {std::move(a), std::move(b)}; }

TEST(PresenceModel, NoSessionIsOfflineOffline) {
  PresenceModel m;
  EXPECT_EQ(m.presence(kUser, kT0).state, pp("Offline", "Offline"));
}

TEST(PresenceModel, OnlyTheFiveV1PairsAreSettable) {
  PresenceModel m;
  for (auto p : {pp("Available", "Available"), pp("Busy", "InACall"),
                 pp("Busy", "InAConferenceCall"), pp("Away", "Away"),
                 pp("DoNotDisturb", "Presenting")}) {
    EXPECT_TRUE(m.set_presence(kUser, kApp, p, std::nullopt, kT0)) << p.availability;
  }
  // The sixth pair (in the beta table only) is refused with 400.
  auto r = m.set_presence(kUser, kApp, pp("DoNotDisturb", "DoNotDisturb"), std::nullopt, kT0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 400);
  EXPECT_FALSE(m.set_presence(kUser, kApp, pp("Busy", "InAMeeting"), std::nullopt, kT0));
  PresenceModel beta(true);
  EXPECT_TRUE(beta.set_presence(kUser, kApp, pp("Busy", "Busy"), std::nullopt, kT0));
}

TEST(PresenceModel, ExpirationDurationMustBeBetweenFiveMinutesAndFourHours) {
  PresenceModel m;
  const auto busy = pp("Busy", "InACall");
  EXPECT_FALSE(m.set_presence(kUser, kApp, busy, "PT4M", kT0));
  EXPECT_FALSE(m.set_presence(kUser, kApp, busy, "PT4H1M", kT0));
  EXPECT_FALSE(m.set_presence(kUser, kApp, busy, "five minutes", kT0));
  EXPECT_TRUE(m.set_presence(kUser, kApp, busy, "PT5M", kT0));
  EXPECT_TRUE(m.set_presence(kUser, kApp, busy, "PT4H", kT0));
  EXPECT_EQ(parse_iso8601_duration("PT1H30M"), std::chrono::seconds(5400));
  EXPECT_EQ(parse_iso8601_duration("P1D"), std::chrono::seconds(86400));
  EXPECT_EQ(parse_iso8601_duration("P1M"), std::nullopt);
  EXPECT_EQ(parse_iso8601_duration("PT"), std::nullopt);
}

TEST(PresenceModel, SessionExpiresToOffline) {
  PresenceModel m;
  ASSERT_TRUE(m.set_presence(kUser, kApp, pp("Busy", "InACall"), "PT10M", kT0));
  EXPECT_EQ(m.presence(kUser, kT0 + 9min).state, pp("Busy", "InACall"));
  EXPECT_EQ(m.presence(kUser, kT0 + 10min).state, pp("Offline", "Offline"));
  // The expired session is gone: clearing it is a 404 like any unknown session.
  auto r = m.clear_presence(kUser, kApp, kT0 + 11min);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 404);
}

TEST(PresenceModel, ClearPresenceOfUnknownSessionIs404AndOfLastSessionIsOffline) {
  PresenceModel m;
  auto r = m.clear_presence(kUser, kApp, kT0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 404);
  EXPECT_EQ(r.error().code, "itemNotFound");
  ASSERT_TRUE(m.set_presence(kUser, kApp, pp("Busy", "InACall"), std::nullopt, kT0));
  ASSERT_TRUE(m.clear_presence(kUser, kApp, kT0 + 1s));
  EXPECT_EQ(m.presence(kUser, kT0 + 1s).state, pp("Offline", "Offline"));
}

TEST(PresenceModel, StrongestSessionWinsDndOverBusyOverAvailableOverAway) {
  PresenceModel m;
  m.set_client_state(kUser, pp("Away", "Away"), kT0);
  EXPECT_EQ(m.presence(kUser, kT0).state, pp("Away", "Away"));
  ASSERT_TRUE(m.set_presence(kUser, kApp, pp("Available", "Available"), "PT1H", kT0));
  EXPECT_EQ(m.presence(kUser, kT0).state, pp("Available", "Available"));
  ASSERT_TRUE(m.set_presence(kUser, kApp, pp("Busy", "InACall"), "PT1H", kT0));
  EXPECT_EQ(m.presence(kUser, kT0).state, pp("Busy", "InACall"));
  m.set_client_state(kUser, pp("DoNotDisturb", "Presenting"), kT0 + 1s);
  EXPECT_EQ(m.presence(kUser, kT0 + 1s).state, pp("DoNotDisturb", "Presenting"));
  // Clearing our app session leaves the client's state.
  ASSERT_TRUE(m.clear_presence(kUser, kApp, kT0 + 2s));
  EXPECT_EQ(m.presence(kUser, kT0 + 2s).state, pp("DoNotDisturb", "Presenting"));
}

TEST(PresenceModel, PreferredPresenceWinsButOnlyWhileASessionExists) {
  PresenceModel m;
  ASSERT_TRUE(m.set_preferred(kUser, pp("DoNotDisturb", "DoNotDisturb"), std::nullopt, kT0));
  EXPECT_EQ(m.presence(kUser, kT0).state, pp("Offline", "Offline"));
  m.set_client_state(kUser, pp("Available", "Available"), kT0);
  ASSERT_TRUE(m.set_presence(kUser, kApp, pp("Busy", "InACall"), std::nullopt, kT0));
  EXPECT_EQ(m.presence(kUser, kT0).state, pp("DoNotDisturb", "DoNotDisturb"));
  // Default expiry for DoNotDisturb is one day.
  EXPECT_EQ(m.presence(kUser, kT0 + 24h).state, pp("Available", "Available"));
  EXPECT_FALSE(m.set_preferred(kUser, pp("Busy", "InACall"), std::nullopt, kT0));
  ASSERT_TRUE(m.set_preferred(kUser, pp("Offline", "OffWork"), "PT1H", kT0 + 24h));
  EXPECT_EQ(m.presence(kUser, kT0 + 24h).state, pp("Offline", "OffWork"));
  m.clear_preferred(kUser, kT0 + 24h);
  EXPECT_EQ(m.presence(kUser, kT0 + 24h).state, pp("Available", "Available"));
}

TEST(PresenceModel, AvailableAppSessionFadesToInactiveThenAway) {
  PresenceModel m;
  ASSERT_TRUE(m.set_presence(kUser, kApp, pp("Available", "Available"), "PT1H", kT0));
  EXPECT_EQ(m.presence(kUser, kT0 + 4min).state, pp("Available", "Available"));
  EXPECT_EQ(m.presence(kUser, kT0 + 5min).state, pp("Available", "Inactive"));
  EXPECT_EQ(m.presence(kUser, kT0 + 10min).state, pp("Away", "Away"));
  // Calling setPresence again holds the state.
  ASSERT_TRUE(m.set_presence(kUser, kApp, pp("Available", "Available"), "PT1H", kT0 + 11min));
  EXPECT_EQ(m.presence(kUser, kT0 + 15min).state, pp("Available", "Available"));
}

TEST(PresenceModel, SequenceNumbersIncreaseOnChangeAndSortLexicographically) {
  PresenceModel m;
  std::vector<PresenceView> seen;
  m.add_listener([&](const PresenceView& v) { seen.push_back(v); });
  const auto s0 = m.presence(kUser, kT0).sequence_number;
  ASSERT_TRUE(m.set_presence(kUser, kApp, pp("Busy", "InACall"), std::nullopt, kT0));
  const auto s1 = m.presence(kUser, kT0).sequence_number;
  // A refresh to the same pair is not a change.
  ASSERT_TRUE(m.set_presence(kUser, kApp, pp("busy", "inacall"), std::nullopt, kT0 + 1s));
  EXPECT_EQ(m.presence(kUser, kT0 + 1s).sequence_number, s1);
  m.tick(kT0 + 10min);  // expiry without any call is a change too
  const auto s2 = m.presence(kUser, kT0 + 10min).sequence_number;
  EXPECT_LT(s0, s1);
  EXPECT_LT(s1, s2);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].state, pp("Busy", "InACall"));
  EXPECT_EQ(seen[1].state, pp("Offline", "Offline"));
  EXPECT_EQ(seen[1].sequence_number, s2);
}

TEST(PresenceModel, ClientOfflineSignsTheClientOut) {
  PresenceModel m;
  m.set_client_state(kUser, pp("Busy", "InAMeeting"), kT0);
  EXPECT_EQ(m.client_state(kUser), pp("Busy", "InAMeeting"));
  m.set_client_state(kUser, pp("Offline", "Offline"), kT0);
  EXPECT_EQ(m.client_state(kUser), std::nullopt);
  EXPECT_EQ(m.presence(kUser, kT0).state, pp("Offline", "Offline"));
}

}  // namespace
}  // namespace ccteams::emulator
