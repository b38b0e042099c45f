// `ccteams graph decode` through the real binary: what an operator sees.
#include <gtest/gtest.h>

#include <fstream>

#include "demo_fixture.hpp"

namespace ccteams::testing {
namespace {

std::filesystem::path write_temp(const std::string& name, const std::string& text) {
  const auto dir = make_temp_dir("ccteams-decode");
  const auto path = dir / name;
  std::ofstream(path) << text;
  return path;
}

TEST(GraphDecodeCli, PrintsWhatWasUnderstood) {
  const auto file = write_temp(
      "presences.json",
      R"({"value":[{"id":"66825e03-7ef5-42da-9069-724602c31f6b","availability":"DoNotDisturb",)"
      R"("activity":"Presenting","sequenceNumber":"A0129311063"}]})");
  ChildProcess p({CCTEAMS_BINARY, "graph", "decode", "--as", "presences", file.string()});
  ASSERT_EQ(p.wait_exit(std::chrono::seconds(10)), 0) << p.output();
  const auto out = parse(p.output());
  EXPECT_EQ(out.at("kind"), "presences");
  EXPECT_EQ(out.at("presences").at(0).at("activity"), "Presenting");
  EXPECT_EQ(out.at("presences").at(0).at("sequenceNumber"), "A0129311063");
  std::filesystem::remove_all(file.parent_path());
}

TEST(GraphDecodeCli, RefusesWhatItCannotReadAndSaysWhere) {
  const auto file = write_temp("bad.json", R"({"value":[{"id":"u1","availability":null}]})");
  ChildProcess p({CCTEAMS_BINARY, "graph", "decode", "--as", "presences", file.string()});
  EXPECT_NE(p.wait_exit(std::chrono::seconds(10)).value_or(0), 0);
  EXPECT_NE(p.output().find("value[0].availability"), std::string::npos) << p.output();
  ChildProcess q({CCTEAMS_BINARY, "graph", "decode", "--as", "nonsense", file.string()});
  EXPECT_NE(q.wait_exit(std::chrono::seconds(10)).value_or(0), 0);
  EXPECT_NE(q.output().find("--as"), std::string::npos) << q.output();
  std::filesystem::remove_all(file.parent_path());
}

TEST(GraphDecodeCli, RedactsTokens) {
  const auto file = write_temp(
      "token.json",
      R"({"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret.sig"})");
  ChildProcess p({CCTEAMS_BINARY, "graph", "decode", "--as", "token", file.string()});
  ASSERT_EQ(p.wait_exit(std::chrono::seconds(10)), 0) << p.output();
  EXPECT_EQ(p.output().find("secret"), std::string::npos) << p.output();
  EXPECT_NE(p.output().find("redacted"), std::string::npos) << p.output();
  std::filesystem::remove_all(file.parent_path());
}

}  // namespace
}  // namespace ccteams::testing
