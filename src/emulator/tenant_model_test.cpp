#include "emulator/tenant_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "emulator/name_lists.hpp"

namespace ccteams::emulator {
namespace {

TenantOptions options(std::uint64_t seed, int users) {
  TenantOptions o;
  o.seed = seed;
  o.users = users;
  o.domain = "contoso.example";
  return o;
}

TEST(TenantModel, SameSeedGivesTheSameOrganisation) {
  const auto a = TenantModel::generate(options(7, 300));
  const auto b = TenantModel::generate(options(7, 300));
  ASSERT_EQ(a.all_users().size(), b.all_users().size());
  EXPECT_EQ(a.tenant_id(), b.tenant_id());
  EXPECT_EQ(a.apps()[0].client_id, b.apps()[0].client_id);
  EXPECT_EQ(a.apps()[0].client_secret, b.apps()[0].client_secret);
  for (std::size_t i = 0; i < a.all_users().size(); ++i) {
    EXPECT_EQ(a.all_users()[i].id, b.all_users()[i].id);
    EXPECT_EQ(a.all_users()[i].mail, b.all_users()[i].mail);
    EXPECT_EQ(a.all_users()[i].business_phones, b.all_users()[i].business_phones);
  }
}

TEST(TenantModel, DifferentSeedsGiveDifferentOrganisations) {
  const auto a = TenantModel::generate(options(1, 20));
  const auto b = TenantModel::generate(options(2, 20));
  EXPECT_NE(a.tenant_id(), b.tenant_id());
  EXPECT_NE(a.all_users()[0].id, b.all_users()[0].id);
}

TEST(TenantModel, HasTheThreeSpecialAccountsWithTheirRoles) {
  const auto t = TenantModel::generate(options(3, 10));
  const auto* admin = t.find_user("admin@contoso.example");
  const auto* priv = t.find_user("PRIVADMIN@contoso.example");
  const auto* member = t.find_user("member@contoso.example");
  ASSERT_TRUE(admin && priv && member);
  EXPECT_NE(std::find(admin->wids.begin(), admin->wids.end(), kGlobalAdministratorRole),
            admin->wids.end());
  EXPECT_NE(std::find(priv->wids.begin(), priv->wids.end(), kPrivilegedRoleAdministratorRole),
            priv->wids.end());
  EXPECT_EQ(member->wids, std::vector<std::string>{std::string(kDefaultUserRole)});
  EXPECT_TRUE(TenantModel::can_grant_admin_consent(*admin));
  EXPECT_TRUE(TenantModel::can_grant_admin_consent(*priv));
  EXPECT_FALSE(TenantModel::can_grant_admin_consent(*member));
  EXPECT_EQ(t.all_users().size(), 13u);
}

// std::regex is avoided: GCC 12 warns inside <regex> under the sanitizers (-Werror build).
bool is_v4_guid(const std::string& s) {
  if (s.size() != 36 || s[14] != '4' || std::string("89ab").find(s[19]) == std::string::npos) {
    return false;
  }
  for (std::size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (s[i] == '-')) return false;
    if (!dash && std::string("0123456789abcdef").find(s[i]) == std::string::npos) return false;
  }
  return true;
}

bool is_plain_mail(const std::string& s, const std::string& domain) {
  const auto at = s.find('@');
  if (at == std::string::npos || at == 0 || s.substr(at + 1) != domain) return false;
  return std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(at), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.';
  });
}

TEST(TenantModel, GeneratedUsersAreRealisticAndSometimesIncomplete) {
  const auto t = TenantModel::generate(options(11, 1000));
  std::set<std::string> mails;
  int no_phone = 0, local_phone = 0, no_title = 0, no_dept = 0, disabled = 0;
  for (const auto& u : t.all_users()) {
    EXPECT_TRUE(is_v4_guid(u.id)) << u.id;
    EXPECT_TRUE(mails.insert(u.mail).second) << "duplicate " << u.mail;
    EXPECT_EQ(u.mail, u.user_principal_name);
    EXPECT_TRUE(is_plain_mail(u.mail, "contoso.example")) << u.mail;
    if (u.business_phones.empty()) ++no_phone;
    else if (u.business_phones[0][0] != '+') ++local_phone;
    if (!u.job_title) ++no_title;
    if (!u.department) ++no_dept;
    if (!u.account_enabled) ++disabled;
  }
  EXPECT_GT(no_phone, 20);
  EXPECT_LT(no_phone, 90);
  EXPECT_GT(local_phone, 10);
  EXPECT_LT(local_phone, 60);
  EXPECT_GT(no_title, 10);
  EXPECT_GT(no_dept, 10);
  EXPECT_GT(disabled, 5);
  const bool accented = std::any_of(t.all_users().begin(), t.all_users().end(),
                                    [](const DirectoryUser& u) {
                                      return u.display_name.find("\xC3") != std::string::npos;
                                    });
  EXPECT_TRUE(accented);
}

TEST(TenantModel, MailLocalPartFoldsAccentsAndDropsPunctuation) {
  EXPECT_EQ(mail_local_part("Zoë"), "zoe");
  EXPECT_EQ(mail_local_part("Björn"), "bjorn");
  EXPECT_EQ(mail_local_part("O'Brien"), "obrien");
  EXPECT_EQ(mail_local_part("Łukasz"), "lukasz");
}

TEST(TenantModel, ChangesBumpTheVersionAndRemovalKeepsAReason) {
  auto t = TenantModel::generate(options(5, 5));
  const auto v0 = t.change_version();
  const std::string id = t.find_user("member@contoso.example")->id;
  auto changed = *t.find_user(id);
  changed.job_title = "Support Lead";
  ASSERT_TRUE(t.update_user(id, changed));
  EXPECT_EQ(t.change_version(), v0 + 1);
  EXPECT_EQ(t.find_user(id)->change_version, v0 + 1);
  ASSERT_TRUE(t.remove_user(id, false));
  EXPECT_EQ(t.find_user(id), nullptr);
  const auto& all = t.all_users();
  auto it = std::find_if(all.begin(), all.end(), [&](const auto& u) { return u.id == id; });
  ASSERT_NE(it, all.end());
  EXPECT_EQ(it->removed_reason, "changed");
  EXPECT_FALSE(t.remove_user(id, true));
}

TEST(TenantModel, AdminConsentGrantsRegistrationPermissionsAndRevokeRemovesThem) {
  auto t = TenantModel::generate(options(5, 5));
  const auto app = t.apps()[0].client_id;
  EXPECT_FALSE(t.consent(app).service_principal);
  t.grant_admin_consent(app, "admin-id", Timestamp{});
  EXPECT_TRUE(t.consent(app).app_roles.contains("Presence.ReadWrite.All"));
  EXPECT_TRUE(t.consent(app).delegated_scopes.contains("Presence.Read.All"));
  t.revoke_consent(app, false);
  EXPECT_TRUE(t.consent(app).service_principal);
  EXPECT_TRUE(t.consent(app).app_roles.empty());
  t.revoke_consent(app, true);
  EXPECT_FALSE(t.consent(app).service_principal);
}

TEST(TenantModel, RecognisesItsTenantByIdDomainAndAliases) {
  const auto t = TenantModel::generate(options(5, 1));
  EXPECT_TRUE(t.is_this_tenant(t.tenant_id()));
  EXPECT_TRUE(t.is_this_tenant("CONTOSO.example"));
  EXPECT_TRUE(t.is_this_tenant("organizations"));
  EXPECT_FALSE(t.is_this_tenant("fabrikam.example"));
}

}  // namespace
}  // namespace ccteams::emulator
