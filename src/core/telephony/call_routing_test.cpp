#include "core/telephony/call_routing.hpp"

#include <gtest/gtest.h>

namespace ccteams::telephony {
namespace {

const std::vector<NumberRoute> kNumbers = {
    {"+14255550100", OrgId{1}, QueueId{10}},
    {"+4930123456", OrgId{2}, QueueId{20}},
};

bool serves_org_1_only(OrgId org) { return org == OrgId{1}; }

TEST(CallRouting, TheRulesInOrder) {
  struct Row {
    const char* name;
    IncomingInvite invite;
    RouteDecision want;
  };
  const Row rows[] = {
      {"trunk, mapped number, From a number",
       {"carrier", false, "+14255550100", "+1 (206) 555-0199"},
       RouteToQueue{OrgId{1}, QueueId{10}, "+14255550100", "+12065550199"}},
      {"the dialled number with separators is normalised",
       {"carrier", false, "+1-425-555-0100", "+12065550199"},
       RouteToQueue{OrgId{1}, QueueId{10}, "+14255550100", "+12065550199"}},
      {"anonymous caller kept as it is",
       {"carrier", false, "+14255550100", "anonymous"},
       RouteToQueue{OrgId{1}, QueueId{10}, "+14255550100", "anonymous"}},
      {"no From user: anonymous",
       {"carrier", false, "+14255550100", ""},
       RouteToQueue{OrgId{1}, QueueId{10}, "+14255550100", "anonymous"}},
      {"a registered phone may call a queue",
       {std::nullopt, true, "+14255550100", "agent1"},
       RouteToQueue{OrgId{1}, QueueId{10}, "+14255550100", "agent1"}},
      {"no trunk, no registered phone: 403 before anything else",
       {std::nullopt, false, "+14255550100", "+12065550199"},
       RefuseCall{403, "Forbidden (not a trunk)", 0}},
      {"number not mapped: 404",
       {"carrier", false, "+14255550101", "+12065550199"},
       RefuseCall{404, "Not Found (no queue for this number)", 0}},
      {"dialled user part not a number: 404",
       {"carrier", false, "sales", "+12065550199"},
       RefuseCall{404, "Not Found (the dialled number is not E.164)", 0}},
      {"organisation served elsewhere: 503 with Retry-After",
       {"carrier", false, "+4930123456", "+12065550199"},
       RefuseCall{503, "Service Unavailable (organisation served by another instance)", 1}},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(route_invite(kNumbers, row.invite, serves_org_1_only), row.want) << row.name;
  }
}

TEST(CallRouting, ConfiguredNumbersAreNormalisedAndMappedOnce) {
  struct Row {
    const char* name;
    std::vector<NumberRoute> numbers;
    std::optional<std::string> error;
    std::vector<NumberRoute> after;
  };
  const Row rows[] = {
      {"normalised in place",
       {{"+1 425 555 0100", OrgId{1}, QueueId{1}}},
       std::nullopt,
       {{"+14255550100", OrgId{1}, QueueId{1}}}},
      {"not E.164",
       {{"5550100", OrgId{1}, QueueId{1}}},
       "number '5550100' is not an E.164 number (write it as +<country><number>)",
       {}},
      {"mapped twice, even written differently",
       {{"+14255550100", OrgId{1}, QueueId{1}}, {"+1-425-555-0100", OrgId{1}, QueueId{2}}},
       "number '+14255550100' is mapped twice (each number goes to one queue)",
       {}},
  };
  for (const auto& row : rows) {
    auto numbers = row.numbers;
    EXPECT_EQ(invalid_number_routes(numbers), row.error) << row.name;
    if (!row.error) {
      EXPECT_EQ(numbers, row.after) << row.name;
    }
  }
}

}  // namespace
}  // namespace ccteams::telephony
