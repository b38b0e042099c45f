#include "core/e164.hpp"

#include <gtest/gtest.h>

namespace ccteams {
namespace {

struct Case {
  const char* raw;
  const char* default_cc;
  Dialability want;
  const char* number;
};
void PrintTo(const Case& c, std::ostream* os) { *os << '"' << c.raw << "\" cc=" << c.default_cc; }

class E164 : public ::testing::TestWithParam<Case> {};

TEST_P(E164, Table) {
  const Case& c = GetParam();
  const E164Check r = check_e164(c.raw, c.default_cc);
  EXPECT_EQ(r.status, c.want) << dialability_name(r.status);
  EXPECT_EQ(r.number, c.number);
  auto n = normalize_e164(c.raw, c.default_cc);
  EXPECT_EQ(n.has_value(), c.want == Dialability::dialable);
  if (!n) {
    EXPECT_EQ(n.error().code, Errc::invalid_input);
    EXPECT_EQ(n.error().message.rfind(dialability_name(c.want), 0), 0u) << n.error().message;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, E164,
    ::testing::Values(
        Case{"+1 (425) 555-0100", "", Dialability::dialable, "+14255550100"},
        Case{"+14255550100", "", Dialability::dialable, "+14255550100"},
        Case{"  +44 20 7946 0958 ", "", Dialability::dialable, "+442079460958"},
        Case{"+49.30.123456", "", Dialability::dialable, "+4930123456"},
        Case{"0044 20 7946 0958", "", Dialability::dialable, "+442079460958"},
        Case{"(425) 555-0100", "1", Dialability::dialable, "+14255550100"},
        Case{"020 7946 0958", "44", Dialability::dialable, "+442079460958"},
        Case{"(425) 555-0100", "", Dialability::not_e164, ""},
        Case{"425 555 0100", "+1", Dialability::not_e164, ""},  // code must be digits only
        Case{"", "", Dialability::missing, ""},
        Case{"   ", "1", Dialability::missing, ""},
        Case{"+1 425 555 0100 x123", "", Dialability::not_e164, ""},
        Case{"+1-800-FLOWERS", "", Dialability::not_e164, ""},
        Case{"+0 425 555 0100", "", Dialability::not_e164, ""},
        Case{"+1234567", "", Dialability::not_e164, ""},            // 7 digits
        Case{"+12345678", "", Dialability::dialable, "+12345678"},  // 8 digits
        Case{"+123456789012345", "", Dialability::dialable, "+123456789012345"},  // 15
        Case{"+1234567890123456", "", Dialability::not_e164, ""},                // 16
        Case{"+1 425 +555", "", Dialability::not_e164, ""},
        Case{"+", "", Dialability::not_e164, ""}));

}  // namespace
}  // namespace ccteams
