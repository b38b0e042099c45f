#pragma once
// The Graph user resource as JSON, its OData schema, and property lookup for $filter and
// $search. The one place the emulator spells user property names.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/odata.hpp"
#include "emulator/tenant_model.hpp"

namespace ccteams::emulator {

const CollectionSchema& users_schema();
// The default property set of GET /users (department is not in it, §2).
const std::vector<std::string>& default_user_properties();
// The user with the given properties (select empty -> the default set). Unset values are
// null; businessPhones is [] when there are none.
boost::json::object user_json(const DirectoryUser& user, const std::vector<std::string>& select);
PropertyLookup user_lookup(const DirectoryUser& user);
// A directoryRole as /me/memberOf lists it: {"@odata.type":"#microsoft.graph.directoryRole",
// "id", "deletedDateTime", "description", "displayName", "roleTemplateId"}. id is the role's
// object id in tenant_id (stable, derived from tenant and template). nullopt for templates
// memberOf does not list (the default User role, which only wids carries).
std::optional<boost::json::object> directory_role_json(std::string_view tenant_id,
                                                       std::string_view role_template_id);

}  // namespace ccteams::emulator
