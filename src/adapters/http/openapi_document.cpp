#include "adapters/http/openapi_document.hpp"

#include <boost/json.hpp>
#include <cctype>

namespace ccteams::http {

namespace json = boost::json;

std::vector<OpenApiOperation> openapi_operations(const json::value& doc) {
  std::vector<OpenApiOperation> out;
  const auto* paths = doc.is_object() ? doc.as_object().if_contains("paths") : nullptr;
  if (paths == nullptr || !paths->is_object()) return out;
  for (const auto& [path, item] : paths->as_object()) {
    if (!item.is_object()) continue;
    for (std::string_view method :
         {"get", "put", "post", "delete", "patch", "head", "options", "trace"}) {
      const auto* op = item.as_object().if_contains(method);
      if (op == nullptr || !op->is_object()) continue;
      std::string upper(method);
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.push_back(OpenApiOperation{std::move(upper), std::string(path), &op->as_object()});
    }
  }
  return out;
}

const json::object* openapi_response(const json::value& doc, const json::object& operation,
                                     int status) {
  const auto* responses = operation.if_contains("responses");
  if (responses == nullptr || !responses->is_object()) return nullptr;
  const auto* r = responses->as_object().if_contains(std::to_string(status));
  for (int hops = 0; r != nullptr && r->is_object() && hops < 8; ++hops) {
    const auto* ref = r->as_object().if_contains("$ref");
    if (ref == nullptr) return &r->as_object();
    r = ref->is_string() ? resolve_json_pointer(doc, ref->as_string()) : nullptr;
  }
  return nullptr;
}

Result<void, SchemaMismatch> check_answer(const json::value& doc, std::string_view method,
                                          std::string_view path, int status,
                                          const std::string& body) {
  const std::string what = std::string(method) + " " + std::string(path);
  const json::object* operation = nullptr;
  for (const auto& op : openapi_operations(doc)) {
    if (op.method == method && op.path == path) operation = op.operation;
  }
  if (operation == nullptr) return SchemaMismatch{"", what + " is not documented"};
  const auto* response = openapi_response(doc, *operation, status);
  if (response == nullptr) {
    return SchemaMismatch{"", "status " + std::to_string(status) + " is not documented for " +
                                  what + " (body: " + body.substr(0, 200) + ")"};
  }
  const auto* content = response->if_contains("content");
  const json::value* schema = nullptr;
  if (content != nullptr && content->is_object()) {
    if (const auto* media = content->as_object().if_contains("application/json");
        media != nullptr && media->is_object()) {
      schema = media->as_object().if_contains("schema");
    }
  }
  if (schema == nullptr) return {};
  boost::system::error_code ec;
  const json::value instance = json::parse(body, ec);
  if (ec) {
    return SchemaMismatch{
        "", what + " " + std::to_string(status) + ": the body is not JSON: " + body.substr(0, 200)};
  }
  auto checked = validate_json(instance, *schema, doc);
  if (!checked) {
    SchemaMismatch m = std::move(checked).error();
    m.message = what + " " + std::to_string(status) + " at '" + m.pointer + "': " + m.message +
                " (body: " + body.substr(0, 400) + ")";
    return m;
  }
  return {};
}

}  // namespace ccteams::http
