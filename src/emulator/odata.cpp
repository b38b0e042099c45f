#include "emulator/odata.hpp"

#include <algorithm>
#include <cctype>

#include "emulator/encoding.hpp"
#include "emulator/odata_text.hpp"

namespace ccteams::emulator {

using namespace odata_text;  // NOLINT: internal helpers of this component

namespace {

// Splits a value into the words Entra's search index holds: letters and digits runs.
std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80) {
      cur.push_back(static_cast<char>(std::tolower(u)));
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace

GraphResult<std::vector<std::vector<SearchClause>>> parse_search(std::string_view text,
                                                                 const CollectionSchema& schema) {
  std::vector<std::vector<SearchClause>> groups(1);
  std::size_t i = 0;
  bool expect_clause = true;
  const auto syntax = [&] {
    return bad_request("Syntax error: the $search value '" + std::string(text) +
                       "' is not valid. Use \"property:value\" clauses.");
  };
  while (i < text.size()) {
    if (text[i] == ' ') {
      ++i;
      continue;
    }
    if (expect_clause) {
      if (text[i] != '"') return syntax();
      const auto close = text.find('"', i + 1);
      if (close == std::string_view::npos) return syntax();
      const auto clause = text.substr(i + 1, close - i - 1);
      const auto colon = clause.find(':');
      if (colon == std::string_view::npos || colon == 0) return syntax();
      auto prop = known(schema.searchable, clause.substr(0, colon));
      if (!prop) {
        return unsupported("Unsupported or invalid search clause specified for property '" +
                           std::string(clause.substr(0, colon)) + "' of resource '" +
                           schema.type_name + "'.");
      }
      groups.back().push_back({*prop, std::string(clause.substr(colon + 1))});
      i = close + 1;
      expect_clause = false;
    } else {
      const auto end = text.find(' ', i);
      const auto op = text.substr(i, end == std::string_view::npos ? text.size() - i : end - i);
      if (op == "OR") {
        groups.emplace_back();
      } else if (op != "AND") {
        return syntax();
      }
      i += op.size();
      expect_clause = true;
    }
  }
  if (expect_clause) return syntax();
  return groups;
}

GraphResult<CollectionQuery> parse_collection_query(
    const std::vector<std::pair<std::string, std::string>>& params, bool eventual,
    const CollectionSchema& schema) {
  CollectionQuery q;
  q.eventual = eventual;
  bool count_requested = false;
  std::optional<std::string> filter_text;
  std::optional<std::string> search_text;
  for (const auto& [key, value] : params) {
    const std::string k = lower(key);
    if (k == "$select") {
      std::string_view rest = value;
      while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view name = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
        if (name.empty()) continue;
        if (known(schema.not_in_collection, name)) {
          return graph_error(501, "NotImplemented",
                             "The property '" + std::string(name) +
                                 "' does not support being returned in a collection.");
        }
        auto p = known(schema.properties, name);
        if (!p) {
          return bad_request("Could not find a property named '" + std::string(name) +
                             "' on type '" + schema.type_name + "'.");
        }
        q.select.push_back(*p);
      }
    } else if (k == "$filter") {
      filter_text = value;
    } else if (k == "$search") {
      search_text = value;
    } else if (k == "$count") {
      if (value != "true" && value != "false") return bad_request("Invalid $count value.");
      count_requested = value == "true";
    } else if (k == "$top") {
      int top = 0;
      const bool numeric = !value.empty() && value.size() < 9 &&
                           std::all_of(value.begin(), value.end(), [](char c) {
                             return std::isdigit(static_cast<unsigned char>(c));
                           });
      if (numeric) top = std::stoi(value);
      if (!numeric || top < 1 || top > schema.max_top) {
        return bad_request("Invalid page size specified: '" + value + "'. Must be between 1 and " +
                           std::to_string(schema.max_top) + " inclusive.");
      }
      q.top = top;
    } else if (k == "$skip") {
      return bad_request("'$skip' is not supported by the service.");
    } else if (k == "$orderby") {
      std::string_view v = value;
      const auto space = v.find(' ');
      auto p = known(schema.orderable, v.substr(0, space));
      const auto dir = space == std::string_view::npos ? std::string_view{} : v.substr(space + 1);
      if (!p || !(dir.empty() || ieq(dir, "asc") || ieq(dir, "desc"))) {
        return unsupported("Unsupported sort property '" + std::string(v.substr(0, space)) +
                           "' for '" + schema.type_name + "'.");
      }
      q.orderby = *p;
      q.orderby_descending = ieq(dir, "desc");
    } else if (k == "$skiptoken") {
      q.skiptoken = value;
    } else if (k == "$deltatoken") {
      q.deltatoken = value;
    } else if (k == "$expand" || k == "$format" || k == "$levels") {
      return bad_request("Query option '" + key + "' is not supported by the emulator.");
    } else if (!k.empty() && k[0] == '$') {
      return bad_request("Query option '" + key + "' is not allowed.");
    }
    // Other parameters are not OData options; Graph ignores them.
  }
  if (search_text) {
    if (!eventual) {
      return unsupported(
          "Request with $search query parameter only works through MSGraph with a special "
          "request header: 'ConsistencyLevel: eventual'");
    }
    auto s = parse_search(*search_text, schema);
    if (!s) return s.error();
    q.search = std::move(*s);
  }
  // Graph silently drops $count=true when the header is missing (§2): no error, no count.
  q.count = count_requested && eventual;
  const bool advanced_ok = eventual && count_requested;
  if (filter_text) {
    auto f = parse_filter(*filter_text, schema);
    if (!f) return f.error();
    if (filter_is_advanced(**f) && !advanced_ok) {
      return unsupported("Unsupported or invalid query filter clause specified for property '" +
                         std::string((*f)->property.empty() ? "filter" : (*f)->property) +
                         "' of resource '" + schema.type_name + "'.");
    }
    q.filter = *f;
    if (q.orderby && !advanced_ok) {
      return unsupported("Sorting not supported for current query.");
    }
  }
  return q;
}

bool search_matches(const std::vector<std::vector<SearchClause>>& search,
                    const PropertyLookup& lookup) {
  const auto clause_matches = [&](const SearchClause& c) {
    const auto needle = lower(c.value);
    for (const auto& v : lookup(c.property)) {
      if (!v) continue;
      if (istarts_with(*v, needle)) return true;
      for (const auto& w : words(*v)) {
        if (w.starts_with(needle)) return true;
      }
    }
    return false;
  };
  return std::any_of(search.begin(), search.end(), [&](const std::vector<SearchClause>& group) {
    return std::all_of(group.begin(), group.end(), clause_matches);
  });
}

std::string PageTokenCodec::seal(std::string_view payload) const {
  const std::string body = base64url_encode(payload);
  return body + "." + base64url_encode(hmac_sha256(key_, body).substr(0, 16));
}

std::optional<std::string> PageTokenCodec::open(std::string_view token) const {
  const auto dot = token.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const auto body = token.substr(0, dot);
  auto mac = base64url_decode(token.substr(dot + 1));
  if (!mac || !constant_time_equal(*mac, hmac_sha256(key_, body).substr(0, 16))) {
    return std::nullopt;
  }
  return base64url_decode(body);
}

}  // namespace ccteams::emulator
