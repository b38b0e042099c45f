#pragma once
// JSON codecs for accounts (STYLE §13: each codec has one home).

#include <boost/json/value.hpp>

#include "app/user_service.hpp"
#include "core/account.hpp"

namespace ccteams::http {

// {"id","username","displayName","roles":[…],"disabled","createdAt","orgId"}; never the hash.
boost::json::object user_to_json(const UserAccount& user);
Result<RoleSet> roles_from_json(const boost::json::value& v);  // ["admin","agent"]
Result<NewUser> new_user_from_json(const boost::json::object& o);
Result<UserChanges> user_changes_from_json(const boost::json::object& o);

}  // namespace ccteams::http
