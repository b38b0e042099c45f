// Token endpoint replies, Entra and Graph error bodies, and request encoders.
#include <gtest/gtest.h>

#include <map>

#include "adapters/graph/graph_json.hpp"
#include "adapters/http/http_types.hpp"

namespace ccteams::graph {
namespace {

// v2-oauth2-client-creds-grant-flow.md plus the ext_expires_in real responses carry.
TEST(DecodeTokenResponse, ClientCredentialsWithExtExpiresIn) {
  auto r = decode_token_response(
      R"({"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6Ik1uQ19WWmNBVGZNNXBP"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->token_type, "Bearer");
  EXPECT_EQ(r->expires_in, 3599);
  EXPECT_EQ(r->ext_expires_in, 3599);
  EXPECT_FALSE(r->refresh_token.has_value());
  EXPECT_FALSE(r->id_token.has_value());
}

// v2-oauth2-auth-code-flow.md: the doc shows scope URL-encoded.
TEST(DecodeTokenResponse, AuthCodeWithRefreshAndIdTokenAndEncodedScope) {
  auto r = decode_token_response(R"({
    "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6Ik5HVEZ2ZEstZnl0aEV1Q",
    "token_type": "Bearer",
    "expires_in": 3599,
    "scope": "https%3A%2F%2Fgraph.microsoft.com%2Fmail.read",
    "refresh_token": "AwABAAAAvPM1KaPlrEqdFSBzjqfTGAMxZGUTdM0t4B4",
    "id_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.eyJhdWQiOiIyZDRkMTFhMi1mODE0LTQ2YTctOD"
  })");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->scope, "https://graph.microsoft.com/mail.read");
  EXPECT_EQ(r->refresh_token, "AwABAAAAvPM1KaPlrEqdFSBzjqfTGAMxZGUTdM0t4B4");
  EXPECT_TRUE(r->id_token.has_value());
}

TEST(DecodeTokenResponse, PlainScopeAndStringExpiry) {
  auto r = decode_token_response(
      R"({"token_type":"Bearer","expires_in":"3600","access_token":"a","scope":"Presence.Read.All offline_access"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->expires_in, 3600);
  EXPECT_EQ(r->scope, "Presence.Read.All offline_access");
}

// Found by fuzz/graph_fuzz.cpp: "%ef" decoded to a lone 0xEF byte, and `graph decode` printed
// JSON that was not UTF-8. A percent sign that does not encode printable ASCII stays as sent.
TEST(DecodeTokenResponse, KeepsAScopeWhosePercentSignsAreNotAnEncoding) {
  auto r = decode_token_response(
      R"({"token_type":"Bearer","expires_in":3600,"access_token":"a","scope":"hs%efault 100%"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->scope, "hs%efault 100%");
}

TEST(DecodeTokenResponse, RefusesAnErrorBodyAndMissingFields) {
  auto e = decode_token_response(R"({"error":"invalid_grant"})");
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().message, "error: this is a token error response, not a token");
  auto m = decode_token_response(R"({"token_type":"Bearer","access_token":"a"})");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message, "expires_in: missing");
  auto z = decode_token_response(R"({"token_type":"Bearer","access_token":"a","expires_in":0})");
  ASSERT_FALSE(z);
  EXPECT_EQ(z.error().message, "expires_in: must be positive");
}

// v2-oauth2-client-creds-grant-flow.md, error response example.
TEST(DecodeTokenError, DocumentedInvalidScope) {
  auto r = decode_token_error(R"({
    "error": "invalid_scope",
    "error_description": "AADSTS70011: The provided value for the input parameter 'scope' is not valid. The scope https://foo.microsoft.com/.default is not valid.\r\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2016-01-09 02:02:12Z",
    "error_codes": [70011],
    "timestamp": "2016-01-09 02:02:12Z",
    "trace_id": "0000aaaa-11bb-cccc-dd22-eeeeee333333",
    "correlation_id": "aaaa0000-bb11-2222-33cc-444444dddddd"
  })", 400);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->code, "invalid_scope");
  EXPECT_EQ(r->error_codes, std::vector<std::int64_t>{70011});
  EXPECT_TRUE(r->has_aadsts(70011));
  EXPECT_EQ(r->trace_id, "0000aaaa-11bb-cccc-dd22-eeeeee333333");
  EXPECT_EQ(r->correlation_id, "aaaa0000-bb11-2222-33cc-444444dddddd");
  EXPECT_EQ(r->timestamp, "2016-01-09 02:02:12Z");
  EXPECT_EQ(r->http_status, 400);
  EXPECT_EQ(r->kind, GraphErrorKind::invalid_request);
  EXPECT_EQ(r->message.substr(0, 12), "AADSTS70011:");
}

struct TokenErrorCase {
  int status;
  const char* error;
  GraphErrorKind kind;
};

class ClassifyTokenError : public ::testing::TestWithParam<TokenErrorCase> {};

TEST_P(ClassifyTokenError, Table) {
  EXPECT_EQ(classify_token_error(GetParam().status, GetParam().error), GetParam().kind)
      << GetParam().status << " " << GetParam().error;
}

INSTANTIATE_TEST_SUITE_P(
    Entra, ClassifyTokenError,
    ::testing::Values(TokenErrorCase{400, "invalid_grant", GraphErrorKind::unauthorized},  // 70008
                      TokenErrorCase{401, "invalid_client", GraphErrorKind::unauthorized},
                      TokenErrorCase{400, "unauthorized_client", GraphErrorKind::unauthorized},
                      TokenErrorCase{400, "interaction_required", GraphErrorKind::unauthorized},
                      TokenErrorCase{400, "consent_required", GraphErrorKind::unauthorized},
                      TokenErrorCase{400, "invalid_request", GraphErrorKind::invalid_request},
                      TokenErrorCase{400, "invalid_scope", GraphErrorKind::invalid_request},
                      TokenErrorCase{400, "temporarily_unavailable", GraphErrorKind::unavailable},
                      TokenErrorCase{503, "", GraphErrorKind::unavailable},
                      TokenErrorCase{429, "", GraphErrorKind::throttled}));

TEST(DecodeTokenError, RefreshTokenExpiredCarriesItsCodes) {
  auto r = decode_token_error(
      R"({"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity.","error_codes":[700082],"error_uri":"https://login.microsoftonline.com/error?code=700082"})",
      400);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, GraphErrorKind::unauthorized);
  EXPECT_TRUE(r->has_aadsts(700082));
  EXPECT_FALSE(r->has_aadsts(70008));
  auto bad = decode_token_error(R"({"error":"invalid_grant","error_codes":["70008"]})", 400);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "error_codes[0]: expected an integer");
}

// errors.md: the envelope, with nested inner errors in both spellings.
TEST(DecodeGraphError, NestedInnerErrors) {
  auto r = decode_graph_error(R"({
    "error": {
      "code": "badRequest",
      "message": "Uploaded fragment overlaps with existing data.",
      "innerError": {
        "code": "invalidRange",
        "request-id": "b7b9ebce-3e4f-4d4f-a1b1-1b0f7b2c9e1a",
        "client-request-id": "6a8a0c43-7ef7-4c28-9b3d-2b4c0a3d1c55",
        "date": "2026-11-24T08:25:35",
        "innererror": {"code": "fragmentOverlap"}
      }
    }
  })", 400);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->code, "badRequest");
  EXPECT_EQ(r->message, "Uploaded fragment overlaps with existing data.");
  EXPECT_EQ(r->inner_codes, (std::vector<std::string>{"invalidRange", "fragmentOverlap"}));
  EXPECT_EQ(r->request_id, "b7b9ebce-3e4f-4d4f-a1b1-1b0f7b2c9e1a");
  EXPECT_EQ(r->client_request_id, "6a8a0c43-7ef7-4c28-9b3d-2b4c0a3d1c55");
  EXPECT_EQ(r->date, "2026-11-24T08:25:35");
  EXPECT_EQ(r->kind, GraphErrorKind::invalid_request);
}

struct GraphErrorCase {
  int status;
  const char* body;
  GraphErrorKind kind;
};

class DecodeGraphErrorKinds : public ::testing::TestWithParam<GraphErrorCase> {};

TEST_P(DecodeGraphErrorKinds, Table) {
  auto r = decode_graph_error(GetParam().body, GetParam().status);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->kind, GetParam().kind) << GetParam().body;
}

INSTANTIATE_TEST_SUITE_P(
    Graph, DecodeGraphErrorKinds,
    ::testing::Values(
        GraphErrorCase{403, R"({"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"2026-11-24T08:25:35","request-id":"r"}}})",
                       GraphErrorKind::forbidden},
        GraphErrorCase{400, R"({"error":{"code":"Request_UnsupportedQuery","message":"Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'"}})",
                       GraphErrorKind::invalid_request},
        GraphErrorCase{410, R"({"error":{"code":"syncStateNotFound","message":"The sync state generation is not found."}})",
                       GraphErrorKind::resync_required},
        GraphErrorCase{400, R"({"error":{"code":"badRequest","message":"x","innerError":{"code":"resyncRequired"}}})",
                       GraphErrorKind::resync_required},
        GraphErrorCase{404, R"({"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist."}})",
                       GraphErrorKind::not_found},
        GraphErrorCase{429, R"({"error":{"code":"TooManyRequests","message":"Too many requests."}})",
                       GraphErrorKind::throttled},
        GraphErrorCase{503, R"({"error":{"code":"serviceNotAvailable","message":"Service unavailable."}})",
                       GraphErrorKind::unavailable},
        GraphErrorCase{401, R"({"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}})",
                       GraphErrorKind::unauthorized}));

TEST(DecodeGraphError, RefusesNonEnvelopes) {
  auto a = decode_graph_error(R"({"error":"invalid_grant"})", 400);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message, "error: expected an object, got a string");
  auto b = decode_graph_error(R"({"error":{"message":"m"}})", 400);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message, "error.code: missing");
}

TEST(GraphErrorToError, MapsKindAndKeepsRetryAfter) {
  GraphError e;
  e.kind = GraphErrorKind::throttled;
  e.http_status = 429;
  e.code = "TooManyRequests";
  e.message = "Too many requests.";
  e.retry_after_seconds = 7;
  const Error core = e.to_error();
  EXPECT_EQ(core.code, Errc::rate_limited);
  EXPECT_EQ(core.retry_after_seconds, 7);
  EXPECT_EQ(core.message, "Microsoft Graph 429 TooManyRequests: Too many requests.");
  e.kind = GraphErrorKind::resync_required;
  EXPECT_EQ(e.to_error().code, Errc::conflict);
  e.kind = GraphErrorKind::transport;
  EXPECT_EQ(e.to_error().code, Errc::unavailable);
}

// ---- encoders ----

struct DurationCase {
  std::int64_t seconds;
  const char* text;
};

class Iso8601Duration : public ::testing::TestWithParam<DurationCase> {};

TEST_P(Iso8601Duration, FormatsAndParsesBack) {
  EXPECT_EQ(iso8601_duration(std::chrono::seconds{GetParam().seconds}), GetParam().text);
  EXPECT_EQ(parse_iso8601_duration(GetParam().text), std::chrono::seconds{GetParam().seconds});
}

INSTANTIATE_TEST_SUITE_P(Table, Iso8601Duration,
                         ::testing::Values(DurationCase{300, "PT5M"}, DurationCase{600, "PT10M"},
                                           DurationCase{3600, "PT1H"},
                                           DurationCase{14400, "PT4H"},
                                           DurationCase{5400, "PT1H30M"},
                                           DurationCase{45, "PT45S"},
                                           DurationCase{3661, "PT1H1M1S"}));

TEST(ParseIso8601Duration, RefusesMalformed) {
  for (const char* bad : {"", "P", "PT", "T5M", "PT5", "PTM", "PT5X", "P5M5", "5M"}) {
    EXPECT_FALSE(parse_iso8601_duration(bad).has_value()) << bad;
  }
  EXPECT_EQ(parse_iso8601_duration("P1D"), std::chrono::seconds{86400});
}

TEST(EncodeRequests, SetPresenceAsTheDocShows) {
  SetPresenceRequest r{"u1", "22553876-f5ab-4529-bffb-cfe50aa89f87", "Busy", "InACall",
                       std::chrono::minutes{10}};
  EXPECT_EQ(encode_set_presence(r),
            R"({"sessionId":"22553876-f5ab-4529-bffb-cfe50aa89f87","availability":"Busy","activity":"InACall","expirationDuration":"PT10M"})");
  r.expiration.reset();
  EXPECT_EQ(encode_set_presence(r).find("expirationDuration"), std::string::npos);
  EXPECT_EQ(encode_clear_presence("22553876-f5ab-4529-bffb-cfe50aa89f87"),
            R"({"sessionId":"22553876-f5ab-4529-bffb-cfe50aa89f87"})");
}

TEST(EncodeRequests, PresencesByUserIdAndRenew) {
  EXPECT_EQ(encode_presences_by_user_id({"fa8bf3dc-eca7-46b7-bad1-db199b62afc3", "66825e03"}),
            R"({"ids":["fa8bf3dc-eca7-46b7-bad1-db199b62afc3","66825e03"]})");
  SubscriptionRenewal renewal{from_unix_millis(1795508735123), std::nullopt, std::nullopt};
  EXPECT_EQ(encode_subscription_renew(renewal),
            R"({"expirationDateTime":"2026-11-24T08:25:35.123Z"})");
  renewal.encryption_certificate = "MIIC";
  renewal.encryption_certificate_id = "ccteams-2";
  EXPECT_EQ(encode_subscription_renew(renewal),
            R"({"expirationDateTime":"2026-11-24T08:25:35.123Z","encryptionCertificate":"MIIC",)"
            R"("encryptionCertificateId":"ccteams-2"})");
}

TEST(EncodeRequests, SubscriptionCreateRoundTripsThroughTheDecoder) {
  SubscriptionRequest req;
  req.presence_user_ids = {"a", "b"};
  req.notification_url = "https://cc.example.com/webhooks/graph/notifications?org=1";
  req.lifecycle_notification_url = "https://cc.example.com/webhooks/graph/lifecycle";
  req.expiration = from_unix_millis(1795508735000);
  req.client_state = "s3cret";
  req.include_resource_data = true;
  req.encryption_certificate = "MIIBIjAN";
  req.encryption_certificate_id = "cert-1";
  const std::string body = encode_subscription_create(req);
  EXPECT_NE(body.find(R"("changeType":"updated")"), std::string::npos);
  EXPECT_NE(body.find(R"("encryptionCertificate":"MIIBIjAN")"), std::string::npos);
  // Graph answers with the same fields plus id: the decoder reads them back.
  auto back = decode_subscription(body.substr(0, body.size() - 1) + R"(,"id":"new"})");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->resource, "/communications/presences?$filter=id in ('a','b')");
  EXPECT_EQ(back->notification_url, req.notification_url);
  EXPECT_EQ(back->expiration, req.expiration);
  EXPECT_EQ(back->client_state, "s3cret");
  EXPECT_TRUE(back->include_resource_data);
}

TEST(EncodeRequests, TokenFormsAreUrlEncoded) {
  const auto cc = http::parse_form(encode_client_credentials_form("app-id", "se&cr=et"));
  ASSERT_EQ(cc.size(), 4u);
  EXPECT_EQ(cc[1], (std::pair<std::string, std::string>{"scope", "https://graph.microsoft.com/.default"}));
  EXPECT_EQ(cc[2].second, "se&cr=et");
  EXPECT_EQ(cc[3].second, "client_credentials");
  EXPECT_NE(encode_client_credentials_form("a", "b").find("https%3A%2F%2Fgraph.microsoft.com%2F.default"),
            std::string::npos);

  AuthCodeRequest ac{"organizations", "AwABAAAAvPM1", "http://localhost/myapp/", "verif-ier",
                     "https://graph.microsoft.com/Presence.Read.All offline_access"};
  const auto f = http::parse_form(encode_auth_code_form("app-id", "", ac));
  std::map<std::string, std::string> m(f.begin(), f.end());
  EXPECT_EQ(m["grant_type"], "authorization_code");
  EXPECT_EQ(m["redirect_uri"], "http://localhost/myapp/");
  EXPECT_EQ(m["code_verifier"], "verif-ier");
  EXPECT_EQ(m["scope"], "https://graph.microsoft.com/Presence.Read.All offline_access");
  EXPECT_EQ(m.count("client_secret"), 0u);  // public client

  const auto rf = http::parse_form(encode_refresh_form("app-id", "sec", {"t", "OAAABAAA", ""}));
  std::map<std::string, std::string> rm(rf.begin(), rf.end());
  EXPECT_EQ(rm["grant_type"], "refresh_token");
  EXPECT_EQ(rm["refresh_token"], "OAAABAAA");
  EXPECT_EQ(rm["client_secret"], "sec");
  EXPECT_EQ(rm.count("scope"), 0u);
}

}  // namespace
}  // namespace ccteams::graph
