#pragma once
// Internal to the emulator: the shared state behind GraphEmulator and the helpers its
// handler files use. Everything here is guarded by State::mu; handlers lock it for the
// whole (synchronous) request.

#include <boost/json/object.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "adapters/http/router.hpp"
#include "emulator/activity_model.hpp"
#include "emulator/graph_emulator.hpp"
#include "emulator/graph_error.hpp"
#include "emulator/jwt.hpp"
#include "emulator/odata.hpp"
#include "emulator/presence_model.hpp"
#include "emulator/notifier.hpp"
#include "emulator/request_counts.hpp"
#include "emulator/seeded_random.hpp"
#include "emulator/subscription_model.hpp"
#include "emulator/tenant_model.hpp"
#include "emulator/throttle.hpp"

namespace ccteams::emulator {

inline constexpr std::string_view kGraphResource = "https://graph.microsoft.com";
inline constexpr std::string_view kGraphAppId = "00000003-0000-0000-c000-000000000000";

// An interactive flow between the sign-in page, the consent page and the final redirect.
struct Interaction {
  enum class Kind { admin_consent_v1, admin_consent_v2, authorize };
  Kind kind = Kind::authorize;
  std::string client_id;
  std::string redirect_uri;
  std::string state;
  std::string response_mode = "query";
  std::vector<std::string> scopes;  // requested, normalised ("Presence.Read.All", "openid")
  std::string code_challenge;
  std::string code_challenge_method;
  std::string nonce;
  std::string prompt;
  std::string login_hint;
  // The authority's tenant id; "" for /common and /organizations (then the signed-in
  // user's own tenant decides).
  std::string authority_tenant_id;
  std::string user_id;         // after sign-in
  std::string user_tenant_id;  // the signed-in user's tenant
  Timestamp created{};
};

struct AuthCode {
  std::string client_id;
  std::string tenant_id;  // the signed-in user's
  std::string user_id;
  std::string redirect_uri;
  std::vector<std::string> scopes;
  std::string code_challenge;
  std::string code_challenge_method;
  std::string nonce;
  Timestamp expires_at{};
  bool redeemed = false;
};

struct RefreshToken {
  std::string client_id;
  std::string tenant_id;  // the signed-in user's
  std::string user_id;
  std::vector<std::string> scopes;
  Timestamp expires_at{};
  bool rotated = false;  // replaced by a newer token: no longer redeemable
};

struct Faults {
  int latency_ms = 0;
  double status_5xx_rate = 0;             // fraction of Graph requests answered 503
  std::optional<Timestamp> throttle_storm_until;  // every Graph request 429 until then
  int throttle_storm_retry_after = 5;
  double drop_notification_rate = 0;       // fraction of change notifications never sent
  double duplicate_notification_rate = 0;  // fraction sent twice
  bool reorder_notifications = false;      // every other batch per URL is sent late
  // Entra's token endpoint answers 503 temporarily_unavailable (AADSTS90033) until then.
  std::optional<Timestamp> token_outage_until;
  // Access tokens issued (iat) in a second before this one are refused with 401 (as after a
  // key rollover or a revocation): clients must fetch new ones. Graph's tokens otherwise live on.
  std::optional<Timestamp> access_tokens_not_before;
};

// One emulated Entra tenant: its directory (users, consent grants and the app's service
// principal), its users' presence and their simulated Teams day. Nothing in one tenant refers
// to another's.
struct EmulatedTenant {
  EmulatedTenant(TenantModel d, bool allow_beta_pairs, std::uint64_t activity_seed,
                 double episodes_per_user_hour)
      : directory(std::move(d)),
        presence(allow_beta_pairs),
        activity(activity_seed, episodes_per_user_hour) {}

  TenantModel directory;
  PresenceModel presence;
  ActivityModel activity;
};

// Who called Graph, from a verified access token.
struct Caller {
  std::string app_id;
  std::string tenant_id;
  std::string user_id;  // delegated only
  bool delegated = false;
  std::set<std::string> permissions;  // roles (app) or scp (delegated)
  EmulatedTenant* tenant = nullptr;   // the token's tenant (tid); never null once verified
};

struct GraphEmulator::State {
  State(EmulatorOptions opts);

  Timestamp now() const { return options.clock(); }
  std::string new_request_id() { return rng.guid(); }
  std::string random_token(std::size_t bytes);  // base64url of CSPRNG bytes

  EmulatorOptions options;
  std::string login_base;  // no trailing slash
  std::string graph_base;
  mutable std::mutex mu;
  // [0] is the app's home tenant, where the app registrations live (EmulatorOptions::tenants
  // in all). Never resized after construction, so pointers to tenants stay valid.
  std::vector<std::unique_ptr<EmulatedTenant>> tenants;
  JwtSigner signer;
  PageTokenCodec page_tokens;
  SeededRandom rng;
  Throttle throttle;
  Faults faults;
  RequestCounts requests;  // per client and endpoint (GET /_emulator/requests)
  std::map<std::string, Interaction> interactions;
  std::map<std::string, AuthCode> codes;
  std::map<std::string, RefreshToken> refresh_tokens;
  std::map<std::string, Subscription> subscriptions;
  std::shared_ptr<Notifier> notifier;  // null until GraphEmulator::attach
  // validationTokens per "{appId}/{tenantId}", reused until 10 minutes before they expire.
  std::map<std::string, std::pair<std::string, Timestamp>> validation_tokens;
  EmulatedTenant& home() { return *tenants.front(); }
  const EmulatedTenant& home() const { return *tenants.front(); }
  // A tenant by id or verified domain (case-insensitive); null for an unknown tenant and for
  // the multi-tenant authorities "common" and "organizations".
  EmulatedTenant* find_tenant(std::string_view id_or_domain);
  // The tenant whose directory holds the (present) user, by id or UPN; null when none does.
  EmulatedTenant* tenant_of_user(std::string_view id_or_upn);
  // App registrations live in the home tenant only (a multi-tenant app).
  const AppRegistration* find_app(std::string_view client_id) const {
    return home().directory.find_app(client_id);
  }
};
using State = GraphEmulator::State;

inline bool is_multi_tenant_authority(std::string_view tenant) {
  return tenant == "common" || tenant == "organizations";
}
// Whether ID tokens for this registration carry wids (groupMembershipClaims).
bool emits_directory_roles(std::string_view group_membership_claims);

// --- responses --------------------------------------------------------------------------
// Graph's envelope {"error":{"code","message","innerError":{"date","request-id",
// "client-request-id"}}} with request-id headers and Retry-After when set.
http::Response graph_error_response(State& s, const http::Request& req, const GraphError& e);
http::Response graph_json(int status, const boost::json::value& body);
// Entra's token-endpoint error: {"error","error_description":"AADSTSn: …\r\nTrace ID: …",
// "error_codes":[n],"timestamp","trace_id","correlation_id","error_uri"}.
http::Response entra_error(State& s, int status, std::string_view error, int aadsts,
                           std::string_view description);
http::Response redirect(std::string location);

// --- Graph request admission (throttling, faults, bearer token) -------------------------
// Verifies the bearer token (401 InvalidAuthenticationToken) and that it is for Graph in this
// tenant. Consent revocation is honoured at once: permissions no longer granted are removed.
GraphResult<Caller> authenticate(State& s, const http::Request& req);
// 403 Authorization_RequestDenied unless the caller holds one of the permissions.
std::optional<GraphError> require_any(const Caller& c, std::initializer_list<std::string_view> app,
                                      std::initializer_list<std::string_view> delegated);
// Takes cost from the bucket; 429 with Retry-After and x-ms-throttle-* headers when empty.
std::optional<http::Response> throttled(State& s, const http::Request& req, const Caller& c,
                                        std::string_view limit_name, const ThrottleLimit& limit,
                                        double cost);

// --- routes per area (each file registers its own) --------------------------------------
void register_entra_routes(http::Router& router, const std::shared_ptr<State>& s);
void register_token_route(http::Router& router, const std::shared_ptr<State>& s);
void register_users_routes(http::Router& router, const std::shared_ptr<State>& s);
void register_delta_routes(http::Router& router, const std::shared_ptr<State>& s);
void register_presence_routes(http::Router& router, const std::shared_ptr<State>& s);
void register_control_routes(http::Router& router, const std::shared_ptr<State>& s);
void register_subscription_routes(http::Router& router, const std::shared_ptr<State>& s);

// --- change notifications (subscription_delivery.cpp) ------------------------------------
// Presence listener: queues a changeNotification for every live subscription watching the
// user (with encryptedContent and a validation token when includeResourceData), applying the
// drop/duplicate faults. No-op before attach. Called with mu held; never waits for I/O.
void notify_presence_change(State& s, const std::string& tenant_id, const PresenceView& v);
// Users listener: queues a changeNotification ("updated" or "deleted") for every live users
// subscription watching the user (or every user) whose changeType lists the change. No-op
// before attach. Called with mu held; never waits for I/O.
void notify_user_change(State& s, const std::string& tenant_id, const std::string& user_id,
                        std::string_view change);
// Queues a lifecycle notification ("reauthorizationRequired") for sub. false when the
// subscription has no lifecycleNotificationUrl or delivery is not attached.
bool send_lifecycle_event(State& s, Subscription& sub, std::string_view event);
// Deletes expired subscriptions silently and sends reauthorizationRequired once per
// subscription within NotificationOptions::reauthorization_lead of expiry. Called with mu held.
void tick_subscriptions(State& s, Timestamp now);

// Wraps a Graph handler: fault injection (latency, 5xx, 429 storms) then the handler, all
// under the state lock (the latency wait happens before taking it).
http::Handler graph_route(const std::shared_ptr<State>& s,
                          std::function<http::Response(State&, http::Request&)> fn);
// Wraps an Entra handler: state lock only.
http::Handler locked_route(const std::shared_ptr<State>& s,
                           std::function<http::Response(State&, http::Request&)> fn);
// Wraps a control API handler (/_emulator/…): 403 unless the client's address is loopback
// (127.0.0.0/8, ::1, or either mapped into IPv6), then the state lock. The control API can
// rewrite the directory and consent, so it never answers the network.
http::Handler control_route(const std::shared_ptr<State>& s,
                            std::function<http::Response(State&, http::Request&)> fn);
bool is_loopback_address(std::string_view address);
// The tenant a control call acts on: ?tenant={id or domain}, the home tenant when absent.
// 404 (error JSON) for an unknown tenant.
EmulatedTenant* control_tenant(State& s, const http::Request& req,
                               std::optional<http::Response>& error);

}  // namespace ccteams::emulator
