#include "adapters/http/router.hpp"

#include <gtest/gtest.h>

#include "adapters/http/sync_handler.hpp"

namespace ccteams::http {
namespace {

Handler named(std::string name) {
  return sync_handler([name](Request&) { return text_response(200, "text/plain", name); });
}

WsHandler ws_handler() {
  return [](Request&) -> boost::asio::awaitable<std::variant<Response, WsCallbacks>> {
    co_return WsCallbacks{};
  };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.add("GET", "/users/{id}", named("by-id"));
    router_.add("GET", "/users/me", named("me"));
    router_.add("DELETE", "/users/{id}", named("delete"));
    router_.add("GET", "/a/{x}/c", named("a-x-c"));
    router_.add("GET", "/a/b/{y}", named("a-b-y"));
    router_.add("POST", "/orgs/{org}/users/{user}", named("nested"));
    router_.add("GET", "/", named("root"));
    router_.add_websocket("/events", ws_handler());
  }
  Router router_;
};

TEST_F(RouterTest, ParametersAreCaptured) {
  auto m = router_.match("POST", "/orgs/o1/users/u2");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.params.at("org"), "o1");
  EXPECT_EQ(m.params.at("user"), "u2");
  EXPECT_EQ(m.pattern, "/orgs/{org}/users/{user}");
}

TEST_F(RouterTest, LiteralSegmentBeatsParameterWhateverTheOrder) {
  auto me = router_.match("GET", "/users/me");
  ASSERT_NE(me.handler, nullptr);
  EXPECT_EQ(me.pattern, "/users/me");
  EXPECT_TRUE(me.params.empty());
  auto other = router_.match("GET", "/users/42");
  EXPECT_EQ(other.pattern, "/users/{id}");
  EXPECT_EQ(other.params.at("id"), "42");
  // Earlier literal segments weigh more.
  EXPECT_EQ(router_.match("GET", "/a/b/c").pattern, "/a/b/{y}");
}

TEST_F(RouterTest, UnknownPathHasNoAllowedMethods) {
  auto m = router_.match("GET", "/nothing/here");
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_EQ(m.ws_handler, nullptr);
  EXPECT_TRUE(m.allowed.empty());
  EXPECT_TRUE(m.pattern.empty());
  EXPECT_EQ(router_.match("GET", "/users/1/extra").handler, nullptr);
}

TEST_F(RouterTest, WrongMethodListsAllowedIncludingHead) {
  auto m = router_.match("PUT", "/users/1");
  EXPECT_EQ(m.handler, nullptr);
  EXPECT_EQ(m.allowed, (std::vector<std::string>{"GET", "HEAD", "DELETE"}));
}

TEST_F(RouterTest, HeadFallsBackToGet) {
  auto m = router_.match("HEAD", "/users/me");
  ASSERT_NE(m.handler, nullptr);
  EXPECT_EQ(m.pattern, "/users/me");
}

TEST_F(RouterTest, RootAndSlashesAreNormalised) {
  EXPECT_EQ(router_.match("GET", "/").pattern, "/");
  EXPECT_EQ(router_.match("GET", "/users/me/").pattern, "/users/me");
  EXPECT_EQ(router_.match("GET", "//users//me").pattern, "/users/me");
}

TEST_F(RouterTest, WebSocketRoutesMatchGetOnly) {
  auto m = router_.match("GET", "/events");
  EXPECT_NE(m.ws_handler, nullptr);
  EXPECT_EQ(m.handler, nullptr);
  auto post = router_.match("POST", "/events");
  EXPECT_EQ(post.ws_handler, nullptr);
  EXPECT_EQ(post.allowed, (std::vector<std::string>{"GET", "HEAD"}));
}

}  // namespace
}  // namespace ccteams::http
