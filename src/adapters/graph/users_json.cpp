// Users list and delta pages (graph-protocol.md §2).
#include <boost/json.hpp>

#include "adapters/graph/graph_json.hpp"
#include "adapters/graph/json_reader.hpp"

namespace ccteams::graph {

namespace json = boost::json;

namespace {

Result<GraphUser> decode_user(const json::object& o, const std::string& path) {
  GraphUser u;
  CCTEAMS_GRAPH_TRY(id, required_string(o, "id", path));
  if (id.empty()) return json_error(json_path(path, "id"), "must not be empty");
  u.id = std::move(id);
  CCTEAMS_GRAPH_TRY(display_name, optional_string(o, "displayName", path));
  CCTEAMS_GRAPH_TRY(given_name, optional_string(o, "givenName", path));
  CCTEAMS_GRAPH_TRY(surname, optional_string(o, "surname", path));
  CCTEAMS_GRAPH_TRY(mail, optional_string(o, "mail", path));
  CCTEAMS_GRAPH_TRY(upn, optional_string(o, "userPrincipalName", path));
  CCTEAMS_GRAPH_TRY(job_title, optional_string(o, "jobTitle", path));
  CCTEAMS_GRAPH_TRY(department, optional_string(o, "department", path));
  CCTEAMS_GRAPH_TRY(phones, string_array(o, "businessPhones", path));
  CCTEAMS_GRAPH_TRY(enabled, optional_bool(o, "accountEnabled", path));
  u.display_name = std::move(display_name);
  u.given_name = std::move(given_name);
  u.surname = std::move(surname);
  u.mail = std::move(mail);
  u.user_principal_name = std::move(upn);
  u.job_title = std::move(job_title);
  u.department = std::move(department);
  u.business_phones = std::move(phones);
  u.account_enabled = enabled;
  return u;
}

Result<RemovedUser> decode_removed(const json::object& o, const json::object& removed,
                                   const std::string& path) {
  RemovedUser r;
  CCTEAMS_GRAPH_TRY(id, required_string(o, "id", path));
  if (id.empty()) return json_error(json_path(path, "id"), "must not be empty");
  r.id = std::move(id);
  CCTEAMS_GRAPH_TRY(reason, optional_string(removed, "reason", json_path(path, "@removed")));
  r.raw_reason = reason.value_or("");
  if (r.raw_reason == "changed") {
    r.reason = RemovalReason::changed;
  } else if (r.raw_reason == "deleted") {
    r.reason = RemovalReason::deleted;
  } else {
    r.reason = RemovalReason::other;  // kept: a removal is a removal, whatever the reason
  }
  return r;
}

}  // namespace

Result<UsersPage> decode_users_page(std::string_view text) {
  CCTEAMS_GRAPH_TRY(doc, parse_document(text));
  CCTEAMS_GRAPH_TRY(root, as_object(doc, ""));
  UsersPage page;
  CCTEAMS_GRAPH_TRY(next, optional_string(*root, "@odata.nextLink", ""));
  CCTEAMS_GRAPH_TRY(delta, optional_string(*root, "@odata.deltaLink", ""));
  CCTEAMS_GRAPH_TRY(count, optional_int(*root, "@odata.count", ""));
  if (next && delta) {
    // A page is either "more to come" or "done, here is the state": both is a broken page.
    return json_error("", "both @odata.nextLink and @odata.deltaLink are present");
  }
  page.next_link = std::move(next);
  page.delta_link = std::move(delta);
  page.count = count;
  CCTEAMS_GRAPH_TRY(items, required_array(*root, "value", ""));
  page.users.reserve(items->size());
  for (std::size_t i = 0; i < items->size(); ++i) {
    const auto path = json_path("value", i);
    CCTEAMS_GRAPH_TRY(item, as_object((*items)[i], path));
    CCTEAMS_GRAPH_TRY(removed, optional_object(*item, "@removed", path));
    if (removed != nullptr) {
      CCTEAMS_GRAPH_TRY(r, decode_removed(*item, *removed, path));
      page.removed.push_back(std::move(r));
    } else {
      CCTEAMS_GRAPH_TRY(u, decode_user(*item, path));
      page.users.push_back(std::move(u));
    }
  }
  return page;
}

Result<DirectoryRolesPage> decode_directory_roles(std::string_view text) {
  CCTEAMS_GRAPH_TRY(doc, parse_document(text));
  CCTEAMS_GRAPH_TRY(root, as_object(doc, ""));
  DirectoryRolesPage page;
  CCTEAMS_GRAPH_TRY(next, optional_string(*root, "@odata.nextLink", ""));
  page.next_link = std::move(next);
  CCTEAMS_GRAPH_TRY(items, required_array(*root, "value", ""));
  for (std::size_t i = 0; i < items->size(); ++i) {
    const auto path = json_path("value", i);
    CCTEAMS_GRAPH_TRY(item, as_object((*items)[i], path));
    CCTEAMS_GRAPH_TRY(type, optional_string(*item, "@odata.type", path));
    if (!type || *type != "#microsoft.graph.directoryRole") continue;
    CCTEAMS_GRAPH_TRY(role, optional_string(*item, "roleTemplateId", path));
    if (role && !role->empty()) {
      page.roles.template_ids.push_back(std::move(*role));
    } else {
      page.roles.complete = false;
    }
  }
  return page;
}

}  // namespace ccteams::graph
