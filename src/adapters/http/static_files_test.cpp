// The web console's static files: what is loaded, the headers, 304, HEAD, the `/` redirect, and
// that nothing outside the loaded set is reachable (traversal, encodings, NUL, folders, links).
#include "adapters/http/static_files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "adapters/http/server_test_support.hpp"

namespace ccteams::http {
namespace {

namespace fs = std::filesystem;
using namespace testing;

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// A web root inside a scratch folder, with a secret file next to (outside) it.
class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    base_ = fs::temp_directory_path() / ("ccteams-static-" + std::to_string(rd()));
    root_ = base_ / "web";
    write(root_ / "sign-in.html", "<!doctype html><title>Sign in</title>");
    write(root_ / "js" / "api.js", "export const x = 1;\n");
    write(root_ / "css" / "app.css", "body{}\n");
    write(root_ / ".hidden.js", "hidden");
    write(root_ / ".git" / "config.txt", "hidden folder");
    write(root_ / "notes.md", "not a served type");
    write(base_ / "secret.txt", "TOP SECRET");
    fs::create_symlink(base_ / "secret.txt", root_ / "link.txt");
    fs::create_directory_symlink(base_, root_ / "up");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(base_, ec);
  }
  StaticFiles load() {
    auto files = StaticFiles::load(root_);
    EXPECT_TRUE(files) << files.error().message;
    return files ? std::move(*files) : StaticFiles{};
  }
  fs::path base_;
  fs::path root_;
};

TEST_F(StaticFilesTest, LoadsExactlyTheServedRegularFiles) {
  auto files = load();
  EXPECT_EQ(files.paths(),
            (std::vector<std::string>{"/css/app.css", "/js/api.js", "/sign-in.html"}));
}

TEST_F(StaticFilesTest, MissingRootIsAnError) {
  auto files = StaticFiles::load(base_ / "nope");
  ASSERT_FALSE(files);
  EXPECT_EQ(files.error().code, Errc::invalid_input);
}

TEST_F(StaticFilesTest, FindRefusesEverythingButExactPaths) {
  auto files = load();
  EXPECT_NE(files.find("/js/api.js"), nullptr);
  for (const char* bad : {"/js", "/js/", "/", "", "js/api.js", "/js/../js/api.js", "/./js/api.js",
                          "//js/api.js", "/../secret.txt", "/up/secret.txt", "/link.txt",
                          "/%2e%2e/secret.txt", "/js/api.js/", "/JS/API.JS"}) {
    EXPECT_EQ(files.find(bad), nullptr) << bad;
  }
  const std::string with_nul("/js/api.js\0.png", 15);
  EXPECT_EQ(files.find(with_nul), nullptr);
  EXPECT_EQ(files.find(base_.string() + "/secret.txt"), nullptr);
}

TEST(StaticFilesTypes, ContentTypeByExtension) {
  EXPECT_EQ(content_type_for("a.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("a.JS"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("a.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("a.md"), "");
  EXPECT_EQ(content_type_for("Makefile"), "");
}

TEST(StaticFilesTypes, IfNoneMatchUsesWeakComparisonAndLists) {
  EXPECT_TRUE(if_none_match_matches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(if_none_match_matches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(if_none_match_matches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(if_none_match_matches("*", "\"abc\""));
  EXPECT_FALSE(if_none_match_matches("\"abd\"", "\"abc\""));
  EXPECT_FALSE(if_none_match_matches("abc", "\"abc\""));
  EXPECT_FALSE(if_none_match_matches(", ,", "\"abc\""));
}

TEST(StaticFilesRoot, EnvironmentOverridesTheBuiltInRoot) {
  ::unsetenv("CCTEAMS_WEB_ROOT");
  EXPECT_EQ(resolve_web_root("/src/web"), fs::path("/src/web"));
  ::setenv("CCTEAMS_WEB_ROOT", "/opt/ccteams/web", 1);
  EXPECT_EQ(resolve_web_root("/src/web"), fs::path("/opt/ccteams/web"));
  ::setenv("CCTEAMS_WEB_ROOT", "", 1);
  EXPECT_EQ(resolve_web_root("/src/web"), fs::path("/src/web"));
  ::unsetenv("CCTEAMS_WEB_ROOT");
}

// Through the real server: the router only knows the loaded files.
class StaticFilesServerTest : public StaticFilesTest {
 protected:
  void SetUp() override {
    StaticFilesTest::SetUp();
    register_static_routes(router_, std::make_shared<const StaticFiles>(load()), "/sign-in.html");
    harness_ = std::make_unique<ServerHarness>(router_, ServerOptions{});
  }
  void TearDown() override {
    harness_.reset();
    StaticFilesTest::TearDown();
  }
  std::optional<ClientResponse> get(const std::string& target,
                                    std::vector<std::pair<std::string, std::string>> h = {}) {
    return fetch(harness_->port(), "GET", target, {}, h);
  }
  Router router_;
  std::unique_ptr<ServerHarness> harness_;
};

TEST_F(StaticFilesServerTest, HtmlCarriesStrictSecurityHeaders) {
  auto r = get("/sign-in.html");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ((*r)["Content-Type"], "text/html; charset=utf-8");
  EXPECT_EQ((*r)["Cache-Control"], "no-cache");
  EXPECT_EQ((*r)["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ((*r)["Referrer-Policy"], "no-referrer");
  const std::string csp((*r)["Content-Security-Policy"]);
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("script-src 'self';"), std::string::npos);
  EXPECT_NE(csp.find("style-src 'self';"), std::string::npos);
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
  EXPECT_EQ(r->body(), "<!doctype html><title>Sign in</title>");
  EXPECT_FALSE((*r)["ETag"].empty());
}

TEST_F(StaticFilesServerTest, ScriptsAndStylesHaveTheirTypes) {
  auto js = get("/js/api.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->result_int(), 200);
  EXPECT_EQ((*js)["Content-Type"], "text/javascript; charset=utf-8");
  EXPECT_EQ((*js)["X-Content-Type-Options"], "nosniff");
  EXPECT_TRUE((*js)["Content-Security-Policy"].empty());
  auto css = get("/css/app.css");
  ASSERT_TRUE(css);
  EXPECT_EQ((*css)["Content-Type"], "text/css; charset=utf-8");
}

TEST_F(StaticFilesServerTest, MatchingETagGives304WithoutBody) {
  auto first = get("/js/api.js");
  ASSERT_TRUE(first);
  const std::string etag((*first)["ETag"]);
  auto again = get("/js/api.js", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->result_int(), 304);
  EXPECT_EQ(again->body(), "");
  EXPECT_EQ((*again)["ETag"], etag);
  auto other = get("/js/api.js", {{"If-None-Match", "\"stale\""}});
  ASSERT_TRUE(other);
  EXPECT_EQ(other->result_int(), 200);
  // Another file's tag does not validate this one.
  auto css_tag = std::string((*get("/css/app.css"))["ETag"]);
  EXPECT_NE(css_tag, etag);
}

TEST_F(StaticFilesServerTest, HeadSendsHeadersOnly) {
  auto r = fetch(harness_->port(), "HEAD", "/js/api.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ((*r)["Content-Length"], "20");
  EXPECT_EQ(r->body(), "");
}

TEST_F(StaticFilesServerTest, RootRedirectsToTheStartPage) {
  auto r = get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 302);
  EXPECT_EQ((*r)["Location"], "/sign-in.html");
}

TEST_F(StaticFilesServerTest, NothingOutsideTheRootIsReachable) {
  for (const char* target :
       {"/../secret.txt", "/js/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/secret.txt",
        "/js/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt",
        "/link.txt", "/up/secret.txt", "/js", "/js/", "/.hidden.js", "/.git/config.txt",
        "/notes.md", "/js/api.js%00.html", "/sign-in.html%00", "//etc/passwd",
        "/%2fetc%2fpasswd"}) {
    auto r = get(target);
    ASSERT_TRUE(r) << target;
    EXPECT_TRUE(r->result_int() == 404 || r->result_int() == 400) << target << " -> "
                                                                  << r->result_int();
    EXPECT_EQ(r->body().find("TOP SECRET"), std::string::npos) << target;
  }
  const std::string absolute = "http://test" + base_.string() + "/secret.txt";
  auto r = get(absolute);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body().find("TOP SECRET"), std::string::npos);
}

TEST_F(StaticFilesServerTest, OnlyGetAndHeadAreAllowed) {
  auto r = fetch(harness_->port(), "POST", "/js/api.js", "x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 405);
}

}  // namespace
}  // namespace ccteams::http
