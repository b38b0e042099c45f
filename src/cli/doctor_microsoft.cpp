// The doctor's checks of the Microsoft side: Entra and the app registration in each connected
// tenant, the sync accounts' refresh tokens, and the stored subscriptions' expiry.
#include <algorithm>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "adapters/crypto/secret_box.hpp"
#include "adapters/crypto/secret_box_sealer.hpp"
#include "adapters/graph/http_graph_client.hpp"
#include "adapters/http/http_client.hpp"
#include "app/ports/store.hpp"
#include "app/sync_account_service.hpp"
#include "app/system_clock.hpp"
#include "cli/connector_wiring.hpp"
#include "cli/doctor_report.hpp"

namespace ccteams::cli {

namespace asio = boost::asio;

namespace {

constexpr const char* kEntra = "Microsoft Entra";

// An organisation whose connector holds a tenant the app must work in.
struct BoundTenant {
  OrgId org;
  std::string tenant;
  std::string label() const {
    return "tenant " + tenant + " (organisation " + std::to_string(org.value) + ")";
  }
};

// The application permissions ccteams uses, each with the grants that also satisfy it.
struct NeededRole {
  const char* name;
  const char* why;
  std::vector<const char*> also;
};
const std::vector<NeededRole>& needed_roles() {
  static const std::vector<NeededRole> roles = {
      {"User.Read.All",
       "the Teams directory (users, delta)",
       {"User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}},
      {"Presence.ReadWrite.All", "bulk presence reads and the agents' Teams presence", {}},
  };
  return roles;
}

// Entra's verdict in a line: its error code, AADSTS numbers and the first line of its text.
std::string entra_says(const GraphError& e) {
  std::string text = e.code.empty() ? std::string(graph_error_kind_name(e.kind)) : e.code;
  if (e.http_status != 0) text += " (HTTP " + std::to_string(e.http_status) + ")";
  std::string message = e.message.substr(0, e.message.find_first_of("\r\n"));
  while (!message.empty() && (message.back() == '.' || message.back() == ' ')) message.pop_back();
  // Entra's text starts with its AADSTS number already; Graph's does not.
  if (message.find("AADSTS") == std::string::npos) text += e.aadsts_text();
  if (!message.empty()) text += ": " + message;
  return text;
}

std::string app_token_fix(const GraphError& e) {
  if (e.kind == GraphErrorKind::transport || e.kind == GraphErrorKind::unavailable) {
    return "allow outbound HTTPS to microsoft.login_base_url (proxy, firewall, DNS), then run "
           "the doctor again";
  }
  if (e.entra == EntraErrorKind::bad_client_secret) {
    return "the client secret is wrong or expired: Entra admin center > App registrations > "
           "(the ccteams app) > Certificates & secrets > New client secret; put the value in "
           "the file microsoft.client_secret_file names and restart ccteams";
  }
  if (e.entra == EntraErrorKind::app_unknown_in_tenant) {
    return "the app is not (or no longer) consented in this tenant: its administrator sets the "
           "connector up again (Connectors > Microsoft Teams > Set up); check microsoft.client_id";
  }
  return "see Entra's message; the connector's page (Connectors > Microsoft Teams) shows the "
         "same error, and Set up again repairs a revoked consent";
}

asio::awaitable<std::vector<BoundTenant>> bound_tenants(Stores& stores, DoctorReport& r) {
  ConnectorStore& connectors = stores.connectors();
  std::vector<BoundTenant> out;
  for (auto status : {ConnectorStatus::active, ConnectorStatus::authorization_error}) {
    auto orgs = connectors.orgs_with_status(status);
    if (!orgs) {
      r.fail(kEntra, "the connectors cannot be read: " + orgs.error().message,
             "check the database line above");
      co_return out;
    }
    for (OrgId org : *orgs) {
      auto c = connectors.find_connector(org);
      if (c && *c && !(*c)->tenant_id.empty()) out.push_back({org, (*c)->tenant_id});
    }
  }
  co_return out;
}

// The app token of each tenant, and the roles it carries. Returns the tenants whose token works.
asio::awaitable<std::vector<BoundTenant>> check_app(EntraTokens& entra,
                                                    const std::vector<BoundTenant>& tenants,
                                                    DoctorReport& r) {
  std::vector<BoundTenant> working;
  for (const auto& t : tenants) {
    const std::string what = "app registration in " + t.label();
    auto token = co_await entra.app_token(t.tenant);
    if (!token) {
      r.fail(what, "no app token: " + entra_says(token.error()), app_token_fix(token.error()));
      r.skip("application permissions in " + t.label(), "no app token");
      continue;
    }
    r.ok(what + ": the client id and secret get an app token");
    working.push_back(t);
    const std::string perms = "application permissions in " + t.label();
    if (!token->access_token_claims) {
      r.skip(perms, "the app token is not a readable JWT");
      continue;
    }
    const auto& roles = token->access_token_claims->roles;
    auto has = [&](const char* name) {
      return std::find(roles.begin(), roles.end(), name) != roles.end();
    };
    std::vector<std::string> missing;
    std::string granted;
    for (const auto& need : needed_roles()) {
      if (has(need.name) || std::any_of(need.also.begin(), need.also.end(), has)) {
        granted += (granted.empty() ? "" : ", ") + std::string(need.name);
      } else {
        missing.push_back(std::string(need.name) + " (" + need.why + ")");
      }
    }
    if (missing.empty()) {
      r.ok(perms + ": " + granted + " granted");
      continue;
    }
    std::string names;
    for (const auto& m : missing) names += (names.empty() ? "" : ", ") + m;
    r.fail(perms, "the app token's roles lack " + names,
           "in the Entra admin center > App registrations > (the ccteams app) > API permissions, "
           "add the missing Microsoft Graph application permission, then have this tenant's "
           "administrator consent again (ccteams: Connectors > Microsoft Teams > Set up; or "
           "Entra: Enterprise applications > Permissions > Grant admin consent)");
  }
  co_return working;
}

// Redeems each account's refresh token as the service does (SyncAccountService::refresh) and
// stores the rotated one by compare-and-swap, so that the service's token is never lost.
asio::awaitable<void> check_sync_accounts(EntraTokens& entra, const SecretBox& key,
                                          Stores& stores,
                                          const std::vector<BoundTenant>& tenants,
                                          DoctorReport& r) {
  SyncAccountStore& store = stores.sync_accounts();
  SecretBoxSealer sealer(key);
  SystemClock clock;
  int seen = 0;
  for (const auto& t : tenants) {
    auto accounts = store.list_accounts(t.org);
    if (!accounts) {
      r.fail("sync accounts", accounts.error().message, "check the database line above");
      continue;
    }
    for (const auto& a : *accounts) {
      ++seen;
      const std::string what =
          "sync account " + a.upn + " (organisation " + std::to_string(t.org.value) + ")";
      const std::string sign_in_again =
          "sign the account in again: Connectors > Microsoft Teams > Presence sync accounts > "
          "Sign in, as " +
          a.upn;
      if (a.tenant_id != t.tenant) {
        r.fail(what, "it belongs to tenant " + a.tenant_id + ", not the connector's",
               "remove it and sign in an account of tenant " + t.tenant);
        continue;
      }
      const auto purpose = SyncAccountService::refresh_token_purpose(t.org, a.oid);
      auto refresh_token = sealer.open(a.sealed_refresh_token, purpose);
      if (!refresh_token) {
        r.fail(what, "its stored token cannot be decrypted with this key",
               "use the key that was in use when the account was signed in, or " + sign_in_again);
        continue;
      }
      // Named, not a temporary: GCC 12 frees a braced temporary argument twice in a coroutine.
      RefreshRequest request{t.tenant, *refresh_token, ""};
      auto token = co_await entra.refresh_token(std::move(request));
      if (!token) {
        auto now_stored = store.get_account(t.org, a.id);
        if (now_stored && now_stored->sealed_refresh_token != a.sealed_refresh_token) {
          r.skip(what,
                 "the running service rotated its token while it was checked; run the "
                 "doctor again");
        } else if (token.error().transient()) {
          r.fail(what, "Entra did not answer: " + entra_says(token.error()),
                 "allow outbound HTTPS to microsoft.login_base_url, then run the doctor again");
        } else {
          r.fail(what, "Entra refused its refresh token: " + entra_says(token.error()),
                 sign_in_again +
                     " (its sessions were revoked, its password reset, or it was "
                     "unused for 90 days)");
        }
        continue;
      }
      std::string sealed_new = a.sealed_refresh_token;
      if (token->refresh_token && !token->refresh_token->empty()) {
        auto sealed = sealer.seal(*token->refresh_token, purpose);
        if (sealed) sealed_new = std::move(*sealed);
      }
      auto stored =
          store.rotate_refresh_token(t.org, a.id, a.sealed_refresh_token, sealed_new, clock.now());
      // conflict: a newer sign-in or the service stored first; that newer token stays.
      if (!stored && stored.error().code != Errc::conflict) {
        r.fail(
            what,
            "its token redeems, but the rotated one could not be stored: " + stored.error().message,
            sign_in_again);
        continue;
      }
      r.ok(what + ": its refresh token redeems (the rotated token is stored)");
    }
  }
  if (seen == 0) {
    r.skip("sync accounts",
           "none signed in (presence change notifications need one: "
           "Connectors > Microsoft Teams > Presence sync accounts)");
  }
}

void check_subscriptions(Stores& stores, const PresenceSyncConfig& sync, DoctorReport& r) {
  auto subs = stores.subscriptions().list_all_subscriptions();
  if (!subs) {
    r.fail("subscriptions", subs.error().message, "check the database line above");
    return;
  }
  if (subs->empty()) {
    r.skip("subscriptions",
           "none stored (created once a sync account is signed in and agents "
           "with Teams users are logged in)");
    return;
  }
  const Timestamp now = SystemClock().now();
  const auto margin = std::chrono::seconds(sync.renew_before_seconds);
  const std::string fix =
      "check that ccteams serve runs and the sync account lines above are ok: the service "
      "renews subscriptions renew_before_seconds ahead and recreates lost ones (journalctl -u "
      "ccteams | grep -i subscription)";
  for (const auto& s : *subs) {
    const std::string what =
        "subscription " + s.id + " (organisation " + std::to_string(s.org.value) + ", " +
        std::to_string(s.user_ids.size()) + (s.user_ids.size() == 1 ? " user)" : " users)");
    const std::string expiry = format_iso8601(s.expiration);
    if (s.health != StoredSubscriptionHealth::ok) {
      r.fail(what, "Graph removed it or refused its reauthorization", fix);
    } else if (s.expiration <= now) {
      r.fail(what,
             "expired at " + expiry +
                 ": Graph has deleted it and sends no notifications "
                 "for its users (bulk reads still cover them)",
             fix);
    } else if (s.expiration <= now + margin) {
      r.fail(what,
             "expires at " + expiry +
                 ", within the renewal margin "
                 "(presence_sync.renew_before_seconds = " +
                 std::to_string(sync.renew_before_seconds) + "): its renewal is overdue",
             fix);
    } else {
      r.ok(what + ": expires at " + expiry);
    }
  }
}

// Outside the coroutine: GCC 12 cannot keep braced initialisers in a coroutine frame.
ClientRequest discovery_request(std::string url) {
  ClientRequest r;
  r.url = std::move(url);
  r.timeout = std::chrono::seconds(10);
  return r;
}

}  // namespace

asio::awaitable<void> check_microsoft_side(const MicrosoftCheckInputs& in, DoctorReport& r) {
  co_await check_public_url(in, r);
  const MicrosoftConfig& m = in.config.microsoft;
  // Why the sync accounts were not checked, when they were not.
  std::string no_sync_check = "Microsoft Entra could not be checked";
  if (m.client_id.empty()) {
    r.skip(kEntra, "microsoft.client_id is not set: the Teams connector is off");
    no_sync_check = "the Teams connector is off";
  } else if (auto secret = find_client_secret(m); !secret) {
    r.fail(kEntra, secret.error().message,
           "put the app registration's client secret in the file microsoft.client_secret_file "
           "names (mode 0600)");
  } else {
    std::string login = m.login_base_url;
    while (!login.empty() && login.back() == '/') login.pop_back();
    auto discovery = co_await in.microsoft_client.send(
        discovery_request(login + "/common/v2.0/.well-known/openid-configuration"));
    if (!discovery || discovery->status != 200) {
      r.fail(
          kEntra,
          login + " cannot be reached: " +
              (discovery ? "HTTP " + std::to_string(discovery->status) : discovery.error().message),
          "allow outbound HTTPS to " + login +
              " (proxy, firewall, DNS); a TLS-inspecting proxy's CA goes in microsoft.ca_file");
    } else if (in.stores == nullptr) {
      r.ok(std::string(kEntra) + ": " + login + " answers (OpenID discovery)");
      r.skip("app registration", "the database could not be read");
      no_sync_check = "the database could not be read";
    } else {
      r.ok(std::string(kEntra) + ": " + login + " answers (OpenID discovery)");
      auto tenants = co_await bound_tenants(*in.stores, r);
      if (tenants.empty()) {
        r.skip("app registration",
               "no organisation has connected a Microsoft 365 tenant yet (the first customer's "
               "admin consent, Connectors > Microsoft Teams > Set up, binds one)");
        no_sync_check = "no connected tenant";
      }
      SystemClock clock;
      graph::GraphClientConfig gc;
      gc.login_base = login;
      gc.graph_base = m.graph_base_url;
      gc.client_id = m.client_id;
      gc.client_secret = *secret;
      // A doctor answers in seconds: one retry, and Graph's validation deadline per request.
      gc.retry.max_attempts = 2;
      gc.request_timeout = std::chrono::seconds(10);
      graph::HttpGraphClient graph(in.microsoft_client, clock, gc);
      auto working = co_await check_app(graph, tenants, r);
      if (in.key == nullptr) {
        no_sync_check = "the key check failed: their tokens cannot be opened";
      } else if (!working.empty()) {
        co_await check_sync_accounts(graph, *in.key, *in.stores, working, r);
        no_sync_check.clear();
      } else if (!tenants.empty()) {
        no_sync_check = "no tenant with a working app token";
      }
    }
  }
  if (!no_sync_check.empty()) r.skip("sync accounts", no_sync_check);
  if (in.stores == nullptr) {
    r.skip("subscriptions", "the database could not be read");
  } else {
    check_subscriptions(*in.stores, in.config.presence_sync, r);
  }
}

}  // namespace ccteams::cli
