// The inbox wake-up payloads: organisation ids in decimal, comma separated, split under
// PostgreSQL's 8000-byte payload limit; a listener skips what it cannot read.
#include "adapters/pg/pg_inbox_wake.hpp"

#include <gtest/gtest.h>

namespace ccteams::store {
namespace {

struct PayloadCase {
  const char* name;
  std::vector<std::int64_t> orgs;
  std::size_t max_bytes;
  std::vector<std::string> payloads;
};

class InboxWakePayloads : public ::testing::TestWithParam<PayloadCase> {};

TEST_P(InboxWakePayloads, NameEachOrganisationOnceWithinTheLimit) {
  const PayloadCase& c = GetParam();
  std::vector<OrgId> orgs;
  for (auto id : c.orgs) orgs.push_back(OrgId{id});
  const auto payloads = inbox_wake_payloads(orgs, c.max_bytes);
  EXPECT_EQ(payloads, c.payloads);
  for (const auto& p : payloads) EXPECT_LE(p.size(), c.max_bytes);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, InboxWakePayloads,
    ::testing::Values(PayloadCase{"none", {}, 100, {}},
                      PayloadCase{"one", {42}, 100, {"42"}},
                      PayloadCase{"sorted_and_unique", {7, 3, 7, 12, 3}, 100, {"3,7,12"}},
                      PayloadCase{"split_at_the_limit", {111, 222, 333}, 7, {"111,222", "333"}},
                      PayloadCase{"exactly_the_limit", {1, 2, 3}, 5, {"1,2,3"}}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(InboxWake, ManyOrganisationsStayUnderPostgresqlsPayloadLimit) {
  std::vector<OrgId> orgs;
  for (std::int64_t i = 1; i <= 2'000; ++i) orgs.push_back(OrgId{9'000'000'000'000 + i});
  const auto payloads = inbox_wake_payloads(orgs);
  ASSERT_GT(payloads.size(), 1U);
  std::vector<OrgId> back;
  for (const auto& p : payloads) {
    EXPECT_LT(p.size(), 8'000U);
    auto part = parse_inbox_wake(p);
    back.insert(back.end(), part.begin(), part.end());
  }
  EXPECT_EQ(back, orgs);
}

struct ParseCase {
  const char* name;
  const char* payload;
  std::vector<std::int64_t> orgs;
  std::size_t skipped;
};

class InboxWakeParse : public ::testing::TestWithParam<ParseCase> {};

TEST_P(InboxWakeParse, ReadsTheIdsAndSkipsTheRest) {
  const ParseCase& c = GetParam();
  std::size_t skipped = 99;
  const auto orgs = parse_inbox_wake(c.payload, &skipped);
  std::vector<std::int64_t> ids;
  for (OrgId o : orgs) ids.push_back(o.value);
  EXPECT_EQ(ids, c.orgs);
  EXPECT_EQ(skipped, c.skipped);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, InboxWakeParse,
    ::testing::Values(ParseCase{"empty", "", {}, 0}, ParseCase{"one", "5", {5}, 0},
                      ParseCase{"several", "1,22,333", {1, 22, 333}, 0},
                      ParseCase{"junk_skipped", "1,x,2,3y,,-4,0", {1, 2}, 5},
                      ParseCase{"overflow_skipped", "99999999999999999999,7", {7}, 1}),
    [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace ccteams::store
