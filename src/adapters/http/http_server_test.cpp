// The HTTP server on the wire: routing, errors, HEAD, keep-alive, pipelining, request fields,
// access log and metrics. Limits, timeouts and shutdown: http_server_limits_test.cpp;
// WebSocket and TLS: ws_session_test.cpp.
#include "adapters/http/http_server.hpp"
#include "adapters/http/request_metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <boost/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sstream>

#include "adapters/http/json_io.hpp"
#include "adapters/http/prometheus_text.hpp"
#include "adapters/http/server_test_support.hpp"
#include "adapters/http/sync_handler.hpp"
#include "app/metrics.hpp"

namespace ccteams::http {
namespace {

using namespace testing;
namespace json = boost::json;

json::object body_json(const ClientResponse& r) { return json::parse(r.body()).as_object(); }

Router make_router() {
  Router router;
  router.add("GET", "/hello", sync_handler([](Request&) {
               return text_response(200, "text/plain", "hello");
             }));
  router.add("GET", "/users/{id}", sync_handler([](Request& req) {
               return text_response(200, "text/plain", "param " + std::string(req.path_param("id")));
             }));
  router.add("GET", "/users/me", sync_handler([](Request&) {
               return text_response(200, "text/plain", "literal me");
             }));
  router.add("POST", "/users", sync_handler([](Request&) { return empty_response(201); }));
  router.add("DELETE", "/users/{id}", sync_handler([](Request&) { return empty_response(204); }));
  router.add("GET", "/echo", sync_handler([](Request& req) {
               json::object headers;
               for (const auto& h : req.headers) headers[h.name] = h.value;
               return json_response(
                   200, json::object{{"method", req.method},
                                     {"target", req.target},
                                     {"path", req.path},
                                     {"query", req.query},
                                     {"x", req.query_param("x").value_or("-")},
                                     {"headers", std::move(headers)},
                                     {"remote", req.remote_address},
                                     {"secure", req.secure}});
             }));
  router.add("POST", "/json", sync_handler([](Request& req) {
               auto obj = parse_json_object(req);
               if (!obj) return error_response(obj.error());
               auto name = required_string(*obj, "name");
               if (!name) return error_response(name.error());
               return json_response(200, json::object{{"hi", *name}});
             }));
  // Ignores its body: only the router's JSON rule for /api/ stands between it and a form post.
  router.add("POST", "/api/v1/act", sync_handler([](Request&) { return empty_response(204); }));
  router.add("POST", "/form", sync_handler([](Request&) { return empty_response(204); }));
  router.add("GET", "/internal", sync_handler([](Request&) {
               return error_response(make_error(
                   Errc::internal, "database statement failed: no such table: secret_things"));
             }));
  router.add("GET", "/throw", [](Request&) -> asio::awaitable<Response> {
    throw std::runtime_error("boom");
    co_return empty_response(200);
  });
  router.add("GET", "/conflict", sync_handler([](Request&) {
               return error_response(make_error(Errc::conflict, "already there"));
             }));
  return router;
}

class HttpServerTest : public ::testing::Test {
 protected:
  ServerOptions options() {
    ServerOptions o;
    o.metrics = server_metrics(metrics_);
    o.access_log_name = "access-test";
    o.decorate = [](Response& r) { r.set_header("X-Content-Type-Options", "nosniff"); };
    return o;
  }
  Metrics metrics_;
  Router router_ = make_router();
  ServerHarness harness_{router_, options()};
};

TEST_F(HttpServerTest, GetReturnsHandlerResponseWithFraming) {
  auto r = fetch(harness_.port(), "GET", "/hello");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(r->body(), "hello");
  EXPECT_EQ((*r)[bhttp::field::content_length], "5");
  EXPECT_EQ((*r)[bhttp::field::server], "ccteams");
  EXPECT_FALSE((*r)[bhttp::field::date].empty());
  EXPECT_EQ((*r)["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ((*r)[bhttp::field::content_type], "text/plain");
}

TEST_F(HttpServerTest, PathParamsAndLiteralSegmentsWin) {
  auto param = fetch(harness_.port(), "GET", "/users/42");
  ASSERT_TRUE(param);
  EXPECT_EQ(param->body(), "param 42");
  auto literal = fetch(harness_.port(), "GET", "/users/me");
  ASSERT_TRUE(literal);
  EXPECT_EQ(literal->body(), "literal me");
  auto encoded = fetch(harness_.port(), "GET", "/users/a%20b");
  ASSERT_TRUE(encoded);
  EXPECT_EQ(encoded->body(), "param a b");
}

TEST_F(HttpServerTest, UnknownRouteIs404JsonError) {
  auto r = fetch(harness_.port(), "GET", "/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 404);
  EXPECT_EQ((*r)[bhttp::field::content_type], "application/json");
  EXPECT_EQ(body_json(*r).at("error").at("code"), "not_found");
  EXPECT_EQ((*r)["X-Content-Type-Options"], "nosniff");  // decorate sees server-made responses
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  auto r = fetch(harness_.port(), "PUT", "/users/7", "x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 405);
  EXPECT_EQ((*r)[bhttp::field::allow], "GET, HEAD, DELETE");
  EXPECT_TRUE(body_json(*r).at("error").is_object());
}

TEST_F(HttpServerTest, ErrorResultsKeepTheirStatusAndShape) {
  auto r = fetch(harness_.port(), "GET", "/conflict");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 409);
  const auto body = body_json(*r);
  EXPECT_EQ(body.at("error").at("code"), "conflict");
  EXPECT_EQ(body.at("error").at("message"), "already there");
}

TEST_F(HttpServerTest, HeadUsesGetHandlerWithoutBody) {
  WireClient client(harness_.port());
  auto r = client.request("HEAD", "/hello");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ((*r)[bhttp::field::content_length], "5");
  EXPECT_TRUE(r->body().empty());
  // No stray body bytes: the next response on the connection parses cleanly.
  auto next = client.request("GET", "/hello");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body(), "hello");
}

TEST_F(HttpServerTest, NoContentHasNeitherBodyNorLength) {
  auto r = fetch(harness_.port(), "DELETE", "/users/1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 204);
  EXPECT_EQ(r->count(bhttp::field::content_length), 0u);
  EXPECT_TRUE(r->body().empty());
}

TEST_F(HttpServerTest, KeepAliveServesSeveralRequestsOnOneSocket) {
  WireClient client(harness_.port());
  for (int i = 0; i < 3; ++i) {
    auto r = client.request("GET", "/hello");
    ASSERT_TRUE(r) << client.error().message();
    EXPECT_EQ(r->body(), "hello");
    EXPECT_TRUE(r->keep_alive());
  }
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  WireClient client(harness_.port());
  ASSERT_FALSE(client.send(
      "GET /users/1 HTTP/1.1\r\nHost: t\r\n\r\nGET /users/2 HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  auto a = client.read();
  auto b = client.read();
  auto c = client.read();
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->body(), "param 1");
  EXPECT_EQ(b->body(), "param 2");
  EXPECT_EQ(c->body(), "hello");
  EXPECT_EQ((*c)[bhttp::field::connection], "close");
  EXPECT_TRUE(client.closed_by_peer(2s));
}

TEST_F(HttpServerTest, Http10ClosesUnlessKeepAliveAsked) {
  WireClient plain(harness_.port());
  ASSERT_FALSE(plain.send("GET /hello HTTP/1.0\r\n\r\n"));
  auto r = plain.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->version(), 10u);
  EXPECT_EQ(r->body(), "hello");
  EXPECT_TRUE(plain.closed_by_peer(2s));

  WireClient kept(harness_.port());
  for (int i = 0; i < 2; ++i) {
    ASSERT_FALSE(kept.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto k = kept.read();
    ASSERT_TRUE(k);
    EXPECT_EQ((*k)[bhttp::field::connection], "keep-alive");
  }
}

TEST_F(HttpServerTest, RequestFieldsAreFilled) {
  auto r = fetch(harness_.port(), "GET", "/echo?x=a%20b&y=2", {}, {{"X-Custom-Thing", "v1"}});
  ASSERT_TRUE(r);
  const auto body = body_json(*r);
  EXPECT_EQ(body.at("method"), "GET");
  EXPECT_EQ(body.at("target"), "/echo?x=a%20b&y=2");
  EXPECT_EQ(body.at("path"), "/echo");
  EXPECT_EQ(body.at("query"), "x=a%20b&y=2");
  EXPECT_EQ(body.at("x"), "a b");
  EXPECT_EQ(body.at("headers").at("x-custom-thing"), "v1");
  EXPECT_EQ(body.at("remote"), "127.0.0.1");
  EXPECT_EQ(body.at("secure"), false);
}

TEST_F(HttpServerTest, BadPathsAre400) {
  for (const char* target : {"/users/%zz", "/users/a%00b", "/users/a%2Fb", "/users/../hello",
                             "/users/%2e%2e/hello", "*"}) {
    auto r = fetch(harness_.port(), "GET", target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->result_int(), 400) << target;
    EXPECT_EQ(body_json(*r).at("error").at("code"), "invalid_input") << target;
  }
}

TEST_F(HttpServerTest, HandlerExceptionIs500AndConnectionStaysUsable) {
  WireClient client(harness_.port());
  auto r = client.request("GET", "/throw");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 500);
  EXPECT_EQ(body_json(*r).at("error").at("code"), "internal");
  // The exception's text is for the log; the client gets an id to quote.
  EXPECT_EQ(r->body().find("boom"), std::string::npos) << r->body();
  const std::string id((*r)["X-Correlation-Id"]);
  EXPECT_EQ(id.size(), 24u);
  EXPECT_EQ(std::string(body_json(*r).at("error").at("correlationId").as_string()), id);
  auto next = client.request("GET", "/hello");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body(), "hello");
}

TEST_F(HttpServerTest, MalformedRequestLineIs400ThenClose) {
  WireClient client(harness_.port());
  ASSERT_FALSE(client.send("THIS IS NOT HTTP\r\n\r\n"));
  auto r = client.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 400);
  EXPECT_EQ(body_json(*r).at("error").at("code"), "invalid_input");
  EXPECT_EQ((*r)[bhttp::field::connection], "close");
  EXPECT_TRUE(client.closed_by_peer(3s));
  // The server is still there.
  ASSERT_TRUE(fetch(harness_.port(), "GET", "/hello"));
}

TEST_F(HttpServerTest, MalformedJsonIs400) {
  auto bad = fetch(harness_.port(), "POST", "/json", "{not json",
                   {{"Content-Type", "application/json"}});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->result_int(), 400);
  EXPECT_EQ(body_json(*bad).at("error").at("code"), "invalid_input");
  auto missing =
      fetch(harness_.port(), "POST", "/json", "{}", {{"Content-Type", "application/json"}});
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->result_int(), 400);
  auto good = fetch(harness_.port(), "POST", "/json", R"({"name":"ann"})",
                    {{"Content-Type", "application/json; charset=utf-8"}});
  ASSERT_TRUE(good);
  EXPECT_EQ(good->result_int(), 200);
  EXPECT_EQ(body_json(*good).at("hi"), "ann");
}

TEST_F(HttpServerTest, InternalErrorShowsACorrelationIdNotItsText) {
  auto r = fetch(harness_.port(), "GET", "/internal");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 500);
  const auto body = body_json(*r);
  const std::string id((*r)["X-Correlation-Id"]);
  ASSERT_EQ(id.size(), 24u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
  EXPECT_EQ(body.at("error").at("code"), "internal");
  EXPECT_EQ(std::string(body.at("error").at("correlationId").as_string()), id);
  EXPECT_EQ(std::string(body.at("error").at("message").as_string()),
            "Internal error; quote correlation id " + id + " to your operator");
  EXPECT_EQ(r->body().find("secret_things"), std::string::npos) << r->body();
  // A fresh id each time.
  auto again = fetch(harness_.port(), "GET", "/internal");
  ASSERT_TRUE(again);
  EXPECT_NE(std::string((*again)["X-Correlation-Id"]), id);
  // Other errors keep their message and carry no id.
  auto conflict = fetch(harness_.port(), "GET", "/conflict");
  ASSERT_TRUE(conflict);
  EXPECT_EQ(body_json(*conflict).at("error").at("message"), "already there");
  EXPECT_TRUE((*conflict)["X-Correlation-Id"].empty());
}

TEST_F(HttpServerTest, ApiBodiesMustBeJson) {
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", ""}) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (*type != '\0') headers.emplace_back("Content-Type", type);
    for (const char* path : {"/api/v1/act", "/json"}) {
      auto r = fetch(harness_.port(), "POST", path, R"({"name":"ann"})", headers);
      ASSERT_TRUE(r);
      EXPECT_EQ(r->result_int(), 415) << path << " with '" << type << "'";
      EXPECT_EQ(body_json(*r).at("error").at("code"), "unsupported_media_type");
    }
  }
  for (const char* type :
       {"application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8"}) {
    auto r = fetch(harness_.port(), "POST", "/api/v1/act", "{}", {{"Content-Type", type}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->result_int(), 204) << type;
  }
  // No body, nothing to label; and outside /api/ the handler decides.
  auto empty = fetch(harness_.port(), "POST", "/api/v1/act", "");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->result_int(), 204);
  auto form = fetch(harness_.port(), "POST", "/form", "a=b",
                    {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_TRUE(form);
  EXPECT_EQ(form->result_int(), 204);
}

TEST_F(HttpServerTest, ExpectContinueGetsInterimResponse) {
  WireClient client(harness_.port());
  ASSERT_FALSE(client.send(
      "POST /json HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Type: "
      "application/json\r\nContent-Length: 14\r\n\r\n"));
  auto interim = client.read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->result_int(), 100);
  ASSERT_FALSE(client.send(R"({"name":"bob"})"));
  auto r = client.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
}

TEST_F(HttpServerTest, MetricsUseRoutePatternsAndStatus) {
  ASSERT_TRUE(fetch(harness_.port(), "GET", "/users/1"));
  ASSERT_TRUE(fetch(harness_.port(), "GET", "/users/2"));
  ASSERT_TRUE(fetch(harness_.port(), "GET", "/missing"));
  // The server records after the response is on the wire, each connection on its own: wait
  // for all three (on a loaded machine the 404 may be recorded before the 200s).
  const std::vector<std::string> expected = {
      R"(http_requests_total{method="GET",route="/users/{id}",status="200"} 2)",
      R"(http_requests_total{method="GET",route="unmatched",status="404"} 1)",
      R"(http_request_duration_seconds_count{method="GET",route="/users/{id}"} 2)"};
  auto recorded = [&](const std::string& text) {
    return std::all_of(expected.begin(), expected.end(), [&](const std::string& line) {
      return text.find(line) != std::string::npos;
    });
  };
  std::string text = prometheus_text(metrics_);
  for (int i = 0; i < 6000 && !recorded(text); ++i) {
    std::this_thread::sleep_for(5ms);
    text = prometheus_text(metrics_);
  }
  for (const auto& line : expected) EXPECT_NE(text.find(line), std::string::npos) << text;
  EXPECT_EQ(text.find("/users/1"), std::string::npos);  // paths are not labels
}

TEST(HttpServerAccessLog, OneLinePerRequestWithoutQueryOrHeaders) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  auto logger = std::make_shared<spdlog::logger>("access-log-test", sink);
  logger->set_pattern("%v");
  spdlog::register_logger(logger);
  Router router = make_router();
  ServerOptions o;
  o.access_log_name = "access-log-test";
  {
    ServerHarness harness(router, o);
    ASSERT_TRUE(fetch(harness.port(), "GET", "/echo?code=SECRETCODE",
                      {}, {{"Authorization", "Bearer SECRETTOKEN"}}));
  }
  spdlog::drop("access-log-test");
  const auto text = out.str();
  EXPECT_NE(text.find("GET /echo 200 "), std::string::npos) << text;
  EXPECT_NE(text.find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(text.find("SECRET"), std::string::npos) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
}

}  // namespace
}  // namespace ccteams::http
