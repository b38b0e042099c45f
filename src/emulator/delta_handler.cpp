// GET /v1.0/users/delta (and /users/microsoft.graph.delta): graph-protocol.md §2 "Delta".
// State lives in sealed tokens: the $select and id filter of the first call, the change
// window (since, upto] and, within a round, the last id sent. Pages walk users by id, so a
// user changing mid-round cannot shift the others; it shows up in the next round instead.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <cctype>

#include "emulator/emulator_state.hpp"
#include "emulator/user_json.hpp"

namespace ccteams::emulator {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxDeltaIds = 50;
constexpr std::size_t kDefaultDeltaPage = 100;

struct DeltaCursor {
  std::vector<std::string> select;
  std::vector<std::string> ids;  // empty: every user
  std::uint64_t since = 0;       // changes after this version ...
  std::uint64_t upto = 0;        // ... up to and including this one
  std::string after_id;          // last id sent in this round
};

json::object encode(const DeltaCursor& c) {
  json::array sel(c.select.begin(), c.select.end());
  json::array ids(c.ids.begin(), c.ids.end());
  return {{"sel", sel}, {"ids", ids}, {"since", c.since}, {"upto", c.upto}, {"after", c.after_id}};
}

std::optional<DeltaCursor> decode(const std::string& payload) {
  json::error_code ec;
  auto v = json::parse(payload, ec);
  if (ec || !v.is_object()) return std::nullopt;
  try {
    const auto& o = v.as_object();
    DeltaCursor c;
    for (const auto& x : o.at("sel").as_array()) c.select.emplace_back(x.as_string());
    for (const auto& x : o.at("ids").as_array()) c.ids.emplace_back(x.as_string());
    c.since = o.at("since").to_number<std::uint64_t>();
    c.upto = o.at("upto").to_number<std::uint64_t>();
    c.after_id = std::string(o.at("after").as_string());
    return c;
  } catch (const std::exception&) {
    return std::nullopt;  // a sealed token is ours, so this only happens across versions
  }
}

// Delta accepts only "id eq '…' or id eq '…'" with at most 50 ids (§2).
std::optional<std::vector<std::string>> delta_ids(const FilterNode& n) {
  if (n.kind == FilterNode::Kind::eq && n.property == "id" && n.values[0]) {
    return std::vector<std::string>{*n.values[0]};
  }
  if (n.kind != FilterNode::Kind::or_) return std::nullopt;
  auto a = delta_ids(*n.children[0]);
  auto b = delta_ids(*n.children[1]);
  if (!a || !b) return std::nullopt;
  a->insert(a->end(), b->begin(), b->end());
  return a;
}

std::vector<std::pair<std::string, std::string>> without_tokens(
    const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& p : params) {
    if (p.first != "$skiptoken" && p.first != "$deltatoken") out.push_back(p);
  }
  return out;
}

std::size_t page_size(const http::Request& req) {
  const std::string_view prefer = req.header("prefer");
  const auto pos = prefer.find("odata.maxpagesize=");
  if (pos == std::string_view::npos) return kDefaultDeltaPage;
  std::size_t n = 0;
  for (auto i = pos + 18; i < prefer.size() && std::isdigit(static_cast<unsigned char>(prefer[i]));
       ++i) {
    n = n * 10 + static_cast<std::size_t>(prefer[i] - '0');
    if (n > 999) break;
  }
  return std::clamp<std::size_t>(n, 1, 999);
}

http::Response users_delta(State& s, http::Request& req) {
  auto caller = authenticate(s, req);
  if (!caller) return graph_error_response(s, req, caller.error());
  if (auto e = require_any(*caller, {"User.Read.All", "User.ReadWrite.All", "Directory.Read.All",
                                     "Directory.ReadWrite.All"},
                           {"User.Read.All", "User.ReadWrite.All", "Directory.Read.All",
                            "Directory.ReadWrite.All"})) {
    return graph_error_response(s, req, *e);
  }
  const auto params = req.query_params();
  std::optional<DeltaCursor> cursor;
  for (const auto& [k, v] : params) {
    if (k != "$skiptoken" && k != "$deltatoken") continue;
    auto payload = s.page_tokens.open(v);
    if (payload) cursor = decode(*payload);
    if (!cursor) {
      return graph_error_response(
          s, req, graph_error(400, "syncStateNotFound",
                              "The sync state is not found or has expired; a full resync "
                              "without a token is required."));
    }
    if (k == "$deltatoken") {  // a new round from where the last one ended
      cursor->since = cursor->upto;
      cursor->upto = caller->tenant->directory.change_version();
      cursor->after_id.clear();
    }
    break;
  }
  if (!cursor) {
    auto q = parse_collection_query(without_tokens(params), false, users_schema());
    if (!q) return graph_error_response(s, req, q.error());
    cursor = DeltaCursor{};
    cursor->select = q->select;
    cursor->upto = caller->tenant->directory.change_version();
    if (q->filter) {
      auto ids = delta_ids(*q->filter);
      if (!ids || ids->size() > kMaxDeltaIds) {
        return graph_error_response(
            s, req, graph_error(400, "Request_UnsupportedQuery",
                                "Delta query supports only $filter=id eq '…' clauses joined by "
                                "'or', with at most 50 ids."));
      }
      cursor->ids = std::move(*ids);
    }
  }
  if (auto t = throttled(s, req, *caller, "identity",
                         identity_limit(caller->tenant->directory.active_user_count()),
                         users_request_cost(!cursor->select.empty(), false, false))) {
    return *t;
  }
  const std::size_t limit = page_size(req);
  json::array value;
  std::string last_id;
  bool more = false;
  for (const auto& u : caller->tenant->directory.all_users()) {  // ordered by id
    if (u.id <= cursor->after_id && !cursor->after_id.empty()) continue;
    if (u.change_version <= cursor->since || u.change_version > cursor->upto) continue;
    // A first round lists the directory as it is; removals matter only to later rounds.
    if (cursor->since == 0 && u.removed_reason) continue;
    if (!cursor->ids.empty() &&
        std::find(cursor->ids.begin(), cursor->ids.end(), u.id) == cursor->ids.end()) {
      continue;
    }
    if (value.size() == limit) {
      more = true;
      break;
    }
    if (u.removed_reason) {
      value.push_back(json::object{{"id", u.id},
                                   {"@removed", json::object{{"reason", *u.removed_reason}}}});
    } else {
      auto o = user_json(u, cursor->select);
      o["id"] = u.id;  // delta always identifies the item
      value.push_back(std::move(o));
    }
    last_id = u.id;
  }
  json::object body{{"@odata.context", s.graph_base + "/v1.0/$metadata#users"}};
  if (more) {
    DeltaCursor next = *cursor;
    next.after_id = last_id;
    body["@odata.nextLink"] = s.graph_base + "/v1.0/users/delta?$skiptoken=" +
                              s.page_tokens.seal(json::serialize(encode(next)));
  } else {
    DeltaCursor done = *cursor;
    done.after_id.clear();
    body["@odata.deltaLink"] = s.graph_base + "/v1.0/users/delta?$deltatoken=" +
                               s.page_tokens.seal(json::serialize(encode(done)));
  }
  body["value"] = std::move(value);
  return graph_json(200, body);
}

}  // namespace

void register_delta_routes(http::Router& router, const std::shared_ptr<State>& s) {
  router.add("GET", "/v1.0/users/delta", graph_route(s, users_delta));
  router.add("GET", "/v1.0/users/microsoft.graph.delta", graph_route(s, users_delta));
}

}  // namespace ccteams::emulator
