#include "emulator/tenant_model.hpp"

#include <algorithm>
#include <cctype>
#include <unordered_set>

#include "emulator/name_lists.hpp"
#include "emulator/seeded_random.hpp"

namespace ccteams::emulator {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string digits(SeededRandom& rng, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + rng.below(10)));
  return s;
}

// Business phones in the shapes real directories hold: mostly E.164 with varied spacing,
// some numbers missing, and a few local numbers that are not E.164 at all (clients must
// cope with those rather than dial them blindly).
std::vector<std::string> make_phones(SeededRandom& rng) {
  const double roll = rng.unit();
  if (roll < 0.05) return {};
  if (roll < 0.08) return {"425-555-" + digits(rng, 4)};
  const std::string line = "01" + digits(rng, 2);  // 555-01xx is reserved for fiction
  switch (rng.below(6)) {
    case 0: return {"+1 425 555 " + line};
    case 1: return {"+14255550" + line.substr(1)};
    case 2: return {"+1 (425) 555-" + line};
    case 3: return {"+44 20 7946 0" + digits(rng, 3)};
    case 4: return {"+49 30 " + digits(rng, 7)};
    default: return {"+1 206 555 " + line};
  }
}

// A client secret shaped like Entra's: 40 characters with the "8Q~" marker.
std::string make_secret(SeededRandom& rng) {
  static constexpr std::string_view kAlphabet =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.~";
  std::string s;
  for (int i = 0; i < 3; ++i) s.push_back(kAlphabet[rng.below(62)]);
  s += "8Q~";
  while (s.size() < 40) s.push_back(kAlphabet[rng.below(kAlphabet.size())]);
  return s;
}

DirectoryUser special_user(SeededRandom& rng, const std::string& domain, std::string_view local,
                           std::string_view given, std::string_view surname,
                           std::string_view title, std::optional<std::string_view> role) {
  DirectoryUser u;
  u.id = rng.guid();
  u.given_name = std::string(given);
  u.surname = std::string(surname);
  u.display_name = u.given_name + " " + u.surname;
  u.mail = std::string(local) + "@" + domain;
  u.user_principal_name = u.mail;
  u.job_title = std::string(title);
  u.department = "IT";
  u.office_location = "Redmond";
  u.business_phones = {"+1 425 555 0" + digits(rng, 3)};
  if (role) u.wids.emplace_back(*role);
  u.wids.emplace_back(kDefaultUserRole);
  return u;
}

}  // namespace

TenantModel TenantModel::generate(const TenantOptions& options) {
  SeededRandom rng(options.seed);
  TenantModel t;
  t.tenant_id_ = rng.guid();
  t.domain_ = options.domain;

  std::unordered_set<std::string> taken = {"admin", "privadmin", "member"};
  t.users_.push_back(special_user(rng, t.domain_, "admin", "Adele", "Vance",
                                  "Global Administrator", kGlobalAdministratorRole));
  t.users_.push_back(special_user(rng, t.domain_, "privadmin", "Lee", "Gu",
                                  "Identity Administrator", kPrivilegedRoleAdministratorRole));
  t.users_.push_back(special_user(rng, t.domain_, "member", "Miriam", "Graham",
                                  "Support Engineer", std::nullopt));

  const auto given = given_names();
  const auto family = surnames();
  const auto depts = departments();
  const auto offices = office_locations();
  for (int i = 0; i < options.users; ++i) {
    DirectoryUser u;
    u.id = rng.guid();
    u.given_name = std::string(given[rng.below(given.size())]);
    u.surname = std::string(family[rng.below(family.size())]);
    u.display_name = u.given_name + " " + u.surname;
    const std::string base = mail_local_part(u.given_name) + "." + mail_local_part(u.surname);
    std::string local = base;
    for (int n = 2; taken.contains(local); ++n) local = base + std::to_string(n);
    taken.insert(local);
    u.mail = local + "@" + t.domain_;
    u.user_principal_name = u.mail;
    const std::size_t d = rng.below(depts.size());
    const auto titles = job_titles(d);
    const std::string title(titles[rng.below(titles.size())]);
    // Some directory entries are incomplete: clients must show and search them anyway.
    if (!rng.chance(0.04)) u.department = std::string(depts[d]);
    if (!rng.chance(0.04)) u.job_title = title;
    if (!rng.chance(0.10)) u.office_location = std::string(offices[rng.below(offices.size())]);
    u.business_phones = make_phones(rng);
    if (rng.chance(0.3)) u.mobile_phone = "+1 425 555 01" + digits(rng, 2);
    u.account_enabled = !rng.chance(0.03);
    u.wids.emplace_back(kDefaultUserRole);
    t.users_.push_back(std::move(u));
  }
  std::sort(t.users_.begin(), t.users_.end(),
            [](const DirectoryUser& a, const DirectoryUser& b) { return a.id < b.id; });
  for (auto& u : t.users_) u.change_version = ++t.version_;
  if (!options.register_app) return t;

  AppRegistration app;
  app.client_id = options.app_id.empty() ? rng.guid() : options.app_id;
  app.client_secret = options.app_secret.empty() ? make_secret(rng) : options.app_secret;
  app.display_name = "ccteams Contact Center";
  app.redirect_uris = options.redirect_uris;
  app.group_membership_claims = options.group_membership_claims;
  app.application_permissions = {"Presence.ReadWrite.All", "User.Read.All", "Presence.Read.All"};
  app.delegated_permissions = {"Presence.Read.All", "offline_access", "openid", "profile",
                               "User.Read"};
  t.apps_.push_back(std::move(app));
  return t;
}

bool TenantModel::is_this_tenant(std::string_view tenant) const {
  return iequal(tenant, tenant_id_) || iequal(tenant, domain_) || tenant == "organizations" ||
         tenant == "common";
}

const DirectoryUser* TenantModel::find_user(std::string_view id_or_upn) const {
  for (const auto& u : users_) {
    if (u.removed_reason) continue;
    if (u.id == id_or_upn || iequal(u.user_principal_name, id_or_upn) ||
        iequal(u.mail, id_or_upn)) {
      return &u;
    }
  }
  return nullptr;
}

std::size_t TenantModel::active_user_count() const {
  return static_cast<std::size_t>(std::count_if(
      users_.begin(), users_.end(), [](const DirectoryUser& u) { return !u.removed_reason; }));
}

bool TenantModel::update_user(std::string_view id, const DirectoryUser& replacement) {
  for (auto& u : users_) {
    if (u.id != id || u.removed_reason) continue;
    u = replacement;
    u.id = std::string(id);
    u.removed_reason.reset();
    u.change_version = ++version_;
    return true;
  }
  return false;
}

bool TenantModel::remove_user(std::string_view id, bool permanent) {
  for (auto& u : users_) {
    if (u.id != id || u.removed_reason) continue;
    u.removed_reason = permanent ? "deleted" : "changed";
    u.change_version = ++version_;
    return true;
  }
  return false;
}

const DirectoryUser& TenantModel::add_user(DirectoryUser user) {
  user.change_version = ++version_;
  auto pos = std::lower_bound(
      users_.begin(), users_.end(), user.id,
      [](const DirectoryUser& a, const std::string& id) { return a.id < id; });
  return *users_.insert(pos, std::move(user));
}

const AppRegistration* TenantModel::find_app(std::string_view client_id) const {
  for (const auto& a : apps_) {
    if (iequal(a.client_id, client_id)) return &a;
  }
  return nullptr;
}

void TenantModel::upsert_app(AppRegistration app) {
  for (auto& a : apps_) {
    if (iequal(a.client_id, app.client_id)) {
      a = std::move(app);
      return;
    }
  }
  apps_.push_back(std::move(app));
}

const ConsentGrant& TenantModel::consent(std::string_view client_id) const {
  static const ConsentGrant kNone;
  auto it = consents_.find(client_id);
  return it == consents_.end() ? kNone : it->second;
}

void TenantModel::grant_admin_consent(std::string_view client_id, std::string_view admin_user_id,
                                      Timestamp now) {
  const AppRegistration* app = find_app(client_id);
  if (app == nullptr) return;
  grant_admin_consent(*app, admin_user_id, now);
}

void TenantModel::grant_admin_consent(const AppRegistration& app, std::string_view admin_user_id,
                                      Timestamp now) {
  auto& g = consents_[app.client_id];
  g.service_principal = true;
  g.app_roles.insert(app.application_permissions.begin(), app.application_permissions.end());
  g.delegated_scopes.insert(app.delegated_permissions.begin(), app.delegated_permissions.end());
  g.granted_by = std::string(admin_user_id);
  g.granted_at = now;
}

void TenantModel::grant_user_consent(std::string_view client_id, std::string_view user_id,
                                     const std::set<std::string>& scopes) {
  auto& g = consents_[std::string(client_id)];
  g.service_principal = true;  // user consent also instantiates the enterprise app
  g.user_scopes[std::string(user_id)].insert(scopes.begin(), scopes.end());
}

void TenantModel::revoke_consent(std::string_view client_id, bool delete_service_principal) {
  auto it = consents_.find(client_id);
  if (it == consents_.end()) return;
  if (delete_service_principal) {
    consents_.erase(it);
    return;
  }
  it->second.app_roles.clear();
  it->second.delegated_scopes.clear();
  it->second.user_scopes.clear();
}

bool TenantModel::revoke_app_role(std::string_view client_id, std::string_view role) {
  auto it = consents_.find(client_id);
  if (it == consents_.end()) return false;
  auto role_it = it->second.app_roles.find(std::string(role));
  if (role_it == it->second.app_roles.end()) return false;
  it->second.app_roles.erase(role_it);
  return true;
}

bool TenantModel::can_grant_admin_consent(const DirectoryUser& user) {
  return std::any_of(user.wids.begin(), user.wids.end(), [](const std::string& w) {
    return w == kGlobalAdministratorRole || w == kPrivilegedRoleAdministratorRole;
  });
}

}  // namespace ccteams::emulator
