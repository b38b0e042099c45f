// Entra token endpoint replies and Graph error envelopes (graph-protocol.md §1.3, §5).
#include <algorithm>
#include <boost/json.hpp>
#include <initializer_list>

#include "adapters/graph/graph_json.hpp"
#include "adapters/graph/json_reader.hpp"
#include "adapters/graph/token_claims.hpp"
#include "adapters/http/http_types.hpp"

namespace ccteams::graph {

namespace json = boost::json;

Result<TokenResponse> decode_token_response(std::string_view text) {
  CCTEAMS_GRAPH_TRY(doc, parse_document(text));
  CCTEAMS_GRAPH_TRY(root, as_object(doc, ""));
  if (root->contains("error")) {
    // An error body handed to the success decoder: say so instead of "access_token: missing".
    return json_error("error", "this is a token error response, not a token");
  }
  TokenResponse t;
  CCTEAMS_GRAPH_TRY(token_type, required_string(*root, "token_type", ""));
  CCTEAMS_GRAPH_TRY(access_token, required_string(*root, "access_token", ""));
  if (access_token.empty()) return json_error("access_token", "must not be empty");
  CCTEAMS_GRAPH_TRY(expires_in, optional_int(*root, "expires_in", ""));
  if (!expires_in) return json_error("expires_in", "missing");
  if (*expires_in <= 0) return json_error("expires_in", "must be positive");
  CCTEAMS_GRAPH_TRY(ext_expires_in, optional_int(*root, "ext_expires_in", ""));
  CCTEAMS_GRAPH_TRY(refresh_token, optional_string(*root, "refresh_token", ""));
  CCTEAMS_GRAPH_TRY(scope, optional_string(*root, "scope", ""));
  CCTEAMS_GRAPH_TRY(id_token, optional_string(*root, "id_token", ""));
  t.token_type = std::move(token_type);
  t.access_token = std::move(access_token);
  t.expires_in = *expires_in;
  t.ext_expires_in = ext_expires_in;
  t.refresh_token = std::move(refresh_token);
  if (scope && scope->find('%') != std::string::npos) {
    // The doc's example shows the scope URL-encoded; the wire normally is not. Accept both, but
    // scopes are printable ASCII: a "decoding" that gives anything else was not an encoding.
    auto decoded = http::percent_decode(*scope, true);
    if (decoded && std::all_of(decoded->begin(), decoded->end(),
                               [](char c) { return c >= ' ' && c <= '~'; })) {
      scope = std::move(decoded);
    }
  }
  t.scope = std::move(scope);
  t.id_token = std::move(id_token);
  // The tokens arrived in this very reply from the token endpoint: reading their claims
  // unverified is sound here, and only here (token_claims.hpp).
  read_reply_claims(t);
  return t;
}

GraphErrorKind classify_token_error(int status, std::string_view error) {
  if (status == 429) return GraphErrorKind::throttled;
  if (status >= 500 || error == "temporarily_unavailable" || error == "server_error") {
    return GraphErrorKind::unavailable;
  }
  if (error == "invalid_grant" || error == "invalid_client" || error == "unauthorized_client" ||
      error == "interaction_required" || error == "consent_required" ||
      error == "access_denied" || status == 401) {
    return GraphErrorKind::unauthorized;
  }
  return GraphErrorKind::invalid_request;
}

EntraErrorKind classify_entra_error(std::string_view error,
                                    const std::vector<std::int64_t>& error_codes) {
  auto any = [&](std::initializer_list<std::int64_t> codes) {
    return std::any_of(error_codes.begin(), error_codes.end(), [&](std::int64_t c) {
      return std::find(codes.begin(), codes.end(), c) != codes.end();
    });
  };
  // Our app registration first: such a reply says nothing about the account (see the enum).
  if (error == "invalid_client" || any({7000215, 7000222})) {
    return EntraErrorKind::bad_client_secret;
  }
  if (error == "unauthorized_client" || error == "invalid_resource" || any({700016, 500011})) {
    return EntraErrorKind::app_unknown_in_tenant;
  }
  if (any({700082, 700084})) return EntraErrorKind::refresh_token_unused_too_long;
  if (error == "interaction_required" || any({50076, 50079})) {
    return EntraErrorKind::interaction_required;
  }
  if (error == "consent_required" || any({65001})) return EntraErrorKind::consent_required;
  if (any({50057})) return EntraErrorKind::account_disabled;
  if (any({53003})) return EntraErrorKind::blocked_by_conditional_access;
  if (error == "invalid_grant" || any({70008, 50105, 50173})) {
    return EntraErrorKind::refresh_token_dead;
  }
  return EntraErrorKind::none;
}

GraphErrorKind classify_graph_error(int status, std::string_view code) {
  if (http::iequals(code, "resyncRequired") || http::iequals(code, "syncStateNotFound") ||
      status == 410) {
    return GraphErrorKind::resync_required;
  }
  if (status == 429) return GraphErrorKind::throttled;
  if (status >= 500) return GraphErrorKind::unavailable;
  if (status == 401) return GraphErrorKind::unauthorized;
  if (status == 403) return GraphErrorKind::forbidden;
  if (status == 404) return GraphErrorKind::not_found;
  return GraphErrorKind::invalid_request;
}

Result<GraphError> decode_token_error(std::string_view text, int status) {
  CCTEAMS_GRAPH_TRY(doc, parse_document(text));
  CCTEAMS_GRAPH_TRY(root, as_object(doc, ""));
  GraphError e;
  e.http_status = status;
  CCTEAMS_GRAPH_TRY(error, required_string(*root, "error", ""));
  CCTEAMS_GRAPH_TRY(description, optional_string(*root, "error_description", ""));
  CCTEAMS_GRAPH_TRY(timestamp, optional_string(*root, "timestamp", ""));
  CCTEAMS_GRAPH_TRY(trace_id, optional_string(*root, "trace_id", ""));
  CCTEAMS_GRAPH_TRY(correlation_id, optional_string(*root, "correlation_id", ""));
  const auto* codes = root->if_contains("error_codes");
  if (codes != nullptr && !codes->is_null()) {
    if (!codes->is_array()) return json_error("error_codes", "expected an array");
    const auto& a = codes->as_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!a[i].is_int64() && !a[i].is_uint64()) {
        return json_error(json_path("error_codes", i), "expected an integer");
      }
      e.error_codes.push_back(a[i].is_int64() ? a[i].as_int64()
                                              : static_cast<std::int64_t>(a[i].as_uint64()));
    }
  }
  e.kind = classify_token_error(status, error);
  e.entra = classify_entra_error(error, e.error_codes);
  e.code = std::move(error);
  e.message = description.value_or("");
  e.timestamp = std::move(timestamp);
  e.trace_id = std::move(trace_id);
  e.correlation_id = std::move(correlation_id);
  return e;
}

Result<GraphError> decode_graph_error(std::string_view text, int status) {
  CCTEAMS_GRAPH_TRY(doc, parse_document(text));
  CCTEAMS_GRAPH_TRY(root, as_object(doc, ""));
  CCTEAMS_GRAPH_TRY(error, optional_object(*root, "error", ""));
  if (error == nullptr) return json_error("error", "missing (expected the Graph error envelope)");
  GraphError e;
  e.http_status = status;
  CCTEAMS_GRAPH_TRY(code, required_string(*error, "code", "error"));
  CCTEAMS_GRAPH_TRY(message, optional_string(*error, "message", "error"));
  e.kind = classify_graph_error(status, code);
  e.code = std::move(code);
  e.message = message.value_or("");

  // innerError / innererror nest (§5): collect every code and the first ids and date.
  const json::object* inner = error;
  std::string path = "error";
  for (int depth = 0; depth < 16; ++depth) {
    const char* key = inner->contains("innerError") ? "innerError" : "innererror";
    CCTEAMS_GRAPH_TRY(next, optional_object(*inner, key, path));
    if (next == nullptr) break;
    path = json_path(path, key);
    inner = next;
    CCTEAMS_GRAPH_TRY(inner_code, optional_string(*inner, "code", path));
    CCTEAMS_GRAPH_TRY(request_id, optional_string(*inner, "request-id", path));
    CCTEAMS_GRAPH_TRY(client_request_id, optional_string(*inner, "client-request-id", path));
    CCTEAMS_GRAPH_TRY(date, optional_string(*inner, "date", path));
    if (inner_code) {
      if (e.kind == GraphErrorKind::invalid_request || e.kind == GraphErrorKind::not_found) {
        // A nested resyncRequired still means "resync"; nothing else is reclassified.
        if (classify_graph_error(status, *inner_code) == GraphErrorKind::resync_required) {
          e.kind = GraphErrorKind::resync_required;
        }
      }
      e.inner_codes.push_back(std::move(*inner_code));
    }
    if (!e.request_id) e.request_id = std::move(request_id);
    if (!e.client_request_id) e.client_request_id = std::move(client_request_id);
    if (!e.date) e.date = std::move(date);
  }
  return e;
}

GraphError graph_error_from_response(int status, std::string_view body, int retry_after_seconds) {
  auto envelope = decode_graph_error(body, status);
  GraphError e;
  if (envelope) {
    e = std::move(*envelope);
  } else if (auto token = decode_token_error(body, status)) {
    e = std::move(*token);
  } else {
    e.http_status = status;
    e.kind = classify_graph_error(status, "");
    // Proxies and gateways answer with HTML or nothing; keep a little to recognise them by.
    constexpr std::size_t kExcerpt = 200;
    e.message = "HTTP " + std::to_string(status);
    if (!body.empty()) {
      e.message += ": " + std::string(body.substr(0, kExcerpt));
      if (body.size() > kExcerpt) e.message += "…";
    }
  }
  e.retry_after_seconds = retry_after_seconds;
  return e;
}

}  // namespace ccteams::graph
