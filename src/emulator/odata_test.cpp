#include "emulator/odata.hpp"

#include <gtest/gtest.h>

#include <map>

namespace ccteams::emulator {
namespace {

CollectionSchema schema() {
  CollectionSchema s;
  s.properties = {"id", "displayName", "mail", "department", "jobTitle", "accountEnabled",
                  "businessPhones"};
  s.not_in_collection = {"aboutMe", "skills"};
  s.searchable = {"displayName", "mail"};
  s.orderable = {"displayName"};
  s.type_name = "Microsoft.DirectoryServices.User";
  return s;
}

using Params = std::vector<std::pair<std::string, std::string>>;

PropertyLookup lookup(std::map<std::string, std::vector<std::optional<std::string>>> m) {
  return [m = std::move(m)](std::string_view name) {
    auto it = m.find(std::string(name));
    return it == m.end() ? std::vector<std::optional<std::string>>{} : it->second;
  };
}

TEST(OData, SearchWithoutConsistencyLevelIsTheDocumentedError) {
  auto r = parse_collection_query({{"$search", "\"displayName:wa\""}}, false, schema());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().status, 400);
  EXPECT_EQ(r.error().code, "Request_UnsupportedQuery");
  EXPECT_EQ(r.error().message,
            "Request with $search query parameter only works through MSGraph with a special "
            "request header: 'ConsistencyLevel: eventual'");
  EXPECT_TRUE(parse_collection_query({{"$search", "\"displayName:wa\""}}, true, schema()));
}

TEST(OData, SkipIsNotSupported) {
  auto r = parse_collection_query({{"$skip", "10"}}, true, schema());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "Request_BadRequest");
}

TEST(OData, TopIsBoundedAndDefaultsToOneHundred) {
  EXPECT_EQ(parse_collection_query({}, false, schema())->top, 100);
  EXPECT_EQ(parse_collection_query({{"$top", "999"}}, false, schema())->top, 999);
  EXPECT_FALSE(parse_collection_query({{"$top", "1000"}}, false, schema()));
  EXPECT_FALSE(parse_collection_query({{"$top", "0"}}, false, schema()));
  EXPECT_FALSE(parse_collection_query({{"$top", "x"}}, false, schema()));
}

TEST(OData, CountWithoutHeaderIsSilentlyDropped) {
  auto r = parse_collection_query({{"$count", "true"}}, false, schema());
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->count);
  EXPECT_TRUE(parse_collection_query({{"$count", "true"}}, true, schema())->count);
}

TEST(OData, SelectChecksNamesAndGives501ForNonCollectionProperties) {
  auto r = parse_collection_query({{"$select", "displayName, Department"}}, false, schema());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->select, (std::vector<std::string>{"displayName", "department"}));
  auto bad = parse_collection_query({{"$select", "nope"}}, false, schema());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().status, 400);
  auto nic = parse_collection_query({{"$select", "id,aboutMe"}}, false, schema());
  ASSERT_FALSE(nic);
  EXPECT_EQ(nic.error().status, 501);
}

TEST(OData, FilterEqStartswithInAndOr) {
  auto f = parse_filter(
      "startswith(displayName,'wa') and (department eq 'Sales' or department in ('HR','IT'))",
      schema());
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_TRUE(filter_matches(**f, lookup({{"displayName", {"Walter White"}},
                                          {"department", {"it"}}})));
  EXPECT_FALSE(filter_matches(**f, lookup({{"displayName", {"Walter White"}},
                                           {"department", {"Legal"}}})));
  EXPECT_FALSE(filter_matches(**f, lookup({{"displayName", {"Ann Wall"}},
                                           {"department", {"Sales"}}})));
  auto n = parse_filter("jobTitle eq null and accountEnabled eq true", schema());
  ASSERT_TRUE(n);
  EXPECT_TRUE(filter_matches(**n, lookup({{"accountEnabled", {"true"}}})));
  auto q = parse_filter("displayName eq 'O''Brien'", schema());
  ASSERT_TRUE(q);
  EXPECT_TRUE(filter_matches(**q, lookup({{"displayName", {"O'Brien"}}})));
}

TEST(OData, AdvancedOperatorsNeedHeaderAndCount) {
  const Params p = {{"$filter", "endswith(mail,'@contoso.example')"}};
  auto r = parse_collection_query(p, true, schema());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "Request_UnsupportedQuery");
  Params with_count = p;
  with_count.emplace_back("$count", "true");
  EXPECT_TRUE(parse_collection_query(with_count, true, schema()));
  EXPECT_FALSE(parse_collection_query(with_count, false, schema()));
  EXPECT_FALSE(parse_collection_query({{"$filter", "department ne 'HR'"}}, true, schema()));
}

TEST(OData, MalformedFilterIsBadRequest) {
  for (const char* text : {"displayName eq", "startswith(displayName)", "(department eq 'x'",
                           "department gt 'x'", "nope eq 'x'", "displayName eq 'open"}) {
    auto r = parse_filter(text, schema());
    EXPECT_FALSE(r) << text;
    if (!r) {
      EXPECT_EQ(r.error().status, 400) << text;
    }
  }
}

TEST(OData, SearchIsTokenizedPrefixWithOrAndAnd) {
  auto s = parse_search("\"displayName:wa\" OR \"displayName:ad\"", schema());
  ASSERT_TRUE(s);
  EXPECT_TRUE(search_matches(*s, lookup({{"displayName", {"Ann Walker"}}})));
  EXPECT_TRUE(search_matches(*s, lookup({{"displayName", {"Adele Vance"}}})));
  EXPECT_FALSE(search_matches(*s, lookup({{"displayName", {"Edward Swan"}}})));
  auto a = parse_search("\"displayName:ann\" AND \"mail:ann.w\"", schema());
  ASSERT_TRUE(a);
  EXPECT_TRUE(search_matches(*a, lookup({{"displayName", {"Ann Walker"}},
                                         {"mail", {"ann.walker@x"}}})));
  EXPECT_FALSE(search_matches(*a, lookup({{"displayName", {"Ann Walker"}},
                                          {"mail", {"ann.smith@x"}}})));
  EXPECT_FALSE(parse_search("displayName:wa", schema()));  // quotes are part of the syntax
  EXPECT_FALSE(parse_search("\"displayName:wa\" NEAR \"mail:x\"", schema()));
  auto unknown = parse_search("\"skills:x\"", schema());
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "Request_UnsupportedQuery");
}

TEST(OData, PageTokensRefuseForgeries) {
  PageTokenCodec codec("k1");
  const auto token = codec.seal("{\"offset\":100}");
  EXPECT_EQ(codec.open(token), "{\"offset\":100}");
  EXPECT_EQ(PageTokenCodec("k2").open(token), std::nullopt);
  std::string tampered = token;
  tampered[2] = tampered[2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(codec.open(tampered), std::nullopt);
  EXPECT_EQ(codec.open("100"), std::nullopt);
}

}  // namespace
}  // namespace ccteams::emulator
