#pragma once
// The emulated Entra tenant: a generated organisation (deterministic from a seed), the app
// registrations with their consent state, and a change log that drives the users delta query.
// Pure: no clock, no I/O; time comes in as a value.
// Thread-safety: none; GraphEmulator serialises access with its own mutex.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/graph_time.hpp"

namespace ccteams::emulator {

// Directory role template ids (graph-protocol.md §1.4).
inline constexpr std::string_view kGlobalAdministratorRole = "62e90394-69f5-4237-9190-012177145e10";
inline constexpr std::string_view kPrivilegedRoleAdministratorRole =
    "e8611ab8-c189-46e8-94e1-60213ab1f814";
inline constexpr std::string_view kDefaultUserRole = "b79fbf4d-3ef9-4689-8143-76b194e85509";

struct DirectoryUser {
  std::string id;  // GUID, Graph user.id == token oid
  std::string display_name;
  std::string given_name;
  std::string surname;
  std::string mail;
  std::string user_principal_name;
  std::optional<std::string> job_title;
  std::optional<std::string> department;
  std::optional<std::string> office_location;
  std::optional<std::string> mobile_phone;
  std::string preferred_language = "en-US";
  std::vector<std::string> business_phones;  // [] when none
  bool account_enabled = true;
  std::vector<std::string> wids;  // directory role template ids, always incl. kDefaultUserRole
  // Tenant-wide change counter value at the user's last change; drives delta.
  std::uint64_t change_version = 0;
  // Set when the user was removed: "changed" (soft delete) or "deleted" (permanent).
  std::optional<std::string> removed_reason;
};

struct AppRegistration {
  std::string client_id;
  std::string client_secret;
  std::string display_name;
  std::vector<std::string> redirect_uris;
  std::vector<std::string> application_permissions;  // app roles, e.g. "Presence.ReadWrite.All"
  std::vector<std::string> delegated_permissions;    // scopes, e.g. "Presence.Read.All"
  // The manifest's groupMembershipClaims: "None" (Entra's default), "SecurityGroup",
  // "DirectoryRole", "ApplicationGroup" or "All". ID tokens carry wids only for
  // DirectoryRole and All (graph-protocol.md §1.4).
  std::string group_membership_claims = "None";
};

// What an admin granted an app in this tenant.
struct ConsentGrant {
  bool service_principal = false;            // the enterprise app exists in the tenant
  std::set<std::string> app_roles;           // granted application permissions
  std::set<std::string> delegated_scopes;    // granted tenant-wide (admin) delegated scopes
  std::map<std::string, std::set<std::string>> user_scopes;  // user id -> user-consented scopes
  std::string granted_by;                    // user id of the admin
  std::optional<Timestamp> granted_at;
};

struct TenantOptions {
  std::uint64_t seed = 42;
  int users = 50;  // generated users, besides admin, privadmin and member
  std::string domain = "ccteams-demo.onmicrosoft.com";
  std::string app_id;       // "" -> derived from the seed
  std::string app_secret;   // "" -> derived from the seed
  std::vector<std::string> redirect_uris;  // of the default app registration
  // The default app registration lives here (the app's home tenant); other tenants hold
  // only what consent creates: a service principal and grants.
  bool register_app = true;
  std::string group_membership_claims = "DirectoryRole";  // of the default app registration
};

class TenantModel {
 public:
  // Generates the organisation. Same options -> the same tenant id, users, ids and phones.
  static TenantModel generate(const TenantOptions& options);

  const std::string& tenant_id() const { return tenant_id_; }
  const std::string& domain() const { return domain_; }
  // True for the tenant id, the domain (case-insensitive), and "organizations"/"common".
  bool is_this_tenant(std::string_view tenant) const;

  // Every user ever created, removed ones included, ordered by id. Never reallocated by
  // lookups; pointers stay valid until the next add_user.
  const std::vector<DirectoryUser>& all_users() const { return users_; }
  // Present (not removed) user by id, or by userPrincipalName/mail (case-insensitive).
  const DirectoryUser* find_user(std::string_view id_or_upn) const;
  std::size_t active_user_count() const;

  // Changes, each bumping the change counter (delta sees them). Return false if unknown.
  bool update_user(std::string_view id, const DirectoryUser& replacement);
  bool remove_user(std::string_view id, bool permanent);
  const DirectoryUser& add_user(DirectoryUser user);  // assigns change_version; id must be new
  std::uint64_t change_version() const { return version_; }

  const std::vector<AppRegistration>& apps() const { return apps_; }
  const AppRegistration* find_app(std::string_view client_id) const;
  // Adds the registration, or replaces the one with the same client id (consent is kept).
  void upsert_app(AppRegistration app);

  // Consent state of an app in this tenant (an empty grant when never consented).
  const ConsentGrant& consent(std::string_view client_id) const;
  // Admin consent: every permission of the registration, app roles and delegated scopes.
  void grant_admin_consent(std::string_view client_id, std::string_view admin_user_id,
                           Timestamp now);
  // The same for an app registered in another (home) tenant: creates this tenant's service
  // principal with every permission of the registration.
  void grant_admin_consent(const AppRegistration& app, std::string_view admin_user_id,
                           Timestamp now);
  void grant_user_consent(std::string_view client_id, std::string_view user_id,
                          const std::set<std::string>& scopes);
  // Removes the grants; with delete_service_principal the enterprise app goes as well, so
  // token requests for the app fail as "not found in the directory".
  void revoke_consent(std::string_view client_id, bool delete_service_principal);
  // Removes one granted application permission (an admin's "Revoke permission" on the
  // enterprise app): the next app token lacks it in `roles`. False when it was not granted.
  bool revoke_app_role(std::string_view client_id, std::string_view role);

  // Whether a user may grant tenant-wide admin consent (Global or Privileged Role Admin).
  static bool can_grant_admin_consent(const DirectoryUser& user);

 private:
  std::string tenant_id_;
  std::string domain_;
  std::vector<DirectoryUser> users_;
  std::uint64_t version_ = 0;
  std::vector<AppRegistration> apps_;
  std::map<std::string, ConsentGrant, std::less<>> consents_;
};

}  // namespace ccteams::emulator
