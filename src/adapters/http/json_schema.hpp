#pragma once
// A JSON Schema (2020-12) validator for the subset our OpenAPI document uses (web/openapi.json):
// type (a name or an array of names, "integer" and "null" included), properties, required,
// additionalProperties (a boolean or a schema), items, enum, const, $ref to
// "#/components/schemas/…" (any "#/…" JSON pointer into the root document), oneOf / anyOf /
// allOf, minimum / maximum, minLength / maxLength (in code points), minItems / maxItems and
// pattern (ECMAScript syntax, searched, not anchored). "format", "description", "example(s)",
// "title" and unknown keywords are ignored, as a validator may. Used by the tests that keep the
// document true (openapi_api_test.cpp, tests/openapi_test.cpp).
//
// Thread-safety: pure functions.

#include <boost/json/value.hpp>
#include <string>

#include "core/result.hpp"

namespace ccteams::http {

// The first place where an instance does not match: a JSON pointer into the instance
// ("" for the whole value, "/items/0/state") and what is wrong there.
struct SchemaMismatch {
  std::string pointer;
  std::string message;
};

// Checks instance against schema; "$ref"s are resolved in root (the document that holds the
// schema). A "$ref" that does not resolve is a mismatch that names it.
Result<void, SchemaMismatch> validate_json(const boost::json::value& instance,
                                           const boost::json::value& schema,
                                           const boost::json::value& root);

// The value at a JSON pointer ("#/components/schemas/User" or "/components/…") in root, or
// nullptr. "~1" and "~0" are unescaped.
const boost::json::value* resolve_json_pointer(const boost::json::value& root,
                                               std::string_view pointer);

}  // namespace ccteams::http
