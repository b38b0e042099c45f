// DirectoryIndex: the mirror's contents (upsert, remove, disabled users, phones) and the query
// contract (limits, filters, feature gate). Ranking and paging: directory_search_test.cpp.

#include "core/directory.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/directory_test_support.hpp"

namespace ccteams {
namespace {

using directory_test::ids_of;
using directory_test::query;
using directory_test::teams_user;

struct PhoneCase {
  std::vector<std::string> phones;
  const char* default_cc;
  Dialability want;
  const char* number;
};
void PrintTo(const PhoneCase& c, std::ostream* os) {
  *os << c.phones.size() << " phones, cc=" << c.default_cc;
}

class DirectoryPhone : public ::testing::TestWithParam<PhoneCase> {};

TEST_P(DirectoryPhone, NormalisedOnceAtInsert) {
  const PhoneCase& c = GetParam();
  DirectoryIndex index(DirectoryOptions{true, c.default_cc});
  TeamsUser u = teams_user("u1", "Anna Smith");
  u.business_phones = c.phones;
  ASSERT_TRUE(index.upsert(u));
  const DirectoryUser* got = index.find("u1");
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got->dialability, c.want) << dialability_name(got->dialability);
  EXPECT_EQ(got->phone, c.number);
  EXPECT_EQ(got->user.business_phones, c.phones);  // the raw values stay as Graph sent them
  EXPECT_EQ(not_dialable_reason(got->dialability).empty(), c.want == Dialability::dialable);
  // The same through search: the hit carries the stored normalisation.
  auto page = index.search(query("anna"));
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].user.phone, c.number);
}

INSTANTIATE_TEST_SUITE_P(
    Table, DirectoryPhone,
    ::testing::Values(
        PhoneCase{{"+1 (425) 555-0100"}, "", Dialability::dialable, "+14255550100"},
        PhoneCase{{}, "", Dialability::missing, ""},
        PhoneCase{{"", "   "}, "", Dialability::missing, ""},
        PhoneCase{{"ext. 1234"}, "", Dialability::not_e164, ""},
        PhoneCase{{"(425) 555-0100"}, "", Dialability::not_e164, ""},
        PhoneCase{{"", "4711", "+44 20 7946 0958"}, "", Dialability::dialable, "+442079460958"},
        PhoneCase{{"+49 30 123456", "+1 425 555 0100"}, "", Dialability::dialable, "+4930123456"},
        PhoneCase{{"020 7946 0958"}, "44", Dialability::dialable, "+442079460958"}));

TEST(DirectoryPhoneReason, MachineCodesAndHumanText) {
  EXPECT_EQ(dialability_name(Dialability::missing), "missing");
  EXPECT_EQ(dialability_name(Dialability::not_e164), "not_e164");
  EXPECT_NE(not_dialable_reason(Dialability::missing).find("no business phone"), std::string::npos);
  EXPECT_NE(not_dialable_reason(Dialability::not_e164).find("E.164"), std::string::npos);
}

TEST(DirectoryIndex, UpsertReplacesTokensDepartmentAndTitle) {
  DirectoryIndex index;
  ASSERT_TRUE(index.upsert(teams_user("u1", "Anna Smith", "Billing", "Analyst")));
  ASSERT_TRUE(index.upsert(teams_user("u2", "Bob Stone", "Sales", "Manager")));
  EXPECT_EQ(ids_of(index, query("smith")), (std::vector<std::string>{"u1"}));

  TeamsUser renamed = teams_user("u1", "Anna Jones", "Legal", "Counsel");
  renamed.mail = "anna.jones@contoso.com";
  ASSERT_TRUE(index.upsert(renamed));
  EXPECT_EQ(index.size(), 2u);
  EXPECT_TRUE(ids_of(index, query("smith")).empty());  // the old name is gone
  EXPECT_EQ(ids_of(index, query("jones")), (std::vector<std::string>{"u1"}));
  EXPECT_TRUE(ids_of(index, query("billing")).empty());
  EXPECT_TRUE(ids_of(index, query("", "Billing")).empty());
  EXPECT_TRUE(ids_of(index, query("", "", "Analyst")).empty());
  EXPECT_EQ(ids_of(index, query("", "legal", "counsel")), (std::vector<std::string>{"u1"}));
  EXPECT_EQ(index.find("u1")->user.display_name, "Anna Jones");
}

TEST(DirectoryIndex, RemoveForgetsTheUserAndItsSlotIsReused) {
  DirectoryIndex index;
  ASSERT_TRUE(index.upsert(teams_user("u1", "Anna Smith", "Billing")));
  ASSERT_TRUE(index.upsert(teams_user("u2", "Anna Stone", "Billing")));
  EXPECT_TRUE(index.remove("u1"));
  EXPECT_FALSE(index.remove("u1"));
  EXPECT_FALSE(index.remove("nobody"));
  EXPECT_EQ(index.size(), 1u);
  EXPECT_EQ(index.find("u1"), nullptr);
  EXPECT_EQ(ids_of(index, query("anna")), (std::vector<std::string>{"u2"}));
  EXPECT_EQ(ids_of(index, query("", "billing")), (std::vector<std::string>{"u2"}));
  ASSERT_TRUE(index.upsert(teams_user("u3", "Carl Smith", "Billing")));  // takes u1's slot
  EXPECT_EQ(ids_of(index, query("smith")), (std::vector<std::string>{"u3"}));
  EXPECT_EQ(ids_of(index, query("", "billing")), (std::vector<std::string>{"u2", "u3"}));
  index.clear();
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.distinct_token_count(), 0u);
  EXPECT_TRUE(ids_of(index, query("anna")).empty());
}

TEST(DirectoryIndex, RepeatedRenamesKeepOnlyTheCurrentText) {
  // Every rename leaves the old text as garbage in the index's text arena, and passing half of
  // it compacts the arena; users must keep their own current text through all of that.
  DirectoryIndex index;
  constexpr int kUsers = 300;
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < kUsers; ++i) {
      const std::string n = std::to_string(i);
      ASSERT_TRUE(index.upsert(teams_user("u" + n, "Person" + std::to_string(round) + " Family" + n,
                                          "Dept" + std::to_string(round))));
    }
    if (round == 1) {
      for (int i = 0; i < kUsers; i += 2) ASSERT_TRUE(index.remove("u" + std::to_string(i)));
    }
  }
  EXPECT_EQ(index.size(), static_cast<std::size_t>(kUsers));
  EXPECT_TRUE(ids_of(index, query("person0")).empty());
  EXPECT_TRUE(ids_of(index, query("person2")).empty());
  EXPECT_TRUE(ids_of(index, query("", "dept2")).empty());
  auto page = index.search(query("person3", "dept3"));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, static_cast<std::size_t>(kUsers));
  EXPECT_EQ(ids_of(index, query("family7")),  // family7 and family70..79, by name
            (std::vector<std::string>{"u7", "u70", "u71", "u72", "u73", "u74", "u75", "u76", "u77",
                                      "u78", "u79"}));
  EXPECT_EQ(ids_of(index, query("person3 family123")), (std::vector<std::string>{"u123"}));
  EXPECT_EQ(index.find("u123")->user.display_name, "Person3 Family123");
}

TEST(DirectoryIndex, AMovedIndexKeepsWorking) {
  DirectoryIndex index;
  ASSERT_TRUE(index.upsert(teams_user("u1", "Anna Smith", "Billing", "Analyst")));
  ASSERT_TRUE(index.upsert(teams_user("u2", "Anna Stone", "Sales", "Analyst")));
  DirectoryIndex moved = std::move(index);
  EXPECT_EQ(ids_of(moved, query("anna", "billing")), (std::vector<std::string>{"u1"}));
  EXPECT_EQ(ids_of(moved, query("", "", "analyst")), (std::vector<std::string>{"u1", "u2"}));
  DirectoryIndex assigned;
  assigned = std::move(moved);
  ASSERT_TRUE(assigned.upsert(teams_user("u3", "Anna Stark", "Billing")));
  EXPECT_TRUE(assigned.remove("u1"));
  EXPECT_EQ(ids_of(assigned, query("ann", "billing")), (std::vector<std::string>{"u3"}));
  EXPECT_EQ(ids_of(assigned, query("st")), (std::vector<std::string>{"u3", "u2"}));
}

TEST(DirectoryIndex, DisabledAccountsNeverAppear) {
  DirectoryIndex index;
  TeamsUser off = teams_user("u1", "Anna Smith", "Billing");
  off.account_enabled = false;
  ASSERT_TRUE(index.upsert(off));
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.find("u1"), nullptr);
  EXPECT_TRUE(ids_of(index, query("anna")).empty());

  ASSERT_TRUE(index.upsert(teams_user("u2", "Anna Stone", "Billing")));
  EXPECT_EQ(ids_of(index, query("anna")), (std::vector<std::string>{"u2"}));
  TeamsUser now_off = teams_user("u2", "Anna Stone", "Billing");
  now_off.account_enabled = false;  // the delta query reports the account disabled
  ASSERT_TRUE(index.upsert(now_off));
  EXPECT_EQ(index.size(), 0u);
  EXPECT_TRUE(ids_of(index, query("anna")).empty());
  EXPECT_TRUE(ids_of(index, query("", "billing")).empty());
  EXPECT_EQ(index.distinct_token_count(), 0u);
}

TEST(DirectoryIndex, RejectsBadIdsAndLeavesTheIndexUnchanged) {
  DirectoryIndex index;
  auto r = index.upsert(teams_user("", "No Id"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  EXPECT_FALSE(index.upsert(teams_user(std::string(kDirectoryMaxIdBytes + 1, 'x'), "Long Id")));
  EXPECT_TRUE(index.upsert(teams_user(std::string(kDirectoryMaxIdBytes, 'x'), "Long Id")));
  EXPECT_EQ(index.size(), 1u);
}

TEST(DirectoryIndex, VersionMovesOnlyOnRealChanges) {
  DirectoryIndex index;
  const auto v0 = index.version();
  ASSERT_TRUE(index.upsert(teams_user("u1", "Anna Smith")));
  const auto v1 = index.version();
  EXPECT_GT(v1, v0);
  ASSERT_TRUE(index.upsert(teams_user("u1", "Anna Smith")));  // a delta resending it unchanged
  EXPECT_EQ(index.version(), v1);
  EXPECT_FALSE(index.remove("u9"));
  EXPECT_EQ(index.version(), v1);
  EXPECT_TRUE(index.remove("u1"));
  EXPECT_GT(index.version(), v1);
}

TEST(DirectoryIndex, MailLocalPartAndUpnAreSearchable) {
  DirectoryIndex index;
  TeamsUser a = teams_user("u1", "A. Schmidt");
  a.mail = "anna.lena_schmidt@contoso.com";
  TeamsUser b = teams_user("u2", "Service Desk");
  b.mail.clear();
  b.user_principal_name = "helpdesk-emea@contoso.onmicrosoft.com";
  ASSERT_TRUE(index.upsert(a));
  ASSERT_TRUE(index.upsert(b));
  EXPECT_EQ(ids_of(index, query("lena")), (std::vector<std::string>{"u1"}));
  EXPECT_EQ(ids_of(index, query("anna.lena@contoso.com")), (std::vector<std::string>{"u1"}));
  EXPECT_EQ(ids_of(index, query("helpdesk")), (std::vector<std::string>{"u2"}));
  EXPECT_TRUE(ids_of(index, query("contoso")).empty());  // the shared domain is not indexed
}

struct InvalidCase {
  const char* name;
  DirectoryQuery query;
};
void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.name; }

class DirectoryInvalidQuery : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(DirectoryInvalidQuery, IsRefusedAsInvalidInput) {
  DirectoryIndex index;
  ASSERT_TRUE(index.upsert(teams_user("u1", "Anna Smith", "Billing")));
  auto r = index.search(GetParam().query);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);
  EXPECT_FALSE(r.error().message.empty());
}

DirectoryQuery with_limit(std::size_t limit) {
  DirectoryQuery q = query("anna");
  q.limit = limit;
  return q;
}
DirectoryQuery with_cursor(std::string cursor) {
  DirectoryQuery q = query("anna");
  q.cursor = std::move(cursor);
  return q;
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Table, DirectoryInvalidQuery,
    ::testing::Values(
        InvalidCase{"empty", query("")},
        InvalidCase{"only_spaces", query("    ")},
        InvalidCase{"only_punctuation", query(" !!! -- ")},
        InvalidCase{"only_a_mail_domain", query("@contoso.com")},
        InvalidCase{"201_chars", query(std::string(201, 'a'))},
        InvalidCase{"201_code_points", query(std::string(100, 'a') + [] {
                      std::string s;
                      for (int i = 0; i < 101; ++i) s += "\xC3\xA9";  // é
                      return s;
                    }())},
        InvalidCase{"11_words", query("a b c d e f g h i j k")},
        InvalidCase{"limit_0", with_limit(0)},
        InvalidCase{"limit_101", with_limit(kDirectoryMaxLimit + 1)},
        InvalidCase{"filter_without_letters", query("anna", "--")},
        InvalidCase{"long_filter", query("", std::string(201, 'b'))},
        InvalidCase{"cursor_not_hex", with_cursor("zz")},
        InvalidCase{"cursor_odd", with_cursor("abc")},
        InvalidCase{"cursor_garbage", with_cursor("6869")},
        InvalidCase{"cursor_too_long", with_cursor(std::string(5000, 'a'))}),
    [](const auto& param_info) { return std::string(param_info.param.name); });
// clang-format on

TEST(DirectoryIndex, QueryAtTheLimitsIsAccepted) {
  DirectoryIndex index;
  ASSERT_TRUE(index.upsert(teams_user("u1", "Anna Smith", "Billing")));
  EXPECT_TRUE(index.search(query(std::string(200, 'a'))));
  EXPECT_TRUE(index.search(query("a b c d e f g h i j")));  // 10 words
  EXPECT_EQ(ids_of(index, query("an sm an sm an sm an sm an sm")),
            (std::vector<std::string>{"u1"}));
  EXPECT_TRUE(index.search(with_limit(kDirectoryMaxLimit)));
  EXPECT_TRUE(index.search(with_limit(1)));
}

}  // namespace
}  // namespace ccteams
