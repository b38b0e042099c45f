// DirectoryIndex::search against the contract written the slow way (reference_search in
// directory_test_support.hpp): random directories with accents, empty fields, renames, removals
// and reused slots, every page compared, with and without showUserDetails.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/directory.hpp"
#include "core/directory_test_support.hpp"

namespace ccteams {
namespace {

using directory_test::query;
using directory_test::reference_search;
using directory_test::teams_user;
using Ids = std::vector<std::string>;

const std::vector<std::string> kGiven = {"Ann",  "Anna", "Joann",  "José",  "Jo",
                                         "John", "Zoë",  "Łukasz", "Søren", "Maria",
                                         "Mar",  "",     "Jürgen", "Ángel"};
const std::vector<std::string> kSurnames = {"Smith",   "Annand", "García", "Garcia-Lopez",
                                            "O'Brien", "Straße", "Nowak",  "Jo",
                                            "Lee",     "Leeds",  "",       "van der Berg"};
const std::vector<std::string> kDepartments = {"Billing", "Billing Operations",        "Sales",
                                               "",        "Recherche & Développement", "Lee"};
const std::vector<std::string> kTitles = {"Billing Specialist", "Analyst", "", "Ann Lee",
                                          "Support Engineer"};
const std::vector<std::string> kQueries = {
    "jo",         "ann",          "an",        "ann lee", "lee",         "billing",
    "billing s",  "maria garcia", "garcia",    "jose",    "JOSÉ ",       "zoe",
    "lukasz",     "straß",        "obrien",    "berg",    "van der",     "mar",
    "a",          "ee",           "sales",     "analyst", "smith ann",   "jo jo",
    "john smith", "ber",          "recherche", "x",       "ann@contoso", "soren"};

class Generator {
 public:
  explicit Generator(unsigned seed) : rng_(seed) {}
  const std::string& pick(const std::vector<std::string>& v) { return v[rng_() % v.size()]; }
  bool chance(unsigned percent) { return rng_() % 100 < percent; }
  unsigned below(unsigned n) { return static_cast<unsigned>(rng_() % n); }

  TeamsUser user(const std::string& id) {
    TeamsUser u;
    u.id = id;
    u.given_name = pick(kGiven);
    u.surname = pick(kSurnames);
    const unsigned shape = below(10);
    if (shape == 0) {
      u.display_name = u.surname + ", " + u.given_name;  // "Surname, Given"
    } else if (shape == 1) {
      u.display_name = "Dr. " + u.given_name + " " + u.surname;
    } else if (shape == 2) {
      u.display_name = u.given_name;  // one token, or none
    } else {
      u.display_name = u.given_name + " " + u.surname;
    }
    if (chance(85)) {
      u.mail = directory_fold(u.given_name + " " + u.surname);
      for (char& c : u.mail) c = c == ' ' ? '.' : c;
      u.mail += (chance(20) ? "2" : "") + std::string("@contoso.com");
    }
    u.user_principal_name = "u" + id + "@contoso.com";
    u.department = pick(kDepartments);
    u.job_title = pick(kTitles);
    u.account_enabled = !chance(5);
    return u;
  }

 private:
  std::mt19937 rng_;
};

// Every page of q, walked with the cursor, against the reference's whole ordering.
void expect_same_as_reference(const DirectoryIndex& index,
                              const std::map<std::string, TeamsUser>& mirror, DirectoryQuery q,
                              std::size_t page_size) {
  std::vector<directory_test::ReferenceUser> users;
  for (const auto& [id, u] : mirror) users.push_back(directory_test::reference_user(u));
  DirectoryQuery whole = q;
  whole.limit = 100'000;
  const auto want = reference_search(users, whole, index.show_user_details());
  Ids got;
  std::vector<DirectoryMatch> got_matches;
  q.limit = page_size;
  for (int guard = 0; guard < 1000; ++guard) {
    auto page = index.search(q);
    ASSERT_TRUE(page) << page.error().message;
    EXPECT_EQ(page->total, want.total) << '"' << q.text << "\" " << q.department;
    for (const auto& h : page->items) {
      got.push_back(h.user.user.id);
      got_matches.push_back(h.match);
    }
    if (page->next_cursor.empty()) break;
    q.cursor = page->next_cursor;
  }
  EXPECT_EQ(got, want.ids) << '"' << q.text << "\" dept \"" << q.department << "\" title \""
                           << q.job_title << "\" page " << page_size;
  EXPECT_EQ(got_matches, want.matches) << '"' << q.text << '"';
}

void check_all_queries(const DirectoryIndex& index, const std::map<std::string, TeamsUser>& mirror,
                       Generator& gen) {
  for (const std::string& text : kQueries) {
    expect_same_as_reference(index, mirror, query(text), 1 + gen.below(30));
    if (index.show_user_details()) {
      expect_same_as_reference(index, mirror, query(text, gen.pick(kDepartments)), 7);
      expect_same_as_reference(index, mirror, query(text, "", gen.pick(kTitles)), 25);
    }
  }
  if (index.show_user_details()) {
    for (const std::string& d : kDepartments) {
      if (!d.empty()) expect_same_as_reference(index, mirror, query("", d), 10);
    }
  }
}

TEST(DirectoryReference, RandomDirectoriesWithDeltasMatchTheContract) {
  for (const unsigned seed : {1u, 2u, 3u}) {
    Generator gen(seed);
    DirectoryIndex index;
    std::map<std::string, TeamsUser> mirror;  // the enabled users, by id
    const auto apply = [&](const TeamsUser& u) {
      ASSERT_TRUE(index.upsert(u));
      if (u.account_enabled) {
        mirror[u.id] = u;
      } else {
        mirror.erase(u.id);
      }
    };
    for (int i = 0; i < 300; ++i) apply(gen.user(std::to_string(i)));
    check_all_queries(index, mirror, gen);
    // Deltas: renames, moves between departments, removals and disabled accounts, new users
    // in the freed slots; the index is compared after each round.
    for (int round = 0; round < 4; ++round) {
      for (int k = 0; k < 120; ++k) {
        const std::string id = std::to_string(gen.below(400));
        if (gen.chance(30)) {
          const bool was = index.remove(id);
          EXPECT_EQ(was, mirror.erase(id) == 1) << id;
        } else {
          apply(gen.user(id));
        }
      }
      check_all_queries(index, mirror, gen);
    }
    index.set_show_user_details(false);
    check_all_queries(index, mirror, gen);
    if (::testing::Test::HasFailure()) return;  // one seed's failures are enough to read
  }
}

TEST(DirectoryReference, UsersWithoutDepartmentAreNeverInADepartmentFilter) {
  DirectoryIndex index;
  ASSERT_TRUE(index.upsert(teams_user("none", "Anna Smith")));
  ASSERT_TRUE(index.upsert(teams_user("billing", "Anna Jones", "Billing")));
  EXPECT_EQ(directory_test::ids_of(index, query("anna", "Billing")), (Ids{"billing"}));
  EXPECT_EQ(directory_test::ids_of(index, query("", "Sales")), Ids{});
  // Losing the department takes the user out of the filter.
  ASSERT_TRUE(index.upsert(teams_user("billing", "Anna Jones")));
  auto page = index.search(query("", "Billing"));
  ASSERT_TRUE(page);
  EXPECT_TRUE(page->items.empty());
  EXPECT_EQ(page->total, 0u);
  EXPECT_EQ(directory_test::ids_of(index, query("anna")), (Ids{"billing", "none"}));
}

TEST(DirectoryReference, UnicodeNamesRankAsTheirFoldedForm) {
  DirectoryIndex index;
  ASSERT_TRUE(index.upsert(teams_user("zoe", "Zoë Ångström")));
  ASSERT_TRUE(index.upsert(teams_user("lukasz", "Łukasz Żółć")));
  ASSERT_TRUE(index.upsert(teams_user("cjk", "王 小明")));
  ASSERT_TRUE(index.upsert(teams_user("plain", "Zoe Angstrom")));
  auto page = index.search(query("zoe angstrom"));
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].match, DirectoryMatch::exact_name);
  EXPECT_EQ(page->items[1].match, DirectoryMatch::exact_name);
  EXPECT_EQ(page->items[0].user.user.id, "plain");  // same folded name: by id
  EXPECT_EQ(directory_test::ids_of(index, query("ŁUKASZ zolc")), (Ids{"lukasz"}));
  EXPECT_EQ(directory_test::ids_of(index, query("王")), (Ids{"cjk"}));
  EXPECT_EQ(directory_test::ids_of(index, query("小明")), (Ids{"cjk"}));
}

TEST(DirectoryReference, ADeltaThatRemovesAndRenamesLeavesNoTrace) {
  DirectoryIndex index;
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(index.upsert(teams_user("u" + std::to_string(i), "Anna Payer", "Billing")));
  }
  // A delta: half removed, some renamed, one disabled, and new users taking the freed slots.
  for (int i = 0; i < 15; ++i) ASSERT_TRUE(index.remove("u" + std::to_string(i)));
  ASSERT_TRUE(index.upsert(teams_user("u20", "Bob Builder", "Sales")));
  TeamsUser disabled = teams_user("u21", "Anna Payer", "Billing");
  disabled.account_enabled = false;
  ASSERT_TRUE(index.upsert(disabled));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(index.upsert(teams_user("n" + std::to_string(i), "Anna Newcomer", "Billing")));
  }
  auto page = index.search(query("anna"));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 13u + 5u);
  for (const auto& h : page->items) {
    const std::string& id = h.user.user.id;
    EXPECT_TRUE(id[0] == 'n' || (std::stoi(id.substr(1)) >= 15 && id != "u20" && id != "u21"))
        << id;
  }
  EXPECT_EQ(directory_test::ids_of(index, query("bob", "Sales")), (Ids{"u20"}));
  EXPECT_EQ(directory_test::ids_of(index, query("payer", "Sales")), Ids{});
  auto billing = index.search(query("", "Billing"));
  ASSERT_TRUE(billing);
  EXPECT_EQ(billing->total, 13u + 5u);
}

}  // namespace
}  // namespace ccteams
