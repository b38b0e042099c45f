// libFuzzer target: the emulator's OData query options ($filter, $search, $select, $top,
// $orderby, $count) as Entra's user collection takes them, under ASan + UBSan
// (scripts/fuzz.sh). The input is a query string "name=value&..." (the first byte says whether
// ConsistencyLevel: eventual is sent); a query that parses is evaluated against a user, which
// must neither crash nor loop.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "emulator/odata.hpp"

namespace {

using namespace ccteams::emulator;

const CollectionSchema& schema() {
  static const CollectionSchema kSchema = [] {
    CollectionSchema s;
    s.properties = {"id",         "displayName",       "givenName",
                    "mail",       "userPrincipalName", "jobTitle",
                    "department", "accountEnabled",    "businessPhones"};
    s.not_in_collection = {"aboutMe", "skills"};
    s.searchable = {"displayName", "givenName", "mail", "userPrincipalName", "department"};
    s.orderable = {"displayName", "userPrincipalName"};
    s.type_name = "Microsoft.DirectoryServices.User";
    return s;
  }();
  return kSchema;
}

std::vector<std::optional<std::string>> lookup(std::string_view property) {
  if (property == "displayName") return {"Hannah Wu"};
  if (property == "mail") return {"hannah@contoso.example"};
  if (property == "department") return {std::nullopt};
  if (property == "accountEnabled") return {"true"};
  if (property == "businessPhones") return {"+1 425 555 0100", "+1 425 555 0101"};
  return {};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const bool eventual = (data[0] & 1) != 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    const auto part = text.substr(start, end - start);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) {
      params.emplace_back(std::string(part), "");
    } else {
      params.emplace_back(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)));
    }
    start = end + 1;
  }
  auto query = parse_collection_query(params, eventual, schema());
  if (!query) return 0;
  if (query->filter) (void)filter_matches(*query->filter, lookup);
  if (!query->search.empty()) (void)search_matches(query->search, lookup);
  // The filter alone, as the text of the whole input.
  auto filter = parse_filter(text, schema());
  if (filter && *filter) {
    (void)filter_matches(**filter, lookup);
    (void)filter_is_advanced(**filter);
  }
  return 0;
}
