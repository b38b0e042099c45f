#pragma once
// JSON codecs of the Teams connector API (STYLE §13: each codec has one home). Field names as
// DESIGN.md: status, tenantId, authorizedBy, authorizedAt, grantedPermissions, showUserDetails,
// presenceSync, presenceMapping, lastError. Decoders: invalid_input naming the field; unknown
// fields are refused.

#include <boost/json/value.hpp>

#include "app/connector_service.hpp"

namespace ccteams::http {

// {"type":"msteams","name":"Microsoft Teams","status","tenantId"|null,
//  "authorizedBy":{"userId","username"}|null,"authorizedAt"|null,"grantedPermissions":[…],
//  "showUserDetails","presenceSync","presenceMapping":[{"availability","activity"|null,
//  "idleCodeId"}],"lastError"|null,"updatedAt"|null}
boost::json::object connector_to_json(const TeamsConnector& c);
// PATCH: {"showUserDetails"?, "presenceSync"?, "presenceMapping"?}. Availability and activity
// are Graph's values (case-insensitive); activity null or absent means "any activity".
Result<ConnectorPatch> connector_patch_from_json(const boost::json::object& o);
// {"id","at","actor":{"userId","username"}|null,"action","result":"ok"|"error","detail"}
boost::json::object audit_entry_to_json(const ConnectorAuditEntry& e);

}  // namespace ccteams::http
