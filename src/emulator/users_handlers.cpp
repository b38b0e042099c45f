// GET /v1.0/users, /v1.0/users/$count, /v1.0/users/{id|upn}, /v1.0/me (graph-protocol.md §2),
// /v1.0/me/memberOf (the signed-in user's directory roles, §1.4).
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>

#include "emulator/emulator_state.hpp"
#include "emulator/user_json.hpp"

namespace ccteams::emulator {

namespace json = boost::json;

namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

std::optional<GraphError> require_user_read(const Caller& c) {
  return require_any(c, {"User.Read.All", "User.ReadWrite.All", "Directory.Read.All",
                         "Directory.ReadWrite.All"},
                     {"User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All",
                      "Directory.Read.All", "Directory.ReadWrite.All"});
}

bool eventual(const http::Request& req) {
  return http::iequals(req.header("consistencylevel"), "eventual");
}

Params without(const Params& params, std::string_view key) {
  Params out;
  for (const auto& p : params) {
    if (!http::iequals(p.first, key)) out.push_back(p);
  }
  return out;
}

std::vector<const DirectoryUser*> matching(const TenantModel& directory,
                                           const CollectionQuery& q) {
  std::vector<const DirectoryUser*> out;
  for (const auto& u : directory.all_users()) {
    if (u.removed_reason) continue;
    const auto lookup = user_lookup(u);
    if (q.filter && !filter_matches(*q.filter, lookup)) continue;
    if (!q.search.empty() && !search_matches(q.search, lookup)) continue;
    out.push_back(&u);
  }
  if (q.orderby) {
    const auto key = [&](const DirectoryUser* u) {
      auto v = user_lookup(*u)(*q.orderby);
      return v.empty() || !v[0] ? std::string() : *v[0];
    };
    std::stable_sort(out.begin(), out.end(), [&](const DirectoryUser* a, const DirectoryUser* b) {
      return q.orderby_descending ? key(b) < key(a) : key(a) < key(b);
    });
  }
  return out;
}

std::string context_url(const State& s, const std::vector<std::string>& select) {
  std::string url = s.graph_base + "/v1.0/$metadata#users";
  if (!select.empty()) {
    url += "(";
    for (std::size_t i = 0; i < select.size(); ++i) url += (i ? "," : "") + select[i];
    url += ")";
  }
  return url;
}

http::Response list_users(State& s, http::Request& req) {
  auto caller = authenticate(s, req);
  if (!caller) return graph_error_response(s, req, caller.error());
  if (auto e = require_user_read(*caller)) return graph_error_response(s, req, *e);

  Params params = req.query_params();
  std::size_t offset = 0;
  for (const auto& [k, v] : params) {
    if (k != "$skiptoken") continue;
    // The token carries the original query: a client must follow nextLink, not build it.
    auto payload = s.page_tokens.open(v);
    json::error_code ec;
    auto parsed = payload ? json::parse(*payload, ec) : json::value();
    if (!payload || ec || !parsed.is_object() || !parsed.as_object().contains("o")) {
      return graph_error_response(
          s, req, graph_error(400, "Request_BadRequest",
                              "The specified page token value has expired and can no longer "
                              "be included in your request."));
    }
    offset = static_cast<std::size_t>(parsed.at("o").as_int64());
    params = http::parse_form(std::string(parsed.at("q").as_string()));
    break;
  }
  auto q = parse_collection_query(params, eventual(req), users_schema());
  if (!q) return graph_error_response(s, req, q.error());
  if (auto t = throttled(s, req, *caller, "identity",
                         identity_limit(caller->tenant->directory.active_user_count()),
                         users_request_cost(!q->select.empty(), q->top < 20, false))) {
    return *t;
  }
  const auto users = matching(caller->tenant->directory, *q);
  json::object body{{"@odata.context", context_url(s, q->select)}};
  if (q->count) body["@odata.count"] = users.size();
  json::array value;
  const std::size_t end = std::min(users.size(), offset + static_cast<std::size_t>(q->top));
  for (std::size_t i = offset; i < end; ++i) value.push_back(user_json(*users[i], q->select));
  if (end < users.size()) {
    const Params base = without(params, "$skiptoken");
    const std::string token = s.page_tokens.seal(json::serialize(json::object{
        {"q", http::encode_form(base)}, {"o", static_cast<std::int64_t>(end)}}));
    std::string link = s.graph_base + "/v1.0/users?";
    for (const auto& [k, v] : base) link += k + "=" + http::percent_encode(v) + "&";
    body["@odata.nextLink"] = link + "$skiptoken=" + token;
  }
  body["value"] = std::move(value);
  return graph_json(200, body);
}

http::Response count_users(State& s, http::Request& req) {
  auto caller = authenticate(s, req);
  if (!caller) return graph_error_response(s, req, caller.error());
  if (auto e = require_user_read(*caller)) return graph_error_response(s, req, *e);
  if (!eventual(req)) {
    return graph_error_response(
        s, req, graph_error(400, "Request_BadRequest", "$count is not currently supported."));
  }
  auto params = req.query_params();
  params.emplace_back("$count", "true");
  auto q = parse_collection_query(params, true, users_schema());
  if (!q) return graph_error_response(s, req, q.error());
  if (auto t = throttled(s, req, *caller, "identity",
                         identity_limit(caller->tenant->directory.active_user_count()), 1)) {
    return *t;
  }
  return http::text_response(200, "text/plain", std::to_string(matching(caller->tenant->directory, *q).size()));
}

http::Response user_by_id(State& s, http::Request& req, std::string_view id) {
  auto caller = authenticate(s, req);
  if (!caller) return graph_error_response(s, req, caller.error());
  const bool self = caller->delegated && caller->user_id == id;
  if (!self) {
    if (auto e = require_user_read(*caller)) return graph_error_response(s, req, *e);
  }
  auto params = req.query_params();
  std::vector<std::string> select;
  for (const auto& [k, v] : params) {
    if (k != "$select") continue;
    auto q = parse_collection_query({{k, v}}, false, users_schema());
    if (!q && q.error().status != 501) return graph_error_response(s, req, q.error());
    if (q) select = q->select;
  }
  if (auto t = throttled(s, req, *caller, "identity",
                         identity_limit(caller->tenant->directory.active_user_count()), 1)) {
    return *t;
  }
  const DirectoryUser* u = caller->tenant->directory.find_user(id);
  if (u == nullptr) {
    return graph_error_response(
        s, req, graph_error(404, "Request_ResourceNotFound",
                            "Resource '" + std::string(id) +
                                "' does not exist or one of its queried reference-property "
                                "objects are not present."));
  }
  auto body = user_json(*u, select);
  body.emplace("@odata.context", s.graph_base + "/v1.0/$metadata#users/$entity");
  return graph_json(200, body);
}

std::optional<GraphError> delegated_only(const Caller& c) {
  if (c.delegated) return std::nullopt;
  return graph_error(400, "BadRequest",
                     "/me request is only valid with delegated authentication flow.");
}

// GET /me/memberOf: Graph's user-list-memberof permissions, delegated: User.Read (least
// privileged), Directory.Read.All, Directory.ReadWrite.All, GroupMember.Read.All. The user's
// directory roles only (the emulated tenants have no groups or administrative units).
http::Response my_member_of(State& s, http::Request& req) {
  auto caller = authenticate(s, req);
  if (!caller) return graph_error_response(s, req, caller.error());
  if (auto e = delegated_only(*caller)) return graph_error_response(s, req, *e);
  if (auto e = require_any(*caller, {},
                           {"User.Read", "Directory.Read.All", "Directory.ReadWrite.All",
                            "GroupMember.Read.All"})) {
    return graph_error_response(s, req, *e);
  }
  if (auto t = throttled(s, req, *caller, "identity",
                         identity_limit(caller->tenant->directory.active_user_count()), 1)) {
    return *t;
  }
  const DirectoryUser* u = caller->tenant->directory.find_user(caller->user_id);
  json::array value;
  for (const auto& w : u->wids) {  // authenticate checked that the user exists
    if (auto role = directory_role_json(caller->tenant_id, w)) value.push_back(std::move(*role));
  }
  return graph_json(200, json::object{
                             {"@odata.context", s.graph_base + "/v1.0/$metadata#directoryObjects"},
                             {"value", std::move(value)}});
}

}  // namespace

void register_users_routes(http::Router& router, const std::shared_ptr<State>& s) {
  router.add("GET", "/v1.0/users", graph_route(s, list_users));
  router.add("GET", "/v1.0/users/$count", graph_route(s, count_users));
  router.add("GET", "/v1.0/users/{id}", graph_route(s, [](State& st, http::Request& req) {
               return user_by_id(st, req, req.path_param("id"));
             }));
  router.add("GET", "/v1.0/me", graph_route(s, [](State& st, http::Request& req) {
               auto caller = authenticate(st, req);
               if (!caller) return graph_error_response(st, req, caller.error());
               if (auto e = delegated_only(*caller)) return graph_error_response(st, req, *e);
               return user_by_id(st, req, caller->user_id);
             }));
  router.add("GET", "/v1.0/me/memberOf", graph_route(s, my_member_of));
}

}  // namespace ccteams::emulator
