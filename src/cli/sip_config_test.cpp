#include "cli/sip_config.hpp"

#include <gtest/gtest.h>

namespace ccteams::cli {
namespace {

TEST(SipConfig, ReadsListenTrunksAndNumbers) {
  auto c = parse_config(R"(
[sip]
listen = "0.0.0.0:5060"
advertise = "192.0.2.10"
[[sip.trunks]]
name = "carrier"
sources = ["198.51.100.0/24", "192.0.2.7"]
address = "192.0.2.7:5060"
[[sip.numbers]]
number = "+1 425 555 0100"
org = 1
queue = 3
)",
                        "t.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->sip.listen, "0.0.0.0:5060");
  EXPECT_EQ(c->sip.advertise, "192.0.2.10");
  ASSERT_EQ(c->sip.trunks.size(), 1U);
  EXPECT_EQ(c->sip.trunks[0].sources.size(), 2U);
  ASSERT_EQ(c->sip.numbers.size(), 1U);
  EXPECT_EQ(c->sip.numbers[0].number, "+14255550100");
  EXPECT_EQ(c->sip.numbers[0].queue, 3);
  auto none = parse_config("", "t.toml");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->sip.listen.empty());
}

TEST(SipConfig, RefusesNamingTheKey) {
  struct Row {
    const char* toml;
    const char* error;
  };
  const Row rows[] = {
      {"[sip]\nlisten = \"5060\"",
       "t.toml: sip.listen must be host:port, e.g. \"0.0.0.0:5060\" (got '5060')"},
      {"[sip]\nlisten = \"0.0.0.0:5060\"",
       "t.toml: sip.advertise must be set when sip.listen is a wildcard address: the address "
       "phones and trunks reach us at (Contact, SDP)"},
      {"[sip]\nport = 5060", "t.toml: sip.port is not a known key"},
      {"[[sip.trunks]]\nname = \"c\"\nsources = [\"carrier.example\"]",
       "t.toml: sip.trunks[0].sources holds a bad entry: trunk 'c': source 'carrier.example' is "
       "not an IP address or CIDR (e.g. \"192.0.2.7\", \"198.51.100.0/24\")"},
      {"[[sip.trunks]]\nname = \"c\"\nsources = []",
       "t.toml: sip.trunks[0].sources must be a non-empty array of addresses or CIDRs"},
      {"[[sip.trunks]]\nname = \"c\"\nsources = [\"10.0.0.1\"]\n[[sip.trunks]]\nname = \"c\"\n"
       "sources = [\"10.0.0.2\"]",
       "t.toml: sip.trunks[1].name 'c' names two trunks"},
      {"[[sip.numbers]]\nnumber = \"+14255550100\"\norg = 1\nqueue = 1\n[[sip.numbers]]\n"
       "number = \"+1-425-555-0100\"\norg = 1\nqueue = 2",
       "t.toml: sip.numbers[1].number number '+14255550100' is mapped twice (each number goes "
       "to one queue)"},
      {"[[sip.numbers]]\nnumber = \"5550100\"\norg = 1\nqueue = 1",
       "t.toml: sip.numbers[0].number number '5550100' is not an E.164 number (write it as "
       "+<country><number>)"},
      {"[[sip.numbers]]\nnumber = \"+14255550100\"\norg = 1",
       "t.toml: sip.numbers[0].queue must be a positive integer (an id)"},
  };
  for (const auto& row : rows) {
    auto c = parse_config(row.toml, "t.toml");
    ASSERT_FALSE(c) << row.toml;
    EXPECT_EQ(c.error().message, row.error) << row.toml;
  }
}

}  // namespace
}  // namespace ccteams::cli
