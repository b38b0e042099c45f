#include "emulator/user_json.hpp"

#include <boost/json/array.hpp>

#include "emulator/encoding.hpp"

namespace ccteams::emulator {

namespace json = boost::json;

namespace {

json::value opt(const std::optional<std::string>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::value property(const DirectoryUser& u, std::string_view name) {
  if (name == "id") return json::value(u.id);
  if (name == "displayName") return json::value(u.display_name);
  if (name == "givenName") return json::value(u.given_name);
  if (name == "surname") return json::value(u.surname);
  if (name == "mail") return json::value(u.mail);
  if (name == "userPrincipalName") return json::value(u.user_principal_name);
  if (name == "jobTitle") return opt(u.job_title);
  if (name == "department") return opt(u.department);
  if (name == "officeLocation") return opt(u.office_location);
  if (name == "mobilePhone") return opt(u.mobile_phone);
  if (name == "preferredLanguage") return json::value(u.preferred_language);
  if (name == "accountEnabled") return json::value(u.account_enabled);
  if (name == "businessPhones") {
    json::array a;
    for (const auto& p : u.business_phones) a.emplace_back(p);
    return a;
  }
  return json::value(nullptr);  // selectable but never set in the emulated directory
}

}  // namespace

const CollectionSchema& users_schema() {
  static const CollectionSchema kSchema = [] {
    CollectionSchema s;
    s.properties = {"id",
                    "displayName",
                    "givenName",
                    "surname",
                    "mail",
                    "userPrincipalName",
                    "jobTitle",
                    "department",
                    "officeLocation",
                    "mobilePhone",
                    "preferredLanguage",
                    "accountEnabled",
                    "businessPhones",
                    "companyName",
                    "employeeId",
                    "city",
                    "country",
                    "usageLocation"};
    s.not_in_collection = {"aboutMe", "birthday",     "hireDate",       "interests",
                           "mySite",  "pastProjects", "preferredName",  "responsibilities",
                           "schools", "skills",       "mailboxSettings"};
    s.searchable = {"displayName",       "givenName", "surname",   "mail",
                    "userPrincipalName", "jobTitle",  "department"};
    s.orderable = {"displayName", "userPrincipalName"};
    s.type_name = "Microsoft.DirectoryServices.User";
    s.max_top = 999;
    return s;
  }();
  return kSchema;
}

const std::vector<std::string>& default_user_properties() {
  static const std::vector<std::string> kDefault = {
      "businessPhones",    "displayName", "givenName",        "id",
      "jobTitle",          "mail",        "mobilePhone",      "officeLocation",
      "preferredLanguage", "surname",     "userPrincipalName"};
  return kDefault;
}

json::object user_json(const DirectoryUser& user, const std::vector<std::string>& select) {
  json::object o;
  for (const auto& name : select.empty() ? default_user_properties() : select) {
    o[name] = property(user, name);
  }
  return o;
}

PropertyLookup user_lookup(const DirectoryUser& user) {
  return [&user](std::string_view name) -> std::vector<std::optional<std::string>> {
    if (name == "businessPhones") {
      return {user.business_phones.begin(), user.business_phones.end()};
    }
    const auto v = property(user, name);
    if (v.is_string()) return {std::string(v.as_string())};
    if (v.is_bool()) return {std::string(v.as_bool() ? "true" : "false")};
    return {std::nullopt};
  };
}

namespace {

struct RoleTemplate {
  std::string_view id;
  std::string_view name;
  std::string_view description;
};

// The directory roles the emulated tenants assign (graph-protocol.md §1.4).
constexpr RoleTemplate kRoleTemplates[] = {
    {kGlobalAdministratorRole, "Global Administrator",
     "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft "
     "Entra identities."},
    {kPrivilegedRoleAdministratorRole, "Privileged Role Administrator",
     "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged "
     "Identity Management."},
    {"fe930be7-5e62-47db-91af-98c3a49a38b1", "User Administrator",
     "Can manage all aspects of users and groups, including resetting passwords for limited "
     "admins."},
};

}  // namespace

std::optional<boost::json::object> directory_role_json(std::string_view tenant_id,
                                                       std::string_view role_template_id) {
  for (const auto& r : kRoleTemplates) {
    if (r.id != role_template_id) continue;
    return boost::json::object{
        {"@odata.type", "#microsoft.graph.directoryRole"},
        {"id", guid_from(std::string(tenant_id) + "/directoryRole/" + std::string(r.id))},
        {"deletedDateTime", nullptr},
        {"description", r.description},
        {"displayName", r.name},
        {"roleTemplateId", r.id}};
  }
  return std::nullopt;
}

}  // namespace ccteams::emulator
