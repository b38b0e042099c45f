#include "core/desktop_profile.hpp"

#include <gtest/gtest.h>

#include "core/idle_code.hpp"

namespace ccteams {
namespace {

constexpr OrgId kOrg{1};

struct NameCase {
  std::string name;
  bool valid;
};
class DisplayNames : public ::testing::TestWithParam<NameCase> {};
TEST_P(DisplayNames, VendorRule) {
  auto r = validate_display_name(GetParam().name);
  EXPECT_EQ(r.has_value(), GetParam().valid) << GetParam().name;
  if (!r) {
    EXPECT_EQ(r.error().code, Errc::invalid_input);
    EXPECT_EQ(r.error().message.rfind("name ", 0), 0u) << "the message names the field";
  }
}
INSTANTIATE_TEST_SUITE_P(
    Table, DisplayNames,
    ::testing::Values(NameCase{"Lunch", true}, NameCase{"In a call (Teams)", true},
                      NameCase{"Break/Coffee - 15.min_x", true}, NameCase{"", false},
                      NameCase{"   ", false}, NameCase{"Lunch!", false}, NameCase{"Déjeuner", false},
                      NameCase{"a;b", false}, NameCase{std::string(80, 'x'), true},
                      NameCase{std::string(81, 'x'), false}));

TEST(IdleCodes, RonaIsASystemCodeThatCannotBeChangedOrDeleted) {
  const IdleCode rona = make_rona_idle_code(IdleCodeId{9}, kOrg);
  EXPECT_EQ(rona.name, "RONA");
  EXPECT_TRUE(rona.system);
  IdleCode renamed = rona;
  renamed.name = "Missed";
  auto r = check_idle_code_update(rona, renamed);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::conflict);
  EXPECT_TRUE(check_idle_code_update(rona, rona));
  auto d = check_idle_code_deletable(rona);
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Errc::conflict);
  EXPECT_NE(d.error().message.find("system code"), std::string::npos);
}

TEST(IdleCodes, OrdinaryCodesInUseCannotBeDeleted) {
  const IdleCode lunch{IdleCodeId{3}, kOrg, "Lunch", false, true};
  EXPECT_TRUE(check_idle_code_deletable(lunch));
  auto r = check_idle_code_deletable(lunch, "the presence mapping");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::conflict);
  EXPECT_EQ(r.error().message, "idle code Lunch is used by the presence mapping; change that first");
  IdleCode made_system = lunch;
  made_system.system = true;
  EXPECT_FALSE(check_idle_code_update(lunch, made_system));
  IdleCode renamed = lunch;
  renamed.name = "Lunch break";
  EXPECT_TRUE(check_idle_code_update(lunch, renamed));
}

DesktopProfile profile() {
  DesktopProfile p;
  p.id = DesktopProfileId{1};
  p.org = kOrg;
  p.name = "Sales";
  p.microsoft_teams = true;
  return p;
}

struct ProfileCase {
  const char* name;
  void (*edit)(DesktopProfile&);
  const char* field;  // nullptr: valid
};
class Profiles : public ::testing::TestWithParam<ProfileCase> {};
TEST_P(Profiles, Validation) {
  DesktopProfile p = profile();
  GetParam().edit(p);
  auto r = validate_desktop_profile(p);
  if (GetParam().field == nullptr) {
    EXPECT_TRUE(r) << r.error().message;
  } else {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_input);
    EXPECT_NE(r.error().message.find(GetParam().field), std::string::npos) << r.error().message;
  }
}
INSTANTIATE_TEST_SUITE_P(
    Table, Profiles,
    ::testing::Values(
        ProfileCase{"Defaults", [](DesktopProfile&) {}, nullptr},
        ProfileCase{"BothApps", [](DesktopProfile& p) { p.webex_app = true; }, "webexApp"},
        ProfileCase{"WebexOnly",
                    [](DesktopProfile& p) {
                      p.microsoft_teams = false;
                      p.webex_app = true;
                    },
                    nullptr},
        ProfileCase{"NoApp", [](DesktopProfile& p) { p.microsoft_teams = false; }, nullptr},
        ProfileCase{"RonaMin", [](DesktopProfile& p) { p.rona_timeout_seconds = 5; }, nullptr},
        ProfileCase{"RonaMax", [](DesktopProfile& p) { p.rona_timeout_seconds = 300; }, nullptr},
        ProfileCase{"RonaLow", [](DesktopProfile& p) { p.rona_timeout_seconds = 4; },
                    "ronaTimeoutSeconds"},
        ProfileCase{"RonaHigh", [](DesktopProfile& p) { p.rona_timeout_seconds = 301; },
                    "ronaTimeoutSeconds"},
        ProfileCase{"WrapUpMax", [](DesktopProfile& p) { p.wrap_up_seconds = 900; }, nullptr},
        ProfileCase{"WrapUpHigh", [](DesktopProfile& p) { p.wrap_up_seconds = 901; },
                    "wrapUpSeconds"},
        ProfileCase{"WrapUpNegative", [](DesktopProfile& p) { p.wrap_up_seconds = -1; },
                    "wrapUpSeconds"},
        ProfileCase{"BadName", [](DesktopProfile& p) { p.name = "Sales<script>"; }, "name"},
        ProfileCase{"RepeatedCode",
                    [](DesktopProfile& p) {
                      p.allowed_idle_codes = {IdleCodeId{3}, IdleCodeId{4}, IdleCodeId{3}};
                    },
                    "allowedIdleCodeIds"}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(Profiles, ManualIdleCodeChoice) {
  DesktopProfile p = profile();
  const IdleCode lunch{IdleCodeId{3}, kOrg, "Lunch", false, true};
  const IdleCode meeting{IdleCodeId{4}, kOrg, "Meeting", false, true};
  EXPECT_TRUE(check_manual_idle_code(lunch, p));  // empty list: all codes
  p.allowed_idle_codes = {IdleCodeId{4}};
  auto r = check_manual_idle_code(lunch, p);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  EXPECT_TRUE(check_manual_idle_code(meeting, p));
  p.allowed_idle_codes.clear();
  auto rona = check_manual_idle_code(make_rona_idle_code(IdleCodeId{9}, kOrg), p);
  ASSERT_FALSE(rona);
  EXPECT_NE(rona.error().message.find("cannot be chosen"), std::string::npos);
  IdleCode inactive = lunch;
  inactive.active = false;
  EXPECT_FALSE(check_manual_idle_code(inactive, p));
  IdleCode foreign = lunch;
  foreign.org = OrgId{2};
  auto f = check_manual_idle_code(foreign, p);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::not_found);
}

}  // namespace
}  // namespace ccteams
