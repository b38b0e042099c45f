#pragma once
// The Teams directory REST API (issue 7; docs/api.md):
//   GET  /api/v1/directory/teams-users?q=&department=&jobTitle=&limit=&cursor=
//        agent, supervisor or admin of the org; presence only with showUserDetails
//   POST /api/v1/directory/teams-users/sync   admin: a delta (or full) sync now
// Consult and transfer to a Teams user go through the contact API (cc_desk_api.cpp) with
// {"teamsUserId"}.

#include "app/auth_service.hpp"

namespace ccteams {
class DirectoryService;
}  // namespace ccteams

namespace ccteams::http {

struct DirectoryApiContext {
  AuthService& auth;
  DirectoryService& directory;
};

class Router;
void register_directory_routes(Router& router, DirectoryApiContext& ctx);

}  // namespace ccteams::http
