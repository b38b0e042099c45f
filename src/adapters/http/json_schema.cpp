#include "adapters/http/json_schema.hpp"

#include <boost/json.hpp>
#include <cmath>
#include <regex>

namespace ccteams::http {

namespace json = boost::json;

namespace {

using Check = Result<void, SchemaMismatch>;

Check mismatch(const std::string& pointer, std::string message) {
  return SchemaMismatch{pointer, std::move(message)};
}

std::string escape_token(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

bool is_integer(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  return v.is_double() && std::isfinite(v.as_double()) &&
         std::trunc(v.as_double()) == v.as_double();
}

bool has_type(const json::value& v, std::string_view type) {
  if (type == "null") return v.is_null();
  if (type == "boolean") return v.is_bool();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "number") return v.is_number();
  if (type == "integer") return is_integer(v);
  return false;
}

std::string type_name(const json::value& v) {
  if (v.is_null()) return "null";
  if (v.is_bool()) return "boolean";
  if (v.is_object()) return "object";
  if (v.is_array()) return "array";
  if (v.is_string()) return "string";
  return is_integer(v) ? "integer" : "number";
}

double number_of(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.as_int64());
  if (v.is_uint64()) return static_cast<double>(v.as_uint64());
  return v.as_double();
}

// Equality as JSON Schema means it: 1 and 1.0 are the same number.
bool json_equal(const json::value& a, const json::value& b) {
  if (a.is_number() && b.is_number()) return number_of(a) == number_of(b);
  return a == b;
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

class Validator {
 public:
  explicit Validator(const json::value& root) : root_(root) {}

  Check check(const json::value& v, const json::value& schema, const std::string& at, int depth) {
    // A $ref cycle in the document must not become a stack overflow.
    if (depth > 64) return mismatch(at, "schema nesting deeper than 64 ($ref cycle?)");
    if (schema.is_bool()) {
      if (schema.as_bool()) return {};
      return mismatch(at, "no value is allowed here");
    }
    if (!schema.is_object()) return mismatch(at, "the schema is not an object");
    const auto& s = schema.as_object();
    if (const auto* ref = s.if_contains("$ref")) {
      const auto* target =
          ref->is_string() ? resolve_json_pointer(root_, ref->as_string()) : nullptr;
      if (target == nullptr) {
        return mismatch(at, "unresolved $ref " + json::serialize(*ref));
      }
      if (auto r = check(v, *target, at, depth + 1); !r) return r;
    }
    if (auto r = check_type(v, s, at); !r) return r;
    if (auto r = check_values(v, s, at); !r) return r;
    if (auto r = check_combinators(v, s, at, depth); !r) return r;
    if (v.is_object()) {
      if (auto r = check_object(v.as_object(), s, at, depth); !r) return r;
    }
    if (v.is_array()) {
      if (auto r = check_array(v.as_array(), s, at, depth); !r) return r;
    }
    if (v.is_string()) return check_string(v.as_string(), s, at);
    return {};
  }

 private:
  Check check_type(const json::value& v, const json::object& s, const std::string& at) {
    const auto* type = s.if_contains("type");
    if (type == nullptr) return {};
    if (type->is_string()) {
      if (has_type(v, type->as_string())) return {};
    } else if (type->is_array()) {
      for (const auto& t : type->as_array()) {
        if (t.is_string() && has_type(v, t.as_string())) return {};
      }
    }
    return mismatch(at, "expected type " + json::serialize(*type) + ", got " + type_name(v));
  }

  Check check_values(const json::value& v, const json::object& s, const std::string& at) {
    if (const auto* c = s.if_contains("const"); c && !json_equal(v, *c)) {
      return mismatch(
          at, "expected the constant " + json::serialize(*c) + ", got " + json::serialize(v));
    }
    if (const auto* e = s.if_contains("enum"); e && e->is_array()) {
      bool found = false;
      for (const auto& option : e->as_array()) found = found || json_equal(v, option);
      if (!found) {
        return mismatch(at, json::serialize(v) + " is not one of " + json::serialize(*e));
      }
    }
    if (v.is_number()) {
      const double n = number_of(v);
      if (const auto* m = s.if_contains("minimum"); m && m->is_number() && n < number_of(*m)) {
        return mismatch(at, json::serialize(v) + " is below the minimum " + json::serialize(*m));
      }
      if (const auto* m = s.if_contains("maximum"); m && m->is_number() && n > number_of(*m)) {
        return mismatch(at, json::serialize(v) + " is above the maximum " + json::serialize(*m));
      }
    }
    return {};
  }

  Check check_combinators(const json::value& v, const json::object& s, const std::string& at,
                          int depth) {
    if (const auto* all = s.if_contains("allOf"); all && all->is_array()) {
      for (const auto& sub : all->as_array()) {
        if (auto r = check(v, sub, at, depth + 1); !r) return r;
      }
    }
    if (const auto* any = s.if_contains("anyOf"); any && any->is_array()) {
      std::optional<SchemaMismatch> first;
      bool matched = false;
      for (const auto& sub : any->as_array()) {
        auto r = check(v, sub, at, depth + 1);
        if (r) {
          matched = true;
          break;
        }
        if (!first) first = r.error();
      }
      if (!matched) {
        return mismatch(at, "matches none of anyOf" +
                                (first ? " (first: " + describe(*first) + ")" : std::string()));
      }
    }
    if (const auto* one = s.if_contains("oneOf"); one && one->is_array()) {
      std::optional<SchemaMismatch> first;
      int matched = 0;
      for (const auto& sub : one->as_array()) {
        auto r = check(v, sub, at, depth + 1);
        if (r) {
          ++matched;
        } else if (!first) {
          first = r.error();
        }
      }
      if (matched == 0) {
        return mismatch(at, "matches none of oneOf" +
                                (first ? " (first: " + describe(*first) + ")" : std::string()));
      }
      if (matched > 1) {
        return mismatch(at, "matches " + std::to_string(matched) + " of oneOf, not exactly one");
      }
    }
    return {};
  }

  Check check_object(const json::object& o, const json::object& s, const std::string& at,
                     int depth) {
    if (const auto* req = s.if_contains("required"); req && req->is_array()) {
      for (const auto& name : req->as_array()) {
        if (name.is_string() && !o.contains(name.as_string())) {
          return mismatch(at,
                          "required property '" + std::string(name.as_string()) + "' is missing");
        }
      }
    }
    const json::object* props = nullptr;
    if (const auto* p = s.if_contains("properties"); p && p->is_object()) props = &p->as_object();
    const json::value* additional = s.if_contains("additionalProperties");
    for (const auto& [key, value] : o) {
      const std::string here = at + "/" + escape_token(key);
      if (props != nullptr) {
        if (const auto* sub = props->if_contains(key)) {
          if (auto r = check(value, *sub, here, depth + 1); !r) return r;
          continue;
        }
      }
      if (additional == nullptr) continue;
      if (additional->is_bool() && !additional->as_bool()) {
        return mismatch(here, "property '" + std::string(key) + "' is not allowed");
      }
      if (auto r = check(value, *additional, here, depth + 1); !r) return r;
    }
    return {};
  }

  Check check_array(const json::array& a, const json::object& s, const std::string& at, int depth) {
    if (const auto* m = s.if_contains("minItems");
        m && is_integer(*m) && static_cast<double>(a.size()) < number_of(*m)) {
      return mismatch(at, "fewer than " + json::serialize(*m) + " items");
    }
    if (const auto* m = s.if_contains("maxItems");
        m && is_integer(*m) && static_cast<double>(a.size()) > number_of(*m)) {
      return mismatch(at, "more than " + json::serialize(*m) + " items");
    }
    if (const auto* items = s.if_contains("items")) {
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (auto r = check(a[i], *items, at + "/" + std::to_string(i), depth + 1); !r) return r;
      }
    }
    return {};
  }

  Check check_string(const json::string& str, const json::object& s, const std::string& at) {
    const std::size_t n = code_points(str);
    if (const auto* m = s.if_contains("minLength");
        m && is_integer(*m) && static_cast<double>(n) < number_of(*m)) {
      return mismatch(at, "shorter than " + json::serialize(*m) + " characters");
    }
    if (const auto* m = s.if_contains("maxLength");
        m && is_integer(*m) && static_cast<double>(n) > number_of(*m)) {
      return mismatch(at, "longer than " + json::serialize(*m) + " characters");
    }
    if (const auto* p = s.if_contains("pattern"); p && p->is_string()) {
      try {
        const std::regex re(std::string(p->as_string()), std::regex::ECMAScript);
        if (!std::regex_search(str.begin(), str.end(), re)) {
          return mismatch(at, json::serialize(json::value(str)) + " does not match the pattern " +
                                  json::serialize(*p));
        }
      } catch (const std::regex_error&) {
        return mismatch(at, "the schema's pattern " + json::serialize(*p) + " is not a regex");
      }
    }
    return {};
  }

  static std::string describe(const SchemaMismatch& m) {
    return (m.pointer.empty() ? std::string("(root)") : m.pointer) + ": " + m.message;
  }

  const json::value& root_;
};

}  // namespace

const json::value* resolve_json_pointer(const json::value& root, std::string_view pointer) {
  if (pointer.starts_with("#")) pointer.remove_prefix(1);
  const json::value* at = &root;
  while (!pointer.empty()) {
    if (pointer.front() != '/') return nullptr;
    pointer.remove_prefix(1);
    const auto end = pointer.find('/');
    const std::string_view raw = pointer.substr(0, end);
    pointer = end == std::string_view::npos ? std::string_view() : pointer.substr(end);
    std::string token;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
        token += raw[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        token += raw[i];
      }
    }
    if (at->is_object()) {
      at = at->as_object().if_contains(token);
    } else if (at->is_array()) {
      std::size_t index = 0;
      for (char c : token) {
        if (c < '0' || c > '9') return nullptr;
        index = index * 10 + static_cast<std::size_t>(c - '0');
      }
      if (token.empty() || index >= at->as_array().size()) return nullptr;
      at = &at->as_array()[index];
    } else {
      return nullptr;
    }
    if (at == nullptr) return nullptr;
  }
  return at;
}

Result<void, SchemaMismatch> validate_json(const json::value& instance, const json::value& schema,
                                           const json::value& root) {
  return Validator(root).check(instance, schema, "", 0);
}

}  // namespace ccteams::http
