#pragma once
// OData query options of Graph's directory endpoints, with Entra's rules (graph-protocol.md
// §2): $select, $filter (eq, ne, not, startswith, endswith, in, and/or), $search
// ("prop:value" clauses joined by OR/AND), $count, $top, $orderby, opaque $skiptoken, and the
// ConsistencyLevel: eventual rules with Graph's error bodies. Pure; no I/O.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/graph_error.hpp"

namespace ccteams::emulator {

// One filter node. Leaves compare a property with literals; inner nodes combine.
struct FilterNode {
  enum class Kind { eq, ne, in, startswith, endswith, and_, or_, not_ };
  Kind kind = Kind::eq;
  std::string property;                        // leaves
  std::vector<std::optional<std::string>> values;  // literals; nullopt is null; bools "true"/"false"
  std::vector<std::shared_ptr<const FilterNode>> children;  // and_/or_/not_
};

struct SearchClause {
  std::string property;
  std::string value;
};

// Property values as the filter sees them: nullopt for null; a collection as several values.
using PropertyLookup = std::function<std::vector<std::optional<std::string>>(std::string_view)>;

struct CollectionQuery {
  std::vector<std::string> select;  // empty: the default property set
  std::shared_ptr<const FilterNode> filter;
  std::vector<std::vector<SearchClause>> search;  // OR of AND groups; empty: no search
  bool count = false;  // $count=true honoured (only with ConsistencyLevel: eventual)
  int top = 100;
  std::optional<std::string> orderby;  // property
  bool orderby_descending = false;
  std::optional<std::string> skiptoken;
  std::optional<std::string> deltatoken;
  bool eventual = false;  // the ConsistencyLevel: eventual header was sent
};

// The schema the parser checks names against.
struct CollectionSchema {
  std::vector<std::string> properties;            // selectable and filterable
  std::vector<std::string> not_in_collection;     // selecting these gives 501
  std::vector<std::string> searchable;
  std::vector<std::string> orderable;
  std::string type_name;                          // "Microsoft.DirectoryServices.User"
  int max_top = 999;
};

// Parses and checks the query options. Errors follow Graph:
//  * $search without ConsistencyLevel: eventual -> 400 Request_UnsupportedQuery (documented text)
//  * ne / not / endsWith / $orderby with $filter without eventual + $count=true -> 400
//    Request_UnsupportedQuery
//  * $skip -> 400 Request_BadRequest; $top outside 1..max_top -> 400 Request_BadRequest
//  * unknown property -> 400 Request_BadRequest; a property not returned in collections -> 501
//  * $count=true without the header is ignored silently (as Graph does)
GraphResult<CollectionQuery> parse_collection_query(
    const std::vector<std::pair<std::string, std::string>>& params, bool eventual,
    const CollectionSchema& schema);

GraphResult<std::shared_ptr<const FilterNode>> parse_filter(std::string_view text,
                                                            const CollectionSchema& schema);
GraphResult<std::vector<std::vector<SearchClause>>> parse_search(std::string_view text,
                                                                 const CollectionSchema& schema);

bool filter_matches(const FilterNode& node, const PropertyLookup& lookup);
// Entra's $search is tokenized: "displayName:wa" matches a word of displayName starting
// with "wa" (case-insensitive); mail and UPN match as a prefix.
bool search_matches(const std::vector<std::vector<SearchClause>>& search,
                    const PropertyLookup& lookup);
// Whether the filter uses operators that need advanced query capabilities.
bool filter_is_advanced(const FilterNode& node);

// Paging and delta tokens are opaque to clients and sealed with an HMAC so that hand-made or
// altered tokens are refused (clients must follow nextLink verbatim, §2).
class PageTokenCodec {
 public:
  explicit PageTokenCodec(std::string key) : key_(std::move(key)) {}
  std::string seal(std::string_view payload) const;
  std::optional<std::string> open(std::string_view token) const;  // nullopt: forged or damaged

 private:
  std::string key_;
};

}  // namespace ccteams::emulator
