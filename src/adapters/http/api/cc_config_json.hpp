#pragma once
// JSON codecs for the contact center's configuration (STYLE §13: each codec has one home).
// Field names as DESIGN.md: microsoftTeams, webexApp, ronaTimeoutSeconds, wrapUpSeconds,
// allowedIdleCodeIds, userId, username, desktopProfileId, queueIds, teamsUserId.
// Decoders: invalid_input naming the field; unknown fields are refused (a typo must not be
// silently ignored).

#include <boost/json/value.hpp>
#include <string>

#include "app/cc_config_service.hpp"

namespace ccteams::http {

// {"id","name","system","active"}
boost::json::object idle_code_to_json(const IdleCode& code);
// POST: {"name", "active"?}; PATCH/PUT: {"name"?, "active"?}
struct NewIdleCode {
  std::string name;
  bool active = true;
};
Result<NewIdleCode> new_idle_code_from_json(const boost::json::object& o);
Result<IdleCodeChanges> idle_code_changes_from_json(const boost::json::object& o);

// {"id","name","microsoftTeams","webexApp","ronaTimeoutSeconds","wrapUpSeconds",
//  "allowedIdleCodeIds"}
boost::json::object desktop_profile_to_json(const DesktopProfile& p);
// POST: name required, the others default as in core/desktop_profile.hpp.
Result<DesktopProfile> new_desktop_profile_from_json(const boost::json::object& o);
Result<DesktopProfileChanges> desktop_profile_changes_from_json(const boost::json::object& o);

// {"id","name"}
boost::json::object queue_to_json(const CcQueue& q);
Result<std::string> queue_name_from_json(const boost::json::object& o);

// {"userId","username","displayName","desktopProfileId","queueIds","teamsUserId","configured"}
boost::json::object agent_to_json(const AgentView& a);
// {"desktopProfileId"?, "queueIds"?, "teamsUserId"?}; with_user_id: "userId" is required too
// (POST /api/v1/agents) and returned in *user.
Result<AgentChanges> agent_changes_from_json(const boost::json::object& o, bool with_user_id,
                                             UserId* user);

}  // namespace ccteams::http
