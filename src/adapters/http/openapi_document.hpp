#pragma once
// Reading our OpenAPI 3.1 document (web/openapi.json): its operations, and whether an answer
// (status and body) is what it documents. For the tests that keep the document true
// (api/openapi_api_test.cpp, tests/openapi_test.cpp); JSON Schema checks are json_schema's.
//
// Thread-safety: pure functions; the pointers returned point into doc.

#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/json_schema.hpp"

namespace ccteams::http {

struct OpenApiOperation {
  std::string method;  // upper-case: "GET"
  std::string path;    // as documented: "/api/v1/users/{id}"
  const boost::json::object* operation = nullptr;
};

// Every operation under "paths", in document order (get, put, post, delete, patch, head,
// options, trace of each path).
std::vector<OpenApiOperation> openapi_operations(const boost::json::value& doc);

// The response object the operation documents for status ("$ref"s to #/components/responses
// resolved), or nullptr.
const boost::json::object* openapi_response(const boost::json::value& doc,
                                            const boost::json::object& operation, int status);

// Checks an answer against the document: status must be documented for method and path (the
// pattern), and a body documented as application/json must be JSON that matches the schema
// (a JSON pointer into the body names the first mismatch). A body documented in another media
// type (text/plain, text/html) is not checked.
Result<void, SchemaMismatch> check_answer(const boost::json::value& doc, std::string_view method,
                                          std::string_view path, int status,
                                          const std::string& body);

}  // namespace ccteams::http
