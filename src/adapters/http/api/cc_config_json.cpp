#include "adapters/http/api/cc_config_json.hpp"

#include <boost/json.hpp>
#include <initializer_list>

#include "adapters/http/json_io.hpp"

namespace ccteams::http {

namespace json = boost::json;

namespace {

Result<void> only_fields(const json::object& o, std::initializer_list<std::string_view> known) {
  for (const auto& [key, _] : o) {
    bool found = false;
    for (auto k : known) found = found || key == k;
    if (!found) return make_error(Errc::invalid_input, "unknown field '" + std::string(key) + "'");
  }
  return ok();
}

Error int_field_error(std::string_view key) {
  return make_error(Errc::invalid_input, "field '" + std::string(key) + "' is out of range");
}

Result<std::optional<int>> optional_small_int(const json::object& o, std::string_view key) {
  auto v = optional_int(o, key);
  if (!v) return std::move(v).error();
  if (!*v) return std::optional<int>{};
  if (**v < -1'000'000 || **v > 1'000'000) return int_field_error(key);
  return std::optional<int>{static_cast<int>(**v)};
}

// An array of positive integer ids; nullopt when absent.
template <class Id>
Result<std::optional<std::vector<Id>>> optional_ids(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::vector<Id>>{};
  const auto bad = make_error(Errc::invalid_input,
                              "field '" + std::string(key) + "' must be an array of ids");
  if (!v->is_array()) return bad;
  std::vector<Id> out;
  for (const auto& item : v->as_array()) {
    if (item.is_int64() && item.as_int64() > 0) {
      out.push_back(Id{item.as_int64()});
    } else if (item.is_uint64() && item.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
      out.push_back(Id{static_cast<std::int64_t>(item.as_uint64())});
    } else {
      return bad;
    }
  }
  return std::optional<std::vector<Id>>{std::move(out)};
}

// A positive id, explicit null, or absent: outer nullopt when absent.
template <class Id>
Result<std::optional<std::optional<Id>>> nullable_id(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (v == nullptr) return std::optional<std::optional<Id>>{};
  if (v->is_null()) return std::optional<std::optional<Id>>{std::optional<Id>{}};
  if (v->is_int64() && v->as_int64() > 0) {
    return std::optional<std::optional<Id>>{std::optional<Id>{Id{v->as_int64()}}};
  }
  return make_error(Errc::invalid_input, "field '" + std::string(key) + "' must be an id or null");
}

template <class Id>
json::array ids_to_json(const std::vector<Id>& ids) {
  json::array out;
  for (Id id : ids) out.emplace_back(id.value);
  return out;
}

}  // namespace

json::object idle_code_to_json(const IdleCode& code) {
  return {{"id", code.id.value},
          {"name", code.name},
          {"system", code.system},
          {"active", code.active}};
}

Result<NewIdleCode> new_idle_code_from_json(const json::object& o) {
  if (auto r = only_fields(o, {"name", "active"}); !r) return std::move(r).error();
  auto name = required_string(o, "name");
  if (!name) return std::move(name).error();
  auto active = optional_bool(o, "active");
  if (!active) return std::move(active).error();
  return NewIdleCode{std::move(*name), active->value_or(true)};
}

Result<IdleCodeChanges> idle_code_changes_from_json(const json::object& o) {
  if (auto r = only_fields(o, {"name", "active"}); !r) return std::move(r).error();
  auto name = optional_string(o, "name");
  if (!name) return std::move(name).error();
  auto active = optional_bool(o, "active");
  if (!active) return std::move(active).error();
  return IdleCodeChanges{std::move(*name), *active};
}

json::object desktop_profile_to_json(const DesktopProfile& p) {
  return {{"id", p.id.value},
          {"name", p.name},
          {"microsoftTeams", p.microsoft_teams},
          {"webexApp", p.webex_app},
          {"ronaTimeoutSeconds", p.rona_timeout_seconds},
          {"wrapUpSeconds", p.wrap_up_seconds},
          {"allowedIdleCodeIds", ids_to_json(p.allowed_idle_codes)}};
}

Result<DesktopProfileChanges> desktop_profile_changes_from_json(const json::object& o) {
  if (auto r = only_fields(o, {"name", "microsoftTeams", "webexApp", "ronaTimeoutSeconds",
                               "wrapUpSeconds", "allowedIdleCodeIds"});
      !r) {
    return std::move(r).error();
  }
  DesktopProfileChanges c;
  auto name = optional_string(o, "name");
  if (!name) return std::move(name).error();
  c.name = std::move(*name);
  auto teams = optional_bool(o, "microsoftTeams");
  if (!teams) return std::move(teams).error();
  c.microsoft_teams = *teams;
  auto webex = optional_bool(o, "webexApp");
  if (!webex) return std::move(webex).error();
  c.webex_app = *webex;
  auto rona = optional_small_int(o, "ronaTimeoutSeconds");
  if (!rona) return std::move(rona).error();
  c.rona_timeout_seconds = *rona;
  auto wrap = optional_small_int(o, "wrapUpSeconds");
  if (!wrap) return std::move(wrap).error();
  c.wrap_up_seconds = *wrap;
  auto codes = optional_ids<IdleCodeId>(o, "allowedIdleCodeIds");
  if (!codes) return std::move(codes).error();
  c.allowed_idle_codes = std::move(*codes);
  return c;
}

Result<DesktopProfile> new_desktop_profile_from_json(const json::object& o) {
  auto name = required_string(o, "name");
  if (!name) return std::move(name).error();
  auto c = desktop_profile_changes_from_json(o);
  if (!c) return std::move(c).error();
  DesktopProfile p;
  p.name = std::move(*name);
  p.microsoft_teams = c->microsoft_teams.value_or(false);
  p.webex_app = c->webex_app.value_or(false);
  p.rona_timeout_seconds = c->rona_timeout_seconds.value_or(kDefaultRonaTimeoutSeconds);
  p.wrap_up_seconds = c->wrap_up_seconds.value_or(0);
  p.allowed_idle_codes = c->allowed_idle_codes.value_or(std::vector<IdleCodeId>{});
  return p;
}

json::object queue_to_json(const CcQueue& q) { return {{"id", q.id.value}, {"name", q.name}}; }

Result<std::string> queue_name_from_json(const json::object& o) {
  if (auto r = only_fields(o, {"name"}); !r) return std::move(r).error();
  return required_string(o, "name");
}

json::object agent_to_json(const AgentView& a) {
  json::object o{{"userId", a.user.id.value},
                 {"username", a.user.username},
                 {"displayName", a.user.display_name},
                 {"queueIds", ids_to_json(a.config.queues)},
                 {"configured", a.configured}};
  o["desktopProfileId"] = a.config.desktop_profile
                              ? json::value(a.config.desktop_profile->value)
                              : json::value(nullptr);
  o["teamsUserId"] =
      a.config.teams_user_id ? json::value(*a.config.teams_user_id) : json::value(nullptr);
  return o;
}

Result<AgentChanges> agent_changes_from_json(const json::object& o, bool with_user_id,
                                             UserId* user) {
  if (auto r = only_fields(o, {"userId", "desktopProfileId", "queueIds", "teamsUserId"}); !r) {
    return std::move(r).error();
  }
  if (with_user_id) {
    auto id = optional_int(o, "userId");
    if (!id) return std::move(id).error();
    if (!*id || **id <= 0) {
      return make_error(Errc::invalid_input, "field 'userId' is required (a user id)");
    }
    *user = UserId{**id};
  } else if (o.contains("userId")) {
    return make_error(Errc::invalid_input, "field 'userId' is given by the path");
  }
  AgentChanges c;
  auto profile = nullable_id<DesktopProfileId>(o, "desktopProfileId");
  if (!profile) return std::move(profile).error();
  c.desktop_profile = *profile;
  auto queues = optional_ids<QueueId>(o, "queueIds");
  if (!queues) return std::move(queues).error();
  c.queues = std::move(*queues);
  if (const auto* t = o.if_contains("teamsUserId")) {
    if (t->is_null()) {
      c.teams_user_id = std::optional<std::string>{};
    } else if (t->is_string() && !t->as_string().empty() && t->as_string().size() <= 128) {
      c.teams_user_id = std::optional<std::string>{std::string(t->as_string())};
    } else {
      return make_error(Errc::invalid_input,
                        "field 'teamsUserId' must be a non-empty string (at most 128) or null");
    }
  }
  return c;
}

}  // namespace ccteams::http
