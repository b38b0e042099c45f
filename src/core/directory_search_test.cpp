// DirectoryIndex::search: matching (AND, prefix, infix, accents), ranking, filters, the
// showUserDetails gate and keyset paging.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "core/directory.hpp"
#include "core/directory_test_support.hpp"

namespace ccteams {
namespace {

using directory_test::ids_of;
using directory_test::query;
using directory_test::teams_user;
using Ids = std::vector<std::string>;

TEST(DirectorySearch, RankingPutsTheObviousHitFirst) {
  DirectoryIndex index;
  TeamsUser by_mail = teams_user("mail", "Ann Miller");
  by_mail.mail = "ann.leet@contoso.com";
  const std::vector<TeamsUser> users = {
      teams_user("infix", "Joann Kleef"),                // both words inside tokens
      teams_user("dept", "Ann Carter", "Leeds Office"),  // "lee" only in the department
      teams_user("field", "Zed Zulu", "Ann Lee"),        // the department is the query
      by_mail,                                           // "lee" only in the mail
      teams_user("tokens", "Leeroy Annand"),             // each word a name-token prefix
      teams_user("prefix", "Ann Leeds"),                 // the full name starts with the query
      teams_user("exact", "Ann Lee"),
      teams_user("none", "Ann Smith"),  // "lee" nowhere: AND excludes her
  };
  for (const TeamsUser& u : users) ASSERT_TRUE(index.upsert(u));

  auto page = index.search(query("ann lee"));
  ASSERT_TRUE(page);
  struct Want {
    const char* id;
    DirectoryMatch match;
  };
  const std::vector<Want> want = {
      {"exact", DirectoryMatch::exact_name},
      {"prefix", DirectoryMatch::name_prefix},
      {"tokens", DirectoryMatch::name_token_prefix},
      {"field", DirectoryMatch::exact_field},  // before "Ann Carter": the better match wins
      {"dept", DirectoryMatch::other_prefix},  // "ann carter" < "ann miller"
      {"mail", DirectoryMatch::other_prefix},
      {"infix", DirectoryMatch::infix},
  };
  ASSERT_EQ(page->items.size(), want.size());
  EXPECT_EQ(page->total, want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(page->items[i].user.user.id, want[i].id) << i;
    EXPECT_EQ(page->items[i].match, want[i].match)
        << i << " " << directory_match_name(page->items[i].match);
  }
}

TEST(DirectorySearch, ADepartmentNamedByTheQueryComesBeforeTitlesStartingWithIt) {
  DirectoryIndex index;
  ASSERT_TRUE(index.upsert(teams_user("spec", "Abe Adams", "Sales", "Billing Specialist")));
  ASSERT_TRUE(index.upsert(teams_user("ops", "Abe Baker", "Billing Operations", "Clerk")));
  ASSERT_TRUE(index.upsert(teams_user("dept", "Zoe Young", "Billing", "Clerk")));
  ASSERT_TRUE(index.upsert(teams_user("lead", "Yan Xu", "Support", "Billing")));
  ASSERT_TRUE(index.upsert(teams_user("name", "Tom Billingham", "Sales", "Clerk")));
  // Names first (the brief's order), then the exact department/title, then the other prefixes.
  EXPECT_EQ(ids_of(index, query("BILLING")), (Ids{"name", "lead", "dept", "spec", "ops"}));
  index.set_show_user_details(false);
  EXPECT_EQ(ids_of(index, query("billing")), (Ids{"name"}));
}

TEST(DirectorySearch, ExactNameAlsoMatchesGivenNameThenSurname) {
  DirectoryIndex index;
  TeamsUser formal = teams_user("formal", "Dr. Maria Garcia");
  formal.given_name = "María";
  formal.surname = "García";
  ASSERT_TRUE(index.upsert(formal));
  ASSERT_TRUE(index.upsert(teams_user("other", "Maria Garcia-Lopez")));
  auto page = index.search(query("maria garcia"));
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].user.user.id, "formal");
  EXPECT_EQ(page->items[0].match, DirectoryMatch::exact_name);
  EXPECT_EQ(page->items[1].match, DirectoryMatch::name_prefix);
}

TEST(DirectorySearch, TiesAreOrderedByFoldedDisplayNameThenId) {
  DirectoryIndex index;
  for (const char* id : {"c", "a", "d", "b"}) {
    const bool accented = std::string(id) == "d";
    ASSERT_TRUE(index.upsert(teams_user(id, accented ? "María García" : "Maria Garcia")));
  }
  ASSERT_TRUE(index.upsert(teams_user("z", "Maria Abbott")));
  ASSERT_TRUE(index.upsert(teams_user("y", "Maria Zimmer")));
  EXPECT_EQ(ids_of(index, query("maria")), (Ids{"z", "a", "b", "c", "d", "y"}));
  // Repeating the search gives the same order.
  EXPECT_EQ(ids_of(index, query("maria")), ids_of(index, query("MARIA")));
}

struct MatchCase {
  const char* query;
  Ids want;
};
void PrintTo(const MatchCase& c, std::ostream* os) { *os << '"' << c.query << '"'; }

class DirectoryMatchTable : public ::testing::TestWithParam<MatchCase> {
 protected:
  void SetUp() override {
    for (const TeamsUser& u : {
             teams_user("jose", "José Álvarez", "Billing", "Billing Specialist"),
             teams_user("strasse", "Lena Straße", "Legal", "Counsel"),
             teams_user("lukasz", "Łukasz Nowak", "Engineering", "Developer"),
             teams_user("soren", "Søren Kierkegaard", "Billing", "Team Lead"),
             teams_user("joann", "Joann Baker", "Sales", "Account Executive"),
             teams_user("obrien", "Conor O'Brien", "Support", "Support Engineer"),
         }) {
      ASSERT_TRUE(index_.upsert(u));
    }
  }
  DirectoryIndex index_;
};

TEST_P(DirectoryMatchTable, FindsExactlyTheseUsers) {
  Ids got = ids_of(index_, query(GetParam().query));
  std::sort(got.begin(), got.end());
  Ids want = GetParam().want;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(
    Table, DirectoryMatchTable,
    ::testing::Values(
        MatchCase{"jose", {"jose"}},
        MatchCase{"JOSÉ", {"jose"}},               // case and accent on the query side
        MatchCase{"alvarez", {"jose"}},
        MatchCase{"strasse", {"strasse"}},         // ß -> ss
        MatchCase{"STRAß", {"strasse"}},
        MatchCase{"łukasz", {"lukasz"}},
        MatchCase{"lukasz nowak", {"lukasz"}},
        MatchCase{"soren", {"soren"}},             // ø -> o
        MatchCase{"jo", {"jose", "joann"}},        // prefix
        MatchCase{"ann", {"joann"}},               // infix (3+ characters)
        MatchCase{"an", {}},                       // 2 characters: prefix only, no "joann"
        MatchCase{"kegaa", {"soren"}},             // infix in the middle of a surname
        MatchCase{"billing", {"jose", "soren"}},   // department and title
        MatchCase{"billing jo", {"jose"}},         // AND
        MatchCase{"billing lena", {}},             // AND: both must match the same user
        MatchCase{"support engineer", {"obrien"}},
        MatchCase{"obrien", {"obrien"}},           // apostrophe joins
        MatchCase{"o'brien", {"obrien"}},
        MatchCase{"brien", {"obrien"}},            // infix
        MatchCase{"engineer", {"obrien", "lukasz"}},  // "engineering" by prefix
        MatchCase{"xyz", {}},
        MatchCase{"jose xyz", {}}));
// clang-format on

TEST(DirectorySearch, FiltersAreExactAfterFolding) {
  DirectoryIndex index;
  ASSERT_TRUE(index.upsert(teams_user("b1", "Anna Smith", "Billing", "Analyst")));
  ASSERT_TRUE(index.upsert(teams_user("b2", "Bob Jones", "BILLING", "Team Lead")));
  ASSERT_TRUE(index.upsert(teams_user("b3", "Anna Ops", "Billing Operations", "Analyst")));
  ASSERT_TRUE(index.upsert(teams_user("s1", "Anna Sale", "Sales", "Analyst")));
  ASSERT_TRUE(index.upsert(teams_user("r1", "René Café", "Recherche & Développement", "Chef")));

  EXPECT_EQ(ids_of(index, query("", "billing")), (Ids{"b1", "b2"}));  // not "Billing Operations"
  EXPECT_EQ(ids_of(index, query("anna", " Billing ")), (Ids{"b1"}));
  EXPECT_EQ(ids_of(index, query("", "", "analyst")), (Ids{"b3", "s1", "b1"}));
  EXPECT_EQ(ids_of(index, query("", "billing", "analyst")), (Ids{"b1"}));
  EXPECT_EQ(ids_of(index, query("", "recherche developpement")), (Ids{"r1"}));
  EXPECT_TRUE(ids_of(index, query("", "Marketing")).empty());
  EXPECT_TRUE(ids_of(index, query("bob", "Sales")).empty());

  auto page = index.search(query("", "billing"));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 2u);
  EXPECT_EQ(page->items[0].match, DirectoryMatch::filter_only);
}

TEST(DirectorySearch, WithoutUserDetailsOnlyNamesAndMailAreSearched) {
  DirectoryIndex index(DirectoryOptions{false, ""});
  ASSERT_TRUE(index.upsert(teams_user("dept", "Anna Smith", "Billing", "Analyst")));
  ASSERT_TRUE(index.upsert(teams_user("name", "Tom Billingham", "Sales", "Manager")));
  EXPECT_FALSE(index.show_user_details());

  EXPECT_EQ(ids_of(index, query("billing")), (Ids{"name"}));  // by name only
  EXPECT_TRUE(ids_of(index, query("analyst")).empty());
  EXPECT_TRUE(ids_of(index, query("anna analyst")).empty());
  EXPECT_TRUE(ids_of(index, query("lys")).empty());  // no infix into titles either
  for (const auto& q : {query("", "Billing"), query("anna", "", "Analyst")}) {
    auto r = index.search(q);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::invalid_input);
    EXPECT_NE(r.error().message.find("showUserDetails"), std::string::npos);
  }

  index.set_show_user_details(true);  // the admin turns it on: no re-indexing needed
  EXPECT_EQ(ids_of(index, query("billing")), (Ids{"name", "dept"}));  // name first
  EXPECT_EQ(ids_of(index, query("", "billing")), (Ids{"dept"}));
}

// Walks every page of q with the given page size.
Ids all_pages(const DirectoryIndex& index, DirectoryQuery q, std::size_t page_size) {
  Ids ids;
  q.limit = page_size;
  for (int guard = 0; guard < 1000; ++guard) {
    auto page = index.search(q);
    if (!page) return {"error: " + page.error().message};
    for (const auto& h : page->items) ids.push_back(h.user.user.id);
    if (page->next_cursor.empty()) return ids;
    q.cursor = page->next_cursor;
  }
  return {"error: paging did not end"};
}

std::string billing_id(int i) { return "b" + std::to_string(100 + i); }

DirectoryIndex billing_index(int users) {
  DirectoryIndex index;
  static const char* const kNames[] = {"Anna", "Bob", "Chloé", "Dan", "Émile", "Finn", "Greta"};
  for (int i = 0; i < users; ++i) {
    // Repeated names make ties that only the id can break.
    const std::string name = std::string(kNames[i % 7]) + " Payer" + std::to_string(i % 5);
    EXPECT_TRUE(index.upsert(teams_user(billing_id(i), name, "Billing", "Agent")));
  }
  return index;
}

TEST(DirectorySearch, PagesCoverTheWholeResultOnceInOrder) {
  const DirectoryIndex index = billing_index(57);
  const Ids one_page = ids_of(index, query("billing"));
  ASSERT_EQ(one_page.size(), 57u);
  for (const std::size_t size : {1u, 7u, 10u, 56u, 57u, 100u}) {
    EXPECT_EQ(all_pages(index, query("billing"), size), one_page) << size;
  }
  auto first = index.search(query("billing", "", "", 10));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->items.size(), 10u);
  EXPECT_EQ(first->total, 57u);
  EXPECT_FALSE(first->next_cursor.empty());
  auto last = index.search(query("billing", "", "", 57));
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->next_cursor.empty());  // exactly full: no empty extra page
}

TEST(DirectorySearch, PagingStaysStableWhileTheMirrorChanges) {
  DirectoryIndex index = billing_index(40);
  const Ids before = ids_of(index, query("billing"));
  auto first = index.search(query("billing", "", "", 10));
  ASSERT_TRUE(first);
  Ids seen;
  for (const auto& h : first->items) seen.push_back(h.user.user.id);

  // Between two pages a delta sync adds users ahead of and behind the cursor and removes one
  // that was still to come.
  ASSERT_TRUE(index.upsert(teams_user("new-first", "Aaron Payer", "Billing")));
  ASSERT_TRUE(index.upsert(teams_user("new-last", "Zoe Payer", "Billing")));
  const std::string removed = before[25];
  ASSERT_TRUE(index.remove(removed));

  DirectoryQuery next = query("billing", "", "", 10);
  next.cursor = first->next_cursor;
  const Ids rest = all_pages(index, next, 10);
  seen.insert(seen.end(), rest.begin(), rest.end());

  // Every unchanged user exactly once, in the original order; the one added behind the cursor
  // is seen, the one added ahead of it is not (it belongs to page one now).
  Ids want;
  for (const std::string& id : before) {
    if (id != removed) want.push_back(id);
  }
  want.push_back("new-last");
  EXPECT_EQ(seen, want);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size());
}

TEST(DirectorySearch, CursorIsBoundToItsQueryAndGate) {
  DirectoryIndex index = billing_index(30);
  auto first = index.search(query("billing", "", "", 5));
  ASSERT_TRUE(first);
  ASSERT_FALSE(first->next_cursor.empty());

  DirectoryQuery same = query("BILLING", "", "", 5);  // folds to the same query: accepted
  same.cursor = first->next_cursor;
  EXPECT_TRUE(index.search(same));

  DirectoryQuery other = query("anna", "", "", 5);
  other.cursor = first->next_cursor;
  auto r = index.search(other);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);

  DirectoryQuery filtered = query("billing", "billing", "", 5);
  filtered.cursor = first->next_cursor;
  EXPECT_FALSE(index.search(filtered));

  index.set_show_user_details(false);
  DirectoryQuery gated = query("billing", "", "", 5);
  gated.cursor = first->next_cursor;
  EXPECT_FALSE(index.search(gated));

  std::string tampered = first->next_cursor;
  tampered[3] = tampered[3] == '0' ? '1' : '0';  // inside the fingerprint
  index.set_show_user_details(true);
  DirectoryQuery bad = query("billing", "", "", 5);
  bad.cursor = tampered;
  EXPECT_FALSE(index.search(bad));
}

}  // namespace
}  // namespace ccteams
