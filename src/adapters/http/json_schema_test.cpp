#include "adapters/http/json_schema.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace ccteams::http {
namespace {

namespace json = boost::json;

// The document the "$ref"s below point into.
const char* const kRoot = R"({"components":{"schemas":{
  "Id":{"type":"integer","minimum":1},
  "Pair":{"type":"object","properties":{"a":{"$ref":"#/components/schemas/Id"}},
          "required":["a"],"additionalProperties":false},
  "Loop":{"$ref":"#/components/schemas/Loop"},
  "a/b":{"const":1}}}})";

struct Case {
  const char* name;
  const char* schema;
  const char* instance;
  const char* pointer;  // nullptr: valid; else where the mismatch must be reported
};

const Case kCases[] = {
    {"any value for an empty schema", "{}", R"({"x":[1,null]})", nullptr},
    {"true allows", "true", "3", nullptr},
    {"false refuses", "false", "3", ""},
    {"type string", R"({"type":"string"})", R"("a")", nullptr},
    {"type string refuses a number", R"({"type":"string"})", "1", ""},
    {"integer accepts 2", R"({"type":"integer"})", "2", nullptr},
    {"integer accepts 2.0", R"({"type":"integer"})", "2.0", nullptr},
    {"integer refuses 2.5", R"({"type":"integer"})", "2.5", ""},
    {"number accepts an integer", R"({"type":"number"})", "2", nullptr},
    {"boolean", R"({"type":"boolean"})", "false", nullptr},
    {"null", R"({"type":"null"})", "null", nullptr},
    {"array of types with null", R"({"type":["string","null"]})", "null", nullptr},
    {"array of types refuses", R"({"type":["string","null"]})", "1", ""},
    {"enum member", R"({"enum":["a","b"]})", R"("b")", nullptr},
    {"enum refuses", R"({"enum":["a","b"]})", R"("c")", ""},
    {"const", R"({"const":"msteams"})", R"("msteams")", nullptr},
    {"const refuses", R"({"const":"msteams"})", R"("x")", ""},
    {"minimum", R"({"minimum":1})", "0", ""},
    {"maximum", R"({"maximum":10})", "10", nullptr},
    {"maximum refuses", R"({"maximum":10})", "11", ""},
    {"minLength counts code points", R"({"minLength":2})", R"("é")", ""},
    {"maxLength counts code points", R"({"maxLength":1})", R"("é")", nullptr},
    {"maxLength refuses", R"({"maxLength":1})", R"("ab")", ""},
    {"pattern searched", R"({"pattern":"^\\+[0-9]+$"})", R"("+155")", nullptr},
    {"pattern refuses", R"({"pattern":"^\\+[0-9]+$"})", R"("155")", ""},
    {"required", R"({"type":"object","required":["a"]})", R"({"b":1})", ""},
    {"properties checked", R"({"properties":{"a":{"type":"string"}}})", R"({"a":1})", "/a"},
    {"other properties allowed by default", R"({"properties":{"a":{}}})", R"({"b":1})", nullptr},
    {"additionalProperties false", R"({"properties":{"a":{}},"additionalProperties":false})",
     R"({"a":1,"b":2})", "/b"},
    {"additionalProperties schema", R"({"additionalProperties":{"type":"integer"}})",
     R"({"a":1,"b":"x"})", "/b"},
    {"items", R"({"type":"array","items":{"type":"integer"}})", "[1,2,3]", nullptr},
    {"items refuses with the index", R"({"items":{"type":"integer"}})", R"([1,"x"])", "/1"},
    {"minItems", R"({"minItems":1})", "[]", ""},
    {"maxItems", R"({"maxItems":1})", "[1,2]", ""},
    {"$ref resolved", R"({"$ref":"#/components/schemas/Pair"})", R"({"a":3})", nullptr},
    {"$ref nested mismatch", R"({"$ref":"#/components/schemas/Pair"})", R"({"a":0})", "/a"},
    {"$ref closed object", R"({"$ref":"#/components/schemas/Pair"})", R"({"a":1,"z":1})", "/z"},
    {"$ref escaped token", R"({"$ref":"#/components/schemas/a~1b"})", "1", nullptr},
    {"$ref unresolved", R"({"$ref":"#/components/schemas/Nope"})", "1", ""},
    {"$ref cycle ends", R"({"$ref":"#/components/schemas/Loop"})", "1", ""},
    {"allOf all", R"({"allOf":[{"type":"integer"},{"minimum":3}]})", "2", ""},
    {"anyOf one", R"({"anyOf":[{"type":"string"},{"type":"integer"}]})", "2", nullptr},
    {"anyOf none", R"({"anyOf":[{"type":"string"},{"type":"integer"}]})", "true", ""},
    {"oneOf exactly one", R"({"oneOf":[{"type":"null"},{"$ref":"#/components/schemas/Id"}]})",
     "null", nullptr},
    {"oneOf two", R"({"oneOf":[{"type":"number"},{"type":"integer"}]})", "2", ""},
    {"oneOf none", R"({"oneOf":[{"type":"string"},{"type":"null"}]})", "2", ""},
    {"format ignored", R"({"type":"string","format":"date-time"})", R"("not a date")", nullptr},
    {"deep pointer escapes", R"({"properties":{"a/b":{"items":{"type":"string"}}}})",
     R"({"a/b":["x",1]})", "/a~1b/1"},
};

TEST(JsonSchema, EveryCaseOfTheSubsetWeUse) {
  const json::value root = json::parse(kRoot);
  for (const auto& c : kCases) {
    const auto got = validate_json(json::parse(c.instance), json::parse(c.schema), root);
    if (c.pointer == nullptr) {
      EXPECT_TRUE(got) << c.name << ": "
                       << (got ? "" : got.error().pointer + " " + got.error().message);
    } else {
      ASSERT_FALSE(got) << c.name << ": accepted";
      EXPECT_EQ(got.error().pointer, c.pointer) << c.name << ": " << got.error().message;
      EXPECT_FALSE(got.error().message.empty()) << c.name;
    }
  }
}

TEST(JsonSchema, MismatchMessagesNameWhatIsWrong) {
  const json::value root = json::parse(kRoot);
  auto got = validate_json(json::parse(R"({"b":1})"),
                           json::parse(R"({"$ref":"#/components/schemas/Pair"})"), root);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("'a'"), std::string::npos) << got.error().message;
  got =
      validate_json(json::parse("1"), json::parse(R"({"$ref":"#/components/schemas/Nope"})"), root);
  ASSERT_FALSE(got);
  EXPECT_NE(got.error().message.find("#/components/schemas/Nope"), std::string::npos);
}

TEST(JsonSchema, ResolvesPointersIntoObjectsAndArrays) {
  const json::value root = json::parse(R"({"a":[{"b~c":5}]})");
  const auto* v = resolve_json_pointer(root, "#/a/0/b~0c");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->as_int64(), 5);
  EXPECT_EQ(resolve_json_pointer(root, "/a/1"), nullptr);
  EXPECT_EQ(resolve_json_pointer(root, "/a/x"), nullptr);
  EXPECT_EQ(resolve_json_pointer(root, "a"), nullptr);
  EXPECT_EQ(resolve_json_pointer(root, ""), &root);
}

}  // namespace
}  // namespace ccteams::http
