#include "adapters/http/api/connector_json.hpp"

#include <boost/json.hpp>

#include "adapters/http/json_io.hpp"
#include "adapters/http/message_codes.hpp"

namespace ccteams::http {

namespace json = boost::json;

namespace {

json::value text_or_null(const std::string& s) {
  return s.empty() ? json::value(nullptr) : json::value(s);
}

Error field_error(const std::string& field, const std::string& what) {
  return make_error(Errc::invalid_input, field + " " + what);
}

Result<PresenceMappingRule> rule_from_json(const json::value& v, std::size_t index) {
  const std::string at = "presenceMapping[" + std::to_string(index) + "]";
  if (!v.is_object()) return field_error(at, "must be an object");
  const auto& o = v.as_object();
  for (const auto& [key, _] : o) {
    if (key != "availability" && key != "activity" && key != "idleCodeId") {
      return field_error(at, "has an unknown field '" + std::string(key) + "'");
    }
  }
  PresenceMappingRule rule;
  const auto* availability = o.if_contains("availability");
  if (availability == nullptr || !availability->is_string()) {
    return field_error(at + ".availability", "must be a Teams availability, e.g. DoNotDisturb");
  }
  auto a = parse_known_availability(availability->as_string());
  if (!a) {
    return field_error(at + ".availability", "'" + std::string(availability->as_string()) +
                                                 "' is not a Teams availability");
  }
  rule.availability = *a;
  if (const auto* activity = o.if_contains("activity"); activity && !activity->is_null()) {
    if (!activity->is_string()) {
      return field_error(at + ".activity", "must be a Teams activity or null");
    }
    auto act = parse_known_activity(activity->as_string());
    if (!act) {
      return field_error(at + ".activity",
                         "'" + std::string(activity->as_string()) + "' is not a Teams activity");
    }
    rule.activity = *act;
  }
  const auto* id = o.if_contains("idleCodeId");
  if (id != nullptr && id->is_int64() && id->as_int64() > 0) {
    rule.idle_code = IdleCodeId{id->as_int64()};
  } else if (id != nullptr && id->is_uint64() &&
             id->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    rule.idle_code = IdleCodeId{static_cast<std::int64_t>(id->as_uint64())};
  } else {
    return field_error(at + ".idleCodeId", "must be an idle code id");
  }
  return rule;
}

}  // namespace

json::object connector_to_json(const TeamsConnector& c) {
  json::array permissions;
  for (const auto& p : c.granted_permissions) permissions.emplace_back(p);
  json::array mapping;
  for (const auto& r : c.mapping.rules()) {
    mapping.emplace_back(json::object{
        {"availability", availability_name(r.availability)},
        {"activity", r.activity ? json::value(activity_name(*r.activity)) : json::value(nullptr)},
        {"idleCodeId", r.idle_code.value}});
  }
  json::value by = nullptr;
  if (c.consented_by) {
    by = json::object{{"userId", c.consented_by->value}, {"username", c.consented_by_username}};
  }
  const bool configured = c.status != ConnectorStatus::not_configured;
  return json::object{
      {"type", "msteams"},
      {"name", "Microsoft Teams"},
      {"status", connector_status_name(c.status)},
      {"tenantId", text_or_null(c.tenant_id)},
      {"authorizedBy", std::move(by)},
      {"authorizedByEntra",
       c.consented_by_entra_oid.empty()
           ? json::value(nullptr)
           : json::value(json::object{{"userPrincipalName", c.consented_by_entra_upn},
                                      {"objectId", c.consented_by_entra_oid}})},
      {"authorizedAt",
       c.consented_at ? json::value(format_iso8601(*c.consented_at)) : json::value(nullptr)},
      {"grantedPermissions", std::move(permissions)},
      {"showUserDetails", c.show_user_details},
      {"presenceSync", c.presence_sync},
      {"presenceMapping", std::move(mapping)},
      {"lastError", text_or_null(c.last_error)},
      {"lastErrorCode", message_code_json(c.last_error)},
      {"updatedAt", configured ? json::value(format_iso8601(c.updated_at)) : json::value(nullptr)}};
}

Result<ConnectorPatch> connector_patch_from_json(const json::object& o) {
  for (const auto& [key, _] : o) {
    if (key != "showUserDetails" && key != "presenceSync" && key != "presenceMapping") {
      return make_error(Errc::invalid_input, "unknown field '" + std::string(key) + "'");
    }
  }
  ConnectorPatch p;
  auto details = optional_bool(o, "showUserDetails");
  if (!details) return std::move(details).error();
  p.show_user_details = *details;
  auto sync = optional_bool(o, "presenceSync");
  if (!sync) return std::move(sync).error();
  p.presence_sync = *sync;
  if (const auto* m = o.if_contains("presenceMapping")) {
    if (!m->is_array()) return field_error("presenceMapping", "must be an array of rules");
    std::vector<PresenceMappingRule> rules;
    for (std::size_t i = 0; i < m->as_array().size(); ++i) {
      auto rule = rule_from_json(m->as_array()[i], i);
      if (!rule) return std::move(rule).error();
      rules.push_back(*rule);
    }
    p.presence_mapping = std::move(rules);
  }
  return p;
}

json::object audit_entry_to_json(const ConnectorAuditEntry& e) {
  json::value actor = nullptr;
  if (e.actor) actor = json::object{{"userId", e.actor->value}, {"username", e.actor_username}};
  return json::object{{"id", e.id},
                      {"at", format_iso8601(e.at)},
                      {"actor", std::move(actor)},
                      {"action", e.action},
                      {"result", e.result == AuditResult::ok ? "ok" : "error"},
                      {"detail", e.detail},
                      {"detailCode", message_code_json(e.detail)}};
}

}  // namespace ccteams::http
