#include "core/presence.hpp"

#include <gtest/gtest.h>

namespace ccteams {
namespace {

TEST(PresenceParse, CaseInsensitiveWithUnknownsKept) {
  EXPECT_EQ(parse_availability("DoNotDisturb"), Availability::do_not_disturb);
  EXPECT_EQ(parse_availability("donotdisturb"), Availability::do_not_disturb);
  EXPECT_EQ(parse_activity("inACall"), Activity::in_a_call);  // the 2025 doc's spelling
  EXPECT_EQ(parse_activity("FOCUSING"), Activity::focusing);
  EXPECT_EQ(parse_activity("Focusing"), Activity::focusing);
  const Presence odd = parse_presence("Snoozing", "OnAYacht");
  EXPECT_EQ(odd.availability, Availability::other);
  EXPECT_EQ(odd.activity, Activity::other);
  EXPECT_EQ(format_availability(odd), "Snoozing");
  EXPECT_EQ(format_activity(odd), "OnAYacht");
  EXPECT_NE(odd, parse_presence("Snoozing", "Elsewhere"));
  EXPECT_FALSE(parse_known_activity("OnAYacht"));
}

TEST(PresenceParse, RoundTripsEveryDocumentedValue) {
  for (std::string_view a : {"Available", "AvailableIdle", "Away", "BeRightBack", "Busy",
                             "BusyIdle", "DoNotDisturb", "Offline", "PresenceUnknown"}) {
    EXPECT_EQ(availability_name(parse_availability(a)), a);
  }
  for (std::string_view a :
       {"Available", "Away", "BeRightBack", "Busy", "DoNotDisturb", "InACall", "InAConferenceCall",
        "Inactive", "InAMeeting", "Offline", "OffWork", "OutOfOffice", "PresenceUnknown",
        "Presenting", "UrgentInterruptionsOnly", "Focusing"}) {
    EXPECT_EQ(activity_name(parse_activity(a)), a);
  }
  EXPECT_EQ(to_string(parse_presence("busy", "inacall")), "Busy/InACall");
  EXPECT_EQ(own_session_presence(), parse_presence("Busy", "InACall"));
}

TEST(PresenceBusy, BusyBusyIdleAndDoNotDisturbSayNotNow) {
  struct Case {
    std::string_view availability;
    bool busy;
  };
  for (const Case& c : {Case{"Busy", true}, Case{"busyidle", true}, Case{"DoNotDisturb", true},
                        Case{"Available", false}, Case{"AvailableIdle", false}, Case{"Away", false},
                        Case{"BeRightBack", false}, Case{"Offline", false},
                        Case{"PresenceUnknown", false}, Case{"Focusing", false}}) {
    EXPECT_EQ(is_busy(parse_availability(c.availability)), c.busy) << c.availability;
  }
}

constexpr IdleCodeId kDnd{1}, kCall{2}, kConf{3}, kPresenting{4};

struct LookupCase {
  const char* availability;
  const char* activity;
  std::optional<IdleCodeId> want;
};

class DefaultMapping : public ::testing::TestWithParam<LookupCase> {};

TEST_P(DefaultMapping, MostSpecificRuleWins) {
  const auto mapping = default_presence_mapping({kDnd, kCall, kConf, kPresenting});
  const auto& c = GetParam();
  EXPECT_EQ(mapping.lookup(parse_presence(c.availability, c.activity)), c.want)
      << c.availability << "/" << c.activity;
}

INSTANTIATE_TEST_SUITE_P(
    Table, DefaultMapping,
    ::testing::Values(LookupCase{"DoNotDisturb", "DoNotDisturb", kDnd},
                      LookupCase{"DoNotDisturb", "Presenting", kPresenting},
                      LookupCase{"DoNotDisturb", "Focusing", kDnd},
                      LookupCase{"DoNotDisturb", "UrgentInterruptionsOnly", kDnd},
                      LookupCase{"DoNotDisturb", "SomethingNew", kDnd},
                      LookupCase{"Busy", "InACall", kCall},
                      LookupCase{"Busy", "InAConferenceCall", kConf},
                      LookupCase{"Busy", "Busy", std::nullopt},
                      LookupCase{"Busy", "InAMeeting", std::nullopt},
                      LookupCase{"Available", "Available", std::nullopt},
                      LookupCase{"Away", "Away", std::nullopt},
                      LookupCase{"Offline", "OffWork", std::nullopt},
                      LookupCase{"Mystery", "InACall", std::nullopt}));

TEST(PresenceMapping, SpecificRuleBeatsEarlierGeneralRule) {
  // The availability-only rule comes first, yet the exact rule wins.
  PresenceMapping m({{Availability::busy, std::nullopt, kDnd},
                     {Availability::busy, Activity::in_a_call, kCall}});
  EXPECT_EQ(m.lookup(make_presence(Availability::busy, Activity::in_a_call)), kCall);
  EXPECT_EQ(m.lookup(make_presence(Availability::busy, Activity::in_a_meeting)), kDnd);
  EXPECT_TRUE(m.validate());
}

TEST(PresenceMapping, ValidationRefusesDuplicatesAndUnknowns) {
  PresenceMapping dup({{Availability::busy, Activity::in_a_call, kCall},
                       {Availability::busy, Activity::in_a_call, kConf}});
  auto r = dup.validate();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  EXPECT_NE(r.error().message.find("presenceMapping[1] repeats presenceMapping[0]"),
            std::string::npos);
  PresenceMapping unknown({{Availability::other, std::nullopt, kCall}});
  EXPECT_FALSE(unknown.validate());
  EXPECT_TRUE(default_presence_mapping({kDnd, kCall, kConf, kPresenting}).validate());
  EXPECT_FALSE(PresenceMapping{}.lookup(make_presence(Availability::busy, Activity::in_a_call)));
}

struct SeqCase {
  const char* last;
  const char* incoming;
  SequenceVerdict want;
};
class Sequence : public ::testing::TestWithParam<SeqCase> {};
TEST_P(Sequence, Table) {
  EXPECT_EQ(compare_sequence(GetParam().last, GetParam().incoming), GetParam().want)
      << GetParam().last << " vs " << GetParam().incoming;
}
INSTANTIATE_TEST_SUITE_P(
    Table, Sequence,
    ::testing::Values(SeqCase{"A0129311063", "A0129311064", SequenceVerdict::apply},
                      SeqCase{"A0129311064", "A0129311063", SequenceVerdict::stale},
                      SeqCase{"A0129311063", "A0129311063", SequenceVerdict::duplicate},
                      SeqCase{"", "A0129311063", SequenceVerdict::apply},
                      SeqCase{"A0129311063", "", SequenceVerdict::apply},
                      SeqCase{"", "", SequenceVerdict::apply},
                      SeqCase{"A9", "B0", SequenceVerdict::apply}));

}  // namespace
}  // namespace ccteams
