#pragma once
// The Graph user resource as JSON, its OData schema, and property lookup for $filter and
// $search. The one place the emulator spells user property names.

#include <boost/json/object.hpp>
#include <string>
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

}  // namespace ccteams::emulator
