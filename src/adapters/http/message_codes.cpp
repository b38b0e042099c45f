// The table of known sentences (see message_codes.hpp). Each pattern is the sentence its
// producer writes (the file named above it), with its variable parts as groups.
#include "adapters/http/message_codes.hpp"

#include <boost/json.hpp>
#include <boost/regex.hpp>

namespace ccteams::http {

namespace json = boost::json;

namespace {

constexpr std::size_t kMaxSentence = 2048;

// What a group holds besides its text: sentences of their own.
enum class Nested { none, cause, list };

struct Pattern {
  const char* code;
  const char* regex;
  std::vector<const char*> names;  // one per group; "" for a group that is not a parameter
  Nested nested = Nested::none;
  std::size_t nested_group = 0;  // 1-based
};

// Order matters: the first match wins, so a specific sentence comes before a general one.
const std::vector<Pattern>& patterns() {
  static const std::vector<Pattern> kPatterns = {
      // ---- the connector's Set up and health (app/connector_consent.cpp, connector_sign_in.cpp,
      // connector_entra.cpp, core/connector.cpp, ports/connector_store.hpp) ----
      {"connector.not_admin",
       R"re(^The Microsoft account (.+) is not a Global Administrator or Privileged Role Administrator of its organisation, and only they can connect it\..*$)re",
       {"upn"}},
      {"connector.consent_not_admin",
       R"re(^Microsoft Entra ID refused the consent: the signed-in account is not a Global Administrator or Privileged Role Administrator \((.+)\)\..*$)re",
       {"code"}},
      {"connector.consent_cancelled",
       R"re(^The consent was cancelled in Microsoft Entra ID \((.+)\); nothing was changed\..*$)re",
       {"code"}},
      {"connector.consent_refused",
       R"re(^Microsoft Entra ID refused the consent: (.+)$)re",
       {"reason"}},
      {"connector.answer_unknown",
       R"re(^This answer from Microsoft does not belong to a Set up started here.*$)re",
       {}},
      {"connector.answer_used", R"re(^This answer from Microsoft was already used.*$)re", {}},
      {"connector.setup_expired", R"re(^The Set up request expired.*$)re", {}},
      {"connector.session_ended",
       R"re(^The ccteams admin session that started this Set up has ended.*$)re",
       {}},
      {"connector.consent_unconfirmed",
       R"re(^Microsoft Entra ID did not confirm the admin consent.*$)re",
       {}},
      {"connector.tenant_mismatch",
       R"re(^The consent answer names another Microsoft 365 tenant than the one (.*) signed in to;.*$)re",
       {"upn"}},
      {"connector.tenant_taken",
       R"re(^This Microsoft 365 tenant is (?:already )?connected to another ccteams organisation;.*$)re",
       {}},
      {"connector.tenant_other",
       R"re(^This connector belongs to the Microsoft 365 tenant (\S+); sign in with an administrator of that tenant\..*$)re",
       {"tenant"}},
      {"connector.no_sign_in_code", R"re(^Microsoft did not return a sign-in code.*$)re", {}},
      {"connector.sign_in_unreachable",
       R"re(^Microsoft Entra ID could not be reached to finish the sign-in.*$)re",
       {}},
      {"connector.sign_in_refused",
       R"re(^Microsoft Entra ID refused to finish the sign-in \((.*)\); start again with Set up$)re",
       {"code"}},
      {"connector.no_id_token", R"re(^Microsoft Entra ID returned no ID token.*$)re", {}},
      {"connector.roles_unreachable",
       R"re(^Microsoft Graph could not be reached to read your directory roles.*$)re",
       {}},
      {"connector.roles_refused",
       R"re(^Microsoft Graph refused to read the directory roles of (.+) \((.*)\)\..*$)re",
       {"upn", "code"}},
      {"connector.roles_hidden",
       R"re(^Microsoft Graph did not show the directory roles of (.+) to this app\..*$)re",
       {"upn"}},
      {"connector.app_token_refused",
       R"re(^Microsoft Entra ID refused the connector's app token for tenant (\S+?)(?: \(([^)]*)\))?(?:: (.*))?\. An administrator must authorise the connector again \(Set up\)\.$)re",
       {"tenant", "code", "reason"}},
      {"connector.token_unreadable",
       R"re(^Microsoft Entra ID answered with a token this service cannot read.*$)re",
       {}},
      {"connector.token_tenant",
       R"re(^The tenant in the consent answer \((.+)\) is not the tenant Microsoft Entra ID issued the token for.*$)re",
       {"tenant"}},
      {"connector.no_permission",
       R"re(^Microsoft Entra ID granted the app no application permission in tenant (\S+):.*$)re",
       {"tenant"}},
      {"connector.entra_unreachable",
       R"re(^Microsoft Entra ID could not be reached or is throttling \((.*)\); try again in a moment$)re",
       {"detail"}},
      {"connector.id_token_refused",
       R"re(^(.+)\. Nothing was changed; start again with Set up\.$)re",
       {"reason"}},
      {"connector.not_set_up", R"re(^The Microsoft Teams connector is not set up.*$)re", {}},
      {"connector.server_not_configured",
       R"re(^The Microsoft Teams connector is not configured on this server.*$)re",
       {}},
      {"connector.already_active", R"re(^The Microsoft Teams connector is already Active$)re", {}},
      {"connector.reactivate_instead",
       R"re(^The Microsoft Teams connector is Inactive; reactivate it instead$)re",
       {}},
      {"connector.not_expected",
       R"re(^The Microsoft Teams connector is (\w+); this consent is no longer expected$)re",
       {"status"}},
      {"connector.not_active",
       R"re(^The Microsoft Teams connector is (\w+), not Active$)re",
       {"status"}},
      {"connector.delete_stopped",
       R"re(^Deleting stopped: (.+) could not remove its data: (.*)$)re",
       {"part", "reason"}},

      // ---- audit details (app/connector_consent.cpp, connector_sign_in.cpp,
      // connector_health.cpp, connector_service.cpp) ----
      {"audit.setup_started",
       R"re(^Set up started: Microsoft sign-in of a tenant administrator; the request expires at (\S+)$)re",
       {"at"}},
      {"audit.signed_in",
       R"re(^signed in to Microsoft as (\S*) \(object id (\S*)\) of tenant (\S*); admin consent asked of that tenant$)re",
       {"upn", "oid", "tenant"}},
      {"audit.consented",
       R"re(^(\w+) -> Active; tenant (\S*); consented by (\S*) \(object id (\S*)\); permissions ?(.*)$)re",
       {"from", "tenant", "upn", "oid", "permissions"}},
      {"audit.authorization_error",
       R"re(^(\w+) -> AuthorizationError: (.*)$)re",
       {"from", "message"},
       Nested::cause,
       2},
      {"audit.deleted",
       R"re(^(\w+) -> NotConfigured(?:; (.*))?$)re",
       {"from", ""},
       Nested::list,
       2},
      {"audit.transition", R"re(^(\w+) -> (\w+)$)re", {"from", "to"}},
      // One setting changed is its own sentence; several are listed (audit.update).
      {"setting.show_user_details", R"re(^showUserDetails (on|off)$)re", {"state"}},
      {"setting.presence_sync", R"re(^presenceSync (on|off)$)re", {"state"}},
      {"setting.presence_mapping", R"re(^presenceMapping ([^;]*)$)re", {"rules"}},
      {"audit.update",
       R"re(^((?:showUserDetails|presenceSync|presenceMapping) [^;]*(?:; (?:showUserDetails|presenceSync|presenceMapping) [^;]*)+)$)re",
       {""},
       Nested::list,
       1},

      // ---- what deleting the connector removed (presence/org_sync.cpp, presence_sync.cpp,
      // directory_service.cpp, sync_account_service.cpp) ----
      {"removed.presence_sync",
       R"re(^presence sync: (\d+) presence subscriptions? deleted, (\d+) Teams presence sessions? cleared(?: \((\d+) could not be deleted in Graph and lapse within the hour\))?$)re",
       {"subscriptions", "sessions", "failed"}},
      {"removed.presence_sync_none", R"re(^presence sync: no presence subscriptions$)re", {}},
      {"removed.directory",
       R"re(^directory mirror: (\d+) mirrored Teams directory users removed$)re",
       {"n"}},
      {"removed.sync_accounts",
       R"re(^(?:sync accounts: )?(\d+) sync accounts? and (?:its|their) tokens? removed$)re",
       {"n"}},

      // ---- sync accounts: sign-in (app/sync_account_sign_in.cpp), token health
      // (sync_account_tokens.cpp), audit (sync_account_service.cpp) ----
      {"sync.no_state", R"re(^The sign-in answer carries no state.*$)re", {}},
      {"sync.answer_unknown",
       R"re(^This sign-in answer does not belong to a sign-in started here.*$)re",
       {}},
      {"sync.answer_used", R"re(^This sign-in answer was already used.*$)re", {}},
      {"sync.expired", R"re(^The sign-in took too long and expired.*$)re", {}},
      {"sync.session_ended", R"re(^Your ccteams session ended during the sign-in.*$)re", {}},
      {"sync.admin_only",
       R"re(^Only an administrator (?:of this organisation )?can (?:add|manage) sync accounts$)re",
       {}},
      {"sync.sign_in_cancelled",
       R"re(^The sign-in was cancelled, or consent was declined, in Microsoft Entra(?:: (.*))?$)re",
       {"detail"}},
      {"sync.sign_in_refused",
       R"re(^Microsoft Entra refused the sign-in \(([^)]*)\)(?:: (.*))?$)re",
       {"code", "detail"}},
      {"sync.no_code", R"re(^The sign-in answer carries neither a code nor an error.*$)re", {}},
      {"sync.unreachable",
       R"re(^Microsoft Entra could not be reached to finish the sign-in.*$)re",
       {}},
      {"sync.finish_refused",
       R"re(^Microsoft Entra refused to finish the sign-in \((.*)\)$)re",
       {"code"}},
      {"sync.no_id_token", R"re(^Microsoft Entra returned no ID token.*$)re", {}},
      {"sync.no_identity",
       R"re(^Microsoft Entra returned an ID token without the account's identity$)re",
       {}},
      {"sync.other_app", R"re(^The ID token was issued to another application$)re", {}},
      {"sync.other_tenant",
       R"re(^The account (.*) belongs to another Microsoft Entra tenant than the connector's \((.*)\);.*$)re",
       {"upn", "tenant"}},
      {"sync.no_presence_scope",
       R"re(^The account (.*) was not granted Presence\.Read\.All;.*$)re",
       {"upn"}},
      {"sync.no_refresh_token",
       R"re(^Microsoft Entra returned no refresh token for (.*) \(offline_access was not granted\);.*$)re",
       {"upn"}},
      {"sync.token_unused",
       R"re(^The refresh token expired after a long time unused; sign the account in again((?: \(AADSTS\d+\))*)$)re",
       {"codes"}},
      {"sync.interaction_required",
       R"re(^Microsoft Entra wants the account to sign in interactively again .*; sign the account in again((?: \(AADSTS\d+\))*)$)re",
       {"codes"}},
      {"sync.consent_revoked",
       R"re(^Consent for the app was revoked; grant it and sign the account in again((?: \(AADSTS\d+\))*)$)re",
       {"codes"}},
      {"sync.account_disabled",
       R"re(^The account is disabled in Microsoft Entra; enable it, or remove it here((?: \(AADSTS\d+\))*)$)re",
       {"codes"}},
      {"sync.conditional_access",
       R"re(^Conditional Access blocks the account's token; change the policy or use another account((?: \(AADSTS\d+\))*)$)re",
       {"codes"}},
      {"sync.token_expired",
       R"re(^The refresh token expired or was revoked; sign the account in again((?: \(AADSTS\d+\))*)$)re",
       {"codes"}},
      {"sync.account_added", R"re(^(\S+) added$)re", {"upn"}},
      {"sync.account_replaced", R"re(^(\S+) signed in again; its token was replaced$)re", {"upn"}},
      {"sync.account_removed", R"re(^(\S+) removed$)re", {"upn"}},
      {"sync.token_works", R"re(^(\S+): the token works again$)re", {"upn"}},
      {"sync.account_failed",
       R"re(^(?:Sync account )?(\S+@\S+|\S+): (.*)$)re",
       {"upn", "reason"},
       Nested::cause,
       2},

      // ---- presence sync coverage (core/sync_subscriptions.cpp,
      // presence/subscription_keeper.cpp) ----
      {"coverage.no_public_url",
       R"re(^no public notification URL \(server\.public_url\): bulk reads only$)re",
       {}},
      {"coverage.no_healthy_account",
       R"re(^no healthy sync account: add one under Sync accounts; bulk reads only$)re",
       {}},
      {"coverage.not_enough",
       R"re(^not enough sync accounts: (\d+) users? needs? (\d+) accounts?, (\d+) (?:is|are) healthy; (\d+) users? rel(?:ies|y) on bulk reads only$)re",
       {"users", "needed", "healthy", "uncovered"}},
      {"coverage.no_spare",
       R"re(^no spare sync account: (\d+) users? uses? all (\d+) healthy accounts?, .*$)re",
       {"users", "healthy"}},

      // ---- idle codes (core/idle_code.cpp) ----
      {"idle_code.system",
       R"re(^idle code (.+) is a system code and cannot be deleted$)re",
       {"name"}},
      // Its holders (app/cc_config_service.cpp, connector_service.cpp): desktop profiles and the
      // presence mapping's rules, each a parameter of its own too.
      {"idle_code.in_use",
       R"re(^idle code (.+) is used by ((?:desktop profiles? (.+?))?(?:, )?(?:the Microsoft Teams presence mapping \((.*)\))?); change that first$)re",
       {"name", "holders", "profiles", "mapping"}},
  };
  return kPatterns;
}

struct Compiled {
  const Pattern* pattern;
  boost::regex regex;
};

const std::vector<Compiled>& compiled() {
  static const std::vector<Compiled> kCompiled = [] {
    std::vector<Compiled> out;
    for (const auto& p : patterns()) out.push_back({&p, boost::regex(p.regex)});
    return out;
  }();
  return kCompiled;
}

std::vector<std::string> split_parts(const std::string& text) {
  std::vector<std::string> out;
  std::size_t from = 0;
  for (;;) {
    const std::size_t at = text.find("; ", from);
    out.push_back(text.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) return out;
    from = at + 2;
  }
}

}  // namespace

std::optional<MessageCode> message_code(std::string_view english) {
  // Boost.Regex matches without recursion, but a long text (an error naming a client's 1 MiB
  // field) is still not worth the time: every sentence in the table is far shorter.
  if (english.empty() || english.size() > kMaxSentence) return std::nullopt;
  const std::string text(english);
  for (const auto& c : compiled()) {
    boost::smatch m;
    bool matched = false;
    try {
      matched = boost::regex_match(text, m, c.regex);
    } catch (const std::runtime_error&) {
      // Boost.Regex gives up on a pathological text (its complexity limit): no code then.
    }
    if (!matched) continue;
    const Pattern& p = *c.pattern;
    MessageCode out{p.code, {}, {}};
    for (std::size_t i = 0; i < p.names.size() && i + 1 < m.size(); ++i) {
      if (*p.names[i] == '\0' || !m[i + 1].matched) continue;
      out.params.emplace_back(p.names[i], m[i + 1].str());
    }
    if (p.nested != Nested::none && p.nested_group < m.size() && m[p.nested_group].matched) {
      // Only a shorter text is looked at again: a sentence never contains itself.
      const auto inner_code = [&text](const std::string& inner) {
        return inner.size() < text.size() ? message_code(inner) : std::nullopt;
      };
      const std::string inner = m[p.nested_group].str();
      if (p.nested == Nested::cause) {
        out.parts.push_back(inner_code(inner));
      } else {
        for (const auto& part : split_parts(inner)) out.parts.push_back(inner_code(part));
      }
    }
    return out;
  }
  return std::nullopt;
}

json::value message_code_json(const std::optional<MessageCode>& code) {
  if (!code) return nullptr;
  json::object params;
  for (const auto& [k, v] : code->params) params[k] = v;
  json::object o{{"code", code->code}, {"params", std::move(params)}};
  if (!code->parts.empty()) {
    json::array parts;
    for (const auto& p : code->parts) parts.push_back(message_code_json(p));
    o["parts"] = std::move(parts);
  }
  return o;
}

json::value message_code_json(std::string_view english) {
  return message_code_json(message_code(english));
}

}  // namespace ccteams::http
