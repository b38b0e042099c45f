#include "adapters/telephony/trunk_sources.hpp"

#include <gtest/gtest.h>

namespace ccteams::telephony {
namespace {

TEST(TrunkSources, MatchesAddressesAndCidrs) {
  auto sources = TrunkSources::parse({{"carrier", {"198.51.100.0/24", "192.0.2.7"}},
                                      {"backup", {"2001:db8::/32"}},
                                      {"loop", {"127.0.0.1"}}});
  ASSERT_TRUE(sources) << sources.error().message;
  struct Row {
    const char* from;
    std::optional<std::string> trunk;
  };
  const Row rows[] = {
      {"198.51.100.1", "carrier"},  {"198.51.100.255", "carrier"}, {"198.51.101.1", std::nullopt},
      {"192.0.2.7", "carrier"},     {"192.0.2.8", std::nullopt},   {"2001:db8:1::5", "backup"},
      {"2001:db9::1", std::nullopt}, {"::ffff:192.0.2.7", "carrier"}, {"127.0.0.1", "loop"},
      {"127.0.0.2", std::nullopt},
  };
  for (const auto& row : rows) {
    EXPECT_EQ(sources->trunk_of(boost::asio::ip::make_address(row.from)), row.trunk) << row.from;
  }
}

TEST(TrunkSources, RefusesWhatIsNoAddressNamingTheTrunk) {
  for (const char* bad : {"carrier.example", "198.51.100.0/33", "10.0.0.1/", "::1/129", ""}) {
    auto r = TrunkSources::parse({{"carrier", {bad}}});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().message, std::string("trunk 'carrier': source '") + bad +
                                     "' is not an IP address or CIDR (e.g. \"192.0.2.7\", "
                                     "\"198.51.100.0/24\")");
  }
}

}  // namespace
}  // namespace ccteams::telephony
