#include "adapters/http/client_address.hpp"

#include <gtest/gtest.h>

namespace ccteams::http {
namespace {

TrustedProxies proxies(const std::vector<std::string>& cidrs) {
  auto t = TrustedProxies::parse(cidrs);
  EXPECT_TRUE(t) << t.error().message;
  return t ? *t : TrustedProxies{};
}

TEST(ClientAddress, ForwardedForIsHonouredOnlyFromTrustedProxies) {
  const auto trusted = proxies({"10.0.0.0/8", "2001:db8:ffff::/48", "192.0.2.7"});
  struct Case {
    const char* peer;
    const char* forwarded_for;
    const char* expected;
  };
  const std::vector<Case> cases = {
      // Not a proxy: the header is whatever the client wrote, ignored.
      {"203.0.113.5", "198.51.100.1", "203.0.113.5"},
      {"11.0.0.1", "198.51.100.1", "11.0.0.1"},
      // A trusted proxy: the right-most entry that is not one of ours.
      {"10.1.2.3", "198.51.100.1", "198.51.100.1"},
      {"10.1.2.3", "6.6.6.6, 198.51.100.1", "198.51.100.1"},  // the left one is the client's lie
      {"10.1.2.3", "6.6.6.6, 198.51.100.1, 10.9.9.9", "198.51.100.1"},
      {"192.0.2.7", "198.51.100.1", "198.51.100.1"},
      {"192.0.2.8", "198.51.100.1", "192.0.2.8"},  // a /32 is one address
      // No header, or only proxies: the nearest address there is.
      {"10.1.2.3", "", "10.1.2.3"},
      {"10.1.2.3", "10.4.4.4, 10.5.5.5", "10.4.4.4"},
      // Ports and brackets, as some proxies write them.
      {"10.1.2.3", "198.51.100.1:5123", "198.51.100.1"},
      {"10.1.2.3", "[2001:db8:1::5]:443", "2001:db8:1::5"},
      {"10.1.2.3", "[2001:db8:1::5]", "2001:db8:1::5"},
      {"10.1.2.3", " 198.51.100.1 ,", "198.51.100.1"},
      // IPv6 proxies and clients; IPv4-mapped IPv6 is the IPv4 address.
      {"2001:db8:ffff:1::1", "2001:db8:1::5", "2001:db8:1::5"},
      {"::ffff:10.1.2.3", "198.51.100.1", "198.51.100.1"},
      {"10.1.2.3", "::ffff:198.51.100.1", "198.51.100.1"},
      {"10.1.2.3", "::ffff:10.8.8.8, 10.1.1.1", "10.8.8.8"},
      // Garbage stops the walk at the last hop we trust.
      {"10.1.2.3", "198.51.100.1, garbage", "10.1.2.3"},
      {"10.1.2.3", "198.51.100.1, unknown, 10.7.7.7", "10.7.7.7"},
      {"10.1.2.3", "999.1.1.1", "10.1.2.3"},
      {"10.1.2.3", "[2001:db8::1", "10.1.2.3"},
      {"10.1.2.3", "1.2.3.4/8", "10.1.2.3"},
      {"10.1.2.3", "\x01\x02", "10.1.2.3"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(client_address(c.peer, c.forwarded_for, trusted), c.expected)
        << "peer " << c.peer << ", X-Forwarded-For '" << c.forwarded_for << "'";
  }
}

TEST(ClientAddress, WithoutTrustedProxiesThePeerIsTheClient) {
  EXPECT_EQ(client_address("10.1.2.3", "198.51.100.1", TrustedProxies{}), "10.1.2.3");
  Request req;
  req.remote_address = "10.1.2.3";
  req.headers = {{"x-forwarded-for", "198.51.100.1"}};
  EXPECT_EQ(client_address(req, TrustedProxies{}), "10.1.2.3");
}

TEST(ClientAddress, SeveralHeadersReadAsOneListInOrder) {
  const auto trusted = proxies({"10.0.0.0/8"});
  Request req;
  req.remote_address = "10.1.2.3";
  req.headers = {{"x-forwarded-for", "6.6.6.6"},
                 {"accept", "*/*"},
                 {"x-forwarded-for", "198.51.100.1, 10.2.2.2"}};
  EXPECT_EQ(client_address(req, trusted), "198.51.100.1");
}

TEST(ClientAddress, AddressKeyCountsAnIpv6Slash64AsOneAddress) {
  struct Case {
    const char* address;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"198.51.100.1", "198.51.100.1"},
      {"::ffff:198.51.100.1", "198.51.100.1"},
      {"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
      {"2001:db8:1:2::1", "2001:db8:1:2::/64"},
      {"2001:db8:1:3::1", "2001:db8:1:3::/64"},
      {"::1", "::/64"},
      {"-", "-"},
  };
  for (const auto& c : cases) EXPECT_EQ(address_key(c.address), c.expected) << c.address;
}

TEST(TrustedProxiesParse, RefusesWhatIsNotANetworkNamingIt) {
  for (const char* bad : {"10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "2001:db8::/129", "proxy",
                          "10.0.0.0/8x", "", "10.0.0.0/-1"}) {
    auto r = TrustedProxies::parse({bad});
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Errc::invalid_input);
    EXPECT_NE(r.error().message.find(std::string("'") + bad + "'"), std::string::npos);
  }
  auto good = TrustedProxies::parse({"10.0.0.0/8", "::1", "fd00::/8", "0.0.0.0/0"});
  ASSERT_TRUE(good);
  EXPECT_TRUE(good->contains("8.8.8.8"));  // 0.0.0.0/0: every IPv4 address
  EXPECT_TRUE(good->contains("fd12::1"));
  EXPECT_FALSE(good->contains("fe80::1"));
  EXPECT_FALSE(good->contains("not an address"));
}

}  // namespace
}  // namespace ccteams::http
