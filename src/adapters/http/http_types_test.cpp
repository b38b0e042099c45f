#include "adapters/http/http_types.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "adapters/http/json_io.hpp"

namespace ccteams::http {
namespace {

namespace json = boost::json;

TEST(Errc, MachineReadableNames) {
  EXPECT_EQ(errc_name(Errc::invalid_input), "invalid_input");
  EXPECT_EQ(errc_name(Errc::rate_limited), "rate_limited");
  EXPECT_EQ(errc_name(Errc::not_found), "not_found");
}

TEST(ErrorMapping, EachErrcHasItsStatusAndJsonShape) {
  const std::vector<std::pair<Errc, int>> table = {
      {Errc::invalid_input, 400}, {Errc::unauthenticated, 401}, {Errc::forbidden, 403},
      {Errc::not_found, 404},     {Errc::conflict, 409},        {Errc::payload_too_large, 413},
      {Errc::unsupported_media_type, 415},
      {Errc::rate_limited, 429},  {Errc::unavailable, 503},
  };
  for (const auto& [code, status] : table) {
    EXPECT_EQ(to_http_status(code), status);
    const auto r = error_response(make_error(code, "why \"it\" failed"));
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(r.header("content-type"), "application/json");
    const auto body = json::parse(r.body).as_object();
    ASSERT_EQ(body.size(), 1u);
    const auto& error = body.at("error").as_object();
    EXPECT_EQ(error.at("code").as_string(), errc_name(code));
    EXPECT_EQ(error.at("message").as_string(), "why \"it\" failed");
    EXPECT_EQ(r.header("x-correlation-id"), "");
  }
}

// An internal error's text (SQLite's, a path, an exception's) is for the log only.
TEST(ErrorMapping, InternalErrorGivesACorrelationIdInsteadOfItsText) {
  const auto r = error_response(make_error(Errc::internal, "no such table: /var/lib/secret"));
  EXPECT_EQ(r.status, 500);
  const std::string id(r.header("x-correlation-id"));
  ASSERT_EQ(id.size(), 24u);
  EXPECT_EQ(r.body.find("/var/lib/secret"), std::string::npos) << r.body;
  const auto error = json::parse(r.body).at("error").as_object();
  EXPECT_EQ(error.at("code").as_string(), "internal");
  EXPECT_EQ(error.at("correlationId").as_string(), id);
  EXPECT_EQ(error.at("message").as_string(),
            "Internal error; quote correlation id " + id + " to your operator");
  const auto shown = public_error(make_error(Errc::internal, "x"));
  EXPECT_EQ(shown.error.code, Errc::internal);
  EXPECT_NE(shown.correlation_id, id);
  EXPECT_EQ(public_error(make_error(Errc::conflict, "taken")).error.message, "taken");
}

TEST(ErrorMapping, RetryAfterAndAuthenticateHeaders) {
  auto limited = error_response(make_error(Errc::rate_limited, "slow down", 7));
  EXPECT_EQ(limited.header("Retry-After"), "7");
  auto plain = error_response(make_error(Errc::unavailable, "down"));
  EXPECT_EQ(plain.header("Retry-After"), "");
  auto unauth = error_response(make_error(Errc::unauthenticated, "who"));
  EXPECT_EQ(unauth.header("www-authenticate"), "Bearer");
}

TEST(Response, SetHeaderReplacesCaseInsensitively) {
  Response r;
  r.set_header("Content-Type", "a");
  r.set_header("content-type", "b");
  r.add_header("Set-Cookie", "x=1");
  r.add_header("Set-Cookie", "y=2");
  EXPECT_EQ(r.header("CONTENT-TYPE"), "b");
  EXPECT_EQ(r.headers.size(), 3u);
}

TEST(Request, HeaderQueryAndCookieAccessors) {
  Request req;
  req.headers = {{"x-a", "1"}, {"cookie", "sid=abc; csrf=d%20e;  theme=dark"}};
  req.query = "q=a+b&empty=&flag&bad=%zz&q=second";
  req.path_params = {{"id", "42"}};
  EXPECT_EQ(req.header("X-A"), "1");
  EXPECT_EQ(req.header("missing"), "");
  EXPECT_EQ(req.query_param("q"), "a b");
  EXPECT_EQ(req.query_param("empty"), "");
  EXPECT_EQ(req.query_param("flag"), "");
  EXPECT_EQ(req.query_param("bad"), std::nullopt);  // undecodable pairs are dropped
  EXPECT_EQ(req.query_param("none"), std::nullopt);
  EXPECT_EQ(req.query_params().size(), 4u);
  EXPECT_EQ(req.path_param("id"), "42");
  EXPECT_EQ(req.path_param("nope"), "");
  EXPECT_EQ(req.cookie("sid"), "abc");
  EXPECT_EQ(req.cookie("theme"), "dark");
  EXPECT_EQ(req.cookie("csrf"), "d%20e");
  EXPECT_EQ(req.cookie("absent"), "");
}

TEST(PercentCoding, DecodeRejectsBadEscapes) {
  EXPECT_EQ(percent_decode("a%20b+c", false), "a b+c");
  EXPECT_EQ(percent_decode("a%20b+c", true), "a b c");
  EXPECT_EQ(percent_decode("%41%42", false), "AB");
  EXPECT_EQ(percent_decode("%4", false), std::nullopt);
  EXPECT_EQ(percent_decode("%", false), std::nullopt);
  EXPECT_EQ(percent_decode("%g1", false), std::nullopt);
  EXPECT_EQ(percent_decode("ab%41", false), "abA");
}

TEST(PercentCoding, EncodeRoundTripsFormFields) {
  EXPECT_EQ(percent_encode("a b/c~d"), "a%20b%2Fc~d");
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"redirect_uri", "https://x/cb?a=1&b=2"}, {"scope", "User.Read offline_access"}};
  EXPECT_EQ(parse_form(encode_form(fields)), fields);
}

TEST(JsonIo, ParseJsonObjectErrors) {
  Request req;
  req.body = R"({"a":1})";
  req.headers = {{"content-type", "application/json"}};
  EXPECT_TRUE(parse_json_object(req));
  req.headers = {{"content-type", "application/json; charset=utf-8"}};
  EXPECT_TRUE(parse_json_object(req));

  for (const char* type : {"text/plain", "application/jsonp", ""}) {
    req.headers = {{"content-type", type}};
    auto wrong_type = parse_json_object(req);
    ASSERT_FALSE(wrong_type) << type;
    EXPECT_EQ(wrong_type.error().code, Errc::unsupported_media_type) << type;
  }
  req.headers.clear();
  auto no_type = parse_json_object(req);
  ASSERT_FALSE(no_type);
  EXPECT_EQ(no_type.error().code, Errc::unsupported_media_type);

  req.headers = {{"content-type", "application/json"}};
  for (const char* body : {"{", "", "[1,2]", "\"s\"", "{\"a\":1} trailing"}) {
    req.body = body;
    auto r = parse_json_object(req);
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, Errc::invalid_input) << body;
  }
}

TEST(JsonIo, FieldReadersNameTheField) {
  const auto o = json::parse(R"({"s":"x","n":5,"b":true,"nil":null,"big":18446744073709551615})")
                     .as_object();
  EXPECT_EQ(*required_string(o, "s"), "x");
  auto missing = required_string(o, "gone");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("'gone'"), std::string::npos);
  EXPECT_FALSE(required_string(o, "n"));
  EXPECT_FALSE(required_string(o, "nil"));
  EXPECT_EQ(*optional_string(o, "nil"), std::nullopt);
  EXPECT_FALSE(optional_string(o, "b"));
  EXPECT_EQ(*optional_bool(o, "b"), true);
  EXPECT_FALSE(optional_bool(o, "s"));
  EXPECT_EQ(*optional_int(o, "n"), 5);
  EXPECT_FALSE(optional_int(o, "big"));
  EXPECT_FALSE(optional_int(o, "s"));
  EXPECT_EQ(*optional_int(o, "absent"), std::nullopt);
  const auto r = json_response(201, json::object{{"k", 1}});
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.body, R"({"k":1})");
  EXPECT_EQ(r.header("Content-Type"), "application/json");
}

}  // namespace
}  // namespace ccteams::http
