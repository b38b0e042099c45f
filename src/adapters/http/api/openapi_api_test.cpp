// The OpenAPI document (web/openapi.json) as a document: OpenAPI 3.1's shape, every $ref
// resolving, operations well formed, every error answer in the one error shape, and every
// example valid against its schema. tests/openapi_test.cpp checks it against the live server.
#include "adapters/http/api/openapi_api.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "adapters/http/json_schema.hpp"
#include "adapters/http/openapi_document.hpp"
#include "adapters/http/router.hpp"

namespace ccteams::http {
namespace {

namespace json = boost::json;

std::string document_text() {
  std::ifstream in(std::string(CCTEAMS_SOURCE_DIR) + "/web/" + std::string(kOpenApiFile));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const json::value& document() {
  static const json::value doc = json::parse(document_text());
  return doc;
}

void collect_refs(const json::value& v, const std::string& at,
                  std::vector<std::pair<std::string, std::string>>* out) {
  if (v.is_object()) {
    for (const auto& [k, child] : v.as_object()) {
      if (k == "$ref" && child.is_string()) out->emplace_back(at, std::string(child.as_string()));
      collect_refs(child, at + "/" + std::string(k), out);
    }
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.as_array().size(); ++i) {
      collect_refs(v.as_array()[i], at + "/" + std::to_string(i), out);
    }
  }
}

const json::value* json_schema_of(const json::object& holder) {
  const auto* content = holder.if_contains("content");
  if (content == nullptr || !content->is_object()) return nullptr;
  const auto* media = content->as_object().if_contains("application/json");
  if (media == nullptr || !media->is_object()) return nullptr;
  return media->as_object().if_contains("schema");
}

// Each example of a content map ("example" and every "examples" entry's "value").
std::vector<std::pair<std::string, const json::value*>> examples_of(const json::object& holder) {
  std::vector<std::pair<std::string, const json::value*>> out;
  const auto* content = holder.if_contains("content");
  if (content == nullptr || !content->is_object()) return out;
  for (const auto& [type, media] : content->as_object()) {
    if (!media.is_object()) continue;
    if (const auto* e = media.as_object().if_contains("example")) {
      out.emplace_back(std::string(type) + " example", e);
    }
    if (const auto* many = media.as_object().if_contains("examples"); many && many->is_object()) {
      for (const auto& [name, e] : many->as_object()) {
        if (e.is_object() && e.as_object().contains("value")) {
          out.emplace_back(std::string(type) + " examples/" + std::string(name),
                           &e.as_object().at("value"));
        }
      }
    }
  }
  return out;
}

std::string code_for_status(int status) {
  static const std::map<int, std::string> kCodes = {
      {400, "invalid_input"},     {401, "unauthenticated"},
      {403, "forbidden"},         {404, "not_found"},
      {405, "invalid_input"},     {409, "conflict"},
      {413, "payload_too_large"}, {415, "unsupported_media_type"},
      {429, "rate_limited"},      {500, "internal"},
      {503, "unavailable"}};
  auto it = kCodes.find(status);
  return it == kCodes.end() ? "" : it->second;
}

Response call(const Router& router) {
  auto match = router.match("GET", kOpenApiPath);
  EXPECT_NE(match.handler, nullptr);
  Request req;
  req.method = "GET";
  req.path = req.target = std::string(kOpenApiPath);
  std::optional<Response> out;
  boost::asio::io_context ioc;
  boost::asio::co_spawn(
      ioc, [&]() -> boost::asio::awaitable<void> { out = co_await (*match.handler)(req); },
      boost::asio::detached);
  ioc.run();
  return out.value_or(Response{});
}

TEST(OpenApiDocument, IsOpenApi31WithInfoAndPaths) {
  const auto& doc = document().as_object();
  ASSERT_TRUE(doc.at("openapi").is_string());
  EXPECT_TRUE(doc.at("openapi").as_string().starts_with("3.1.")) << doc.at("openapi");
  EXPECT_FALSE(doc.at("info").at("title").as_string().empty());
  EXPECT_FALSE(doc.at("info").at("version").as_string().empty());
  ASSERT_TRUE(doc.at("paths").is_object());
  EXPECT_GT(doc.at("paths").as_object().size(), 50u);
  for (const auto& [path, _] : doc.at("paths").as_object()) {
    EXPECT_TRUE(path.starts_with("/")) << path;
  }
  EXPECT_TRUE(doc.at("components").at("schemas").as_object().contains("Error"));
}

TEST(OpenApiDocument, EveryRefResolves) {
  std::vector<std::pair<std::string, std::string>> refs;
  collect_refs(document(), "", &refs);
  EXPECT_GT(refs.size(), 100u);
  for (const auto& [at, ref] : refs) {
    EXPECT_TRUE(ref.starts_with("#/")) << at << ": " << ref << " is not local";
    EXPECT_NE(resolve_json_pointer(document(), ref), nullptr) << at << ": " << ref;
  }
}

TEST(OpenApiDocument, EveryOperationIsWellFormed) {
  const auto& doc = document().as_object();
  std::set<std::string> tags;
  for (const auto& t : doc.at("tags").as_array())
    tags.insert(std::string(t.at("name").as_string()));
  const auto& schemes = doc.at("components").at("securitySchemes").as_object();
  std::set<std::string> ids;
  const auto ops = openapi_operations(document());
  EXPECT_GT(ops.size(), 70u);
  static const std::regex kParam(R"(\{([^}]+)\})");
  for (const auto& op : ops) {
    const std::string what = op.method + " " + op.path;
    const auto& o = *op.operation;
    ASSERT_TRUE(o.contains("operationId")) << what;
    EXPECT_TRUE(ids.insert(std::string(o.at("operationId").as_string())).second)
        << what << ": operationId " << o.at("operationId") << " is used twice";
    EXPECT_FALSE(o.at("summary").as_string().empty()) << what;
    ASSERT_TRUE(o.contains("tags")) << what;
    for (const auto& t : o.at("tags").as_array()) {
      EXPECT_TRUE(tags.contains(std::string(t.as_string()))) << what << ": tag " << t;
    }
    ASSERT_TRUE(o.contains("responses")) << what;
    EXPECT_FALSE(o.at("responses").as_object().empty()) << what;
    // Security said on every operation: [] for public ones, else schemes that exist.
    ASSERT_TRUE(o.contains("security")) << what;
    for (const auto& requirement : o.at("security").as_array()) {
      for (const auto& [name, _] : requirement.as_object()) {
        EXPECT_TRUE(schemes.contains(name)) << what << ": security scheme " << name;
      }
    }
    // Path parameters: each {name} declared (in: path, required), and nothing more.
    std::set<std::string> in_path;
    for (auto it = std::sregex_iterator(op.path.begin(), op.path.end(), kParam);
         it != std::sregex_iterator(); ++it) {
      in_path.insert((*it)[1]);
    }
    std::set<std::string> declared;
    if (const auto* params = o.if_contains("parameters")) {
      for (const auto& p : params->as_array()) {
        if (p.at("in").as_string() != "path") continue;
        declared.insert(std::string(p.at("name").as_string()));
        EXPECT_TRUE(p.as_object().contains("required") && p.at("required").as_bool())
            << what << ": path parameter " << p.at("name") << " must be required";
      }
    }
    EXPECT_EQ(in_path, declared) << what;
  }
}

TEST(OpenApiDocument, EveryErrorAnswerHasTheOneErrorShape) {
  int checked = 0;
  for (const auto& op : openapi_operations(document())) {
    for (const auto& [status_text, _] : op.operation->at("responses").as_object()) {
      const int status = std::stoi(std::string(status_text));
      // /readyz's 503 is a probe's {"status"} (docs/api.md, Operations), not an error.
      if (status < 400 || (op.path == "/readyz" && status == 503)) continue;
      const auto* response = openapi_response(document(), *op.operation, status);
      ASSERT_NE(response, nullptr) << op.method << " " << op.path << " " << status;
      const auto* schema = json_schema_of(*response);
      if (schema == nullptr) continue;  // the consent callbacks' HTML pages
      const std::string what = op.method + " " + op.path + " " + std::to_string(status);
      const json::value good = {{"error", {{"code", code_for_status(status)}, {"message", "m"}}}};
      auto r = validate_json(good, *schema, document());
      EXPECT_TRUE(r) << what << ": " << (r ? "" : r.error().message);
      EXPECT_FALSE(validate_json(json::parse(R"({"message":"m"})"), *schema, document()))
          << what << ": not the error shape";
      const json::value wrong_code = {{"error", {{"code", "no_such_code"}, {"message", "m"}}}};
      EXPECT_FALSE(validate_json(wrong_code, *schema, document())) << what;
      ++checked;
    }
  }
  EXPECT_GT(checked, 300);
}

TEST(OpenApiDocument, EveryExampleMatchesItsSchema) {
  int checked = 0;
  auto check = [&](const json::object& holder, const std::string& what) {
    const auto* schema = json_schema_of(holder);
    for (const auto& [name, example] : examples_of(holder)) {
      if (!name.starts_with("application/json")) continue;
      ASSERT_NE(schema, nullptr) << what << ": an example without a schema";
      auto r = validate_json(*example, *schema, document());
      EXPECT_TRUE(r) << what << " " << name << " at '" << (r ? "" : r.error().pointer)
                     << "': " << (r ? "" : r.error().message);
      ++checked;
    }
  };
  for (const auto& op : openapi_operations(document())) {
    const std::string what = op.method + " " + op.path;
    if (const auto* body = op.operation->if_contains("requestBody")) {
      check(body->as_object(), what + " request");
    }
    for (const auto& [status, _] : op.operation->at("responses").as_object()) {
      const auto* response =
          openapi_response(document(), *op.operation, std::stoi(std::string(status)));
      ASSERT_NE(response, nullptr) << what << " " << status;
      check(*response, what + " " + std::string(status));
    }
  }
  // The main operations carry examples: requests and answers.
  EXPECT_GT(checked, 60);
}

TEST(OpenApiDocument, AWrongExampleIsCaught) {
  // The check above is not vacuous: a login answer without its token fails.
  const auto& login = document().at("paths").at("/api/v1/auth/login").at("post").as_object();
  const auto* ok = openapi_response(document(), login, 200);
  ASSERT_NE(ok, nullptr);
  json::value example = ok->at("content").at("application/json").at("example");
  example.as_object().erase("token");
  auto r = validate_json(example, *json_schema_of(*ok), document());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("token"), std::string::npos) << r.error().message;
}

TEST(OpenApiDocument, CheckAnswerNamesWhereABodyDiffers) {
  auto r = check_answer(document(), "GET", "/healthz", 200, R"({"status":"ok"})");
  EXPECT_TRUE(r);
  r = check_answer(document(), "GET", "/healthz", 200, R"({"status":"bad"})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().pointer, "/status");
  r = check_answer(document(), "GET", "/healthz", 418, "{}");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("418 is not documented"), std::string::npos);
  EXPECT_FALSE(check_answer(document(), "GET", "/nowhere", 200, "{}"));
  EXPECT_TRUE(check_answer(document(), "POST", "/api/v1/auth/logout", 204, ""));
}

TEST(OpenApiRoute, ServesTheDocumentAsJson) {
  Router router;
  register_openapi_route(router, document_text());
  const Response r = call(router);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(r.body), document());
}

TEST(OpenApiRoute, WithoutTheFileAnswers503NamingIt) {
  Router router;
  register_openapi_route(router, std::nullopt);
  const Response r = call(router);
  EXPECT_EQ(r.status, 503);
  const auto body = json::parse(r.body);
  EXPECT_EQ(body.at("error").at("code"), "unavailable");
  EXPECT_NE(std::string(body.at("error").at("message").as_string()).find("openapi.json"),
            std::string::npos);
  EXPECT_TRUE(check_answer(document(), "GET", kOpenApiPath, 503, r.body));
}

}  // namespace
}  // namespace ccteams::http
