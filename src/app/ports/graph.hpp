#pragma once
// The Microsoft Graph / Entra ID port: what the app layer asks of Microsoft, in plain values.
// Implemented by adapters/graph (HttpGraphClient); tests use fakes. Every wire detail (paths,
// JSON names, form fields, retries, throttling budget) lives in the adapter, not here.
// Reference: shared/graph-protocol.md (sections cited as §n).
//
// Errors. Graph's own error code matters to callers (resyncRequired means "run a full delta
// resync", invalid_grant means "the refresh token is dead", 404 on clearPresence means "no such
// session"), and the rules forbid branching on message text. So the port does not squeeze
// failures into core Error: every call yields a GraphResult<T>, holding a T or a GraphError
// that keeps Graph's typed error (status, code, AADSTS codes, request id, Retry-After) plus a
// coarse GraphErrorKind to branch on. GraphError::to_error() gives the core Error (Errc mapped
// from the kind, message safe to show, retry_after_seconds kept) for passing further up.

#include <boost/asio/awaitable.hpp>
#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

// ---- Directory -------------------------------------------------------------------------------

// A user as Graph returns it (§2). Absent and null are both empty optionals: Graph sends null
// for unset values, and a delta page with `Prefer: return=minimal` omits unchanged ones.
struct GraphUser {
  std::string id;  // the Entra object id (= `oid`), the only stable key
  std::optional<std::string> display_name;
  std::optional<std::string> given_name;
  std::optional<std::string> surname;
  std::optional<std::string> mail;
  std::optional<std::string> user_principal_name;
  std::optional<std::string> job_title;
  std::optional<std::string> department;   // only when $select-ed
  std::vector<std::string> business_phones;  // [] when unset
  std::optional<bool> account_enabled;      // only when $select-ed
};

// Why a delta page lists a user as removed (§2 Delta): "changed" = soft delete (restorable),
// "deleted" = permanent. Unknown reasons are kept as `other` with the raw text.
enum class RemovalReason { changed, deleted, other };

struct RemovedUser {
  std::string id;
  RemovalReason reason = RemovalReason::other;
  std::string raw_reason;  // as sent, e.g. "changed"
};

// One page of GET /users or /users/delta. At most one of next_link / delta_link is set on a
// delta page; a plain list has no delta_link. Links are opaque and must be followed verbatim.
struct UsersPage {
  std::vector<GraphUser> users;
  std::vector<RemovedUser> removed;  // delta only
  std::optional<std::string> next_link;
  std::optional<std::string> delta_link;
  std::optional<std::int64_t> count;  // @odata.count when asked for
};

// ---- Presence --------------------------------------------------------------------------------

// Availability and activity are kept as the raw Graph strings (§3.1): the documented lists
// disagree between revisions and new values appear (Focusing), so interpretation (case-
// insensitive) belongs to the core mapping, not the decoder.
struct GraphPresence {
  std::string user_id;
  std::string availability;
  std::string activity;
  std::optional<std::string> sequence_number;  // lexicographically sortable version stamp
  std::optional<bool> out_of_office;           // outOfOfficeSettings.isOutOfOffice
  std::optional<std::string> out_of_office_message;
  std::optional<std::string> status_message;   // statusMessage.message.content
};

// POST /users/{id}/presence/setPresence (§3.4). session_id must be the app's client id.
struct SetPresenceRequest {
  std::string user_id;
  std::string session_id;
  std::string availability;  // v1.0 pairs: Available/Available, Busy/InACall, ...
  std::string activity;
  std::optional<std::chrono::seconds> expiration;  // PT5M..PT4H; Graph's default is 5 min
};

inline constexpr std::size_t kMaxPresenceIdsPerCall = 650;

// ---- Subscriptions and notifications ---------------------------------------------------------

struct Subscription {
  std::string id;
  std::string resource;
  std::string change_type;  // comma-joined, e.g. "updated"
  std::string notification_url;
  std::optional<std::string> lifecycle_notification_url;
  Timestamp expiration{};
  std::optional<std::string> client_state;  // null in list responses (§4.2)
  std::optional<std::string> creator_id;
  std::optional<std::string> application_id;
  bool include_resource_data = false;
  std::optional<std::string> encryption_certificate_id;
  std::optional<std::string> latest_supported_tls_version;
  std::optional<std::string> notification_content_type;
};

// POST /subscriptions (§4.1). Presence: change_type "updated", expiry ≤ 60 min, delegated only.
struct SubscriptionRequest {
  std::string resource;
  std::string change_type = "updated";
  std::string notification_url;
  std::optional<std::string> lifecycle_notification_url;
  Timestamp expiration{};
  std::optional<std::string> client_state;  // ≤ 128 chars
  bool include_resource_data = false;
  std::optional<std::string> encryption_certificate;  // base64 X.509, public key only
  std::optional<std::string> encryption_certificate_id;
  std::optional<std::string> latest_supported_tls_version;
};

// PATCH /subscriptions/{id} (§4.2): a new expiry (this also reauthorizes) and, after a key
// rotation, the new encryption certificate with its id (both or neither).
struct SubscriptionRenewal {
  Timestamp expiration{};
  std::optional<std::string> encryption_certificate;  // base64 X.509, public key only
  std::optional<std::string> encryption_certificate_id;
};

struct SubscriptionsPage {
  std::vector<Subscription> subscriptions;
  std::optional<std::string> next_link;
};

struct EncryptedContent {
  std::string data;            // base64
  std::string data_signature;  // base64 HMAC-SHA256
  std::string data_key;        // base64 RSA-OAEP-encrypted symmetric key
  std::string encryption_certificate_id;
  std::string encryption_certificate_thumbprint;  // hex
};

struct ResourceData {
  std::optional<std::string> id;
  std::optional<std::string> odata_type;  // "#microsoft.graph.presence"
  std::optional<std::string> odata_id;    // "users/{id}/presence"
};

// One item of a change-notification or lifecycle-notification collection (§4.3, §4.4).
// A lifecycle item has lifecycle_event set and no resource.
struct ChangeNotification {
  std::optional<std::string> id;
  std::string subscription_id;
  std::optional<Timestamp> subscription_expiration;
  std::optional<std::string> change_type;
  std::optional<std::string> resource;
  std::optional<ResourceData> resource_data;
  std::optional<std::string> tenant_id;
  std::optional<std::string> organization_id;
  std::optional<std::string> client_state;
  std::optional<std::string> lifecycle_event;  // reauthorizationRequired, subscriptionRemoved, missed
  std::optional<EncryptedContent> encrypted_content;
};

struct NotificationBatch {
  std::vector<ChangeNotification> notifications;
  std::vector<std::string> validation_tokens;  // JWTs, one per (app, tenant); rich only
};

// ---- Tokens ----------------------------------------------------------------------------------

// What a token says about itself, read by the adapter from the JWT payload of a token in a
// token endpoint reply (§1.4). Not verified, and sound only because the reply came straight
// from Entra's token endpoint over a verified TLS connection (OpenID Connect Core §3.1.3.7 (6);
// Graph access tokens must not be validated by clients at all).
struct TokenClaims {
  std::string oid;
  std::string tid;
  std::string aud;
  std::string upn;  // `upn`, else `preferred_username`, else `unique_name`
  std::string name;
  std::vector<std::string> scopes;  // `scp`, split on spaces (delegated permissions)
  std::vector<std::string> roles;   // `roles` (application permissions); empty when absent
  std::optional<std::int64_t> exp;  // seconds since the epoch
};

// A successful token endpoint reply (§1.3). Secrets: access_token and refresh_token must never
// be logged; the decoder's normalised output (graph decode) redacts them.
struct TokenResponse {
  std::string token_type;  // "Bearer"
  std::string access_token;
  std::int64_t expires_in = 0;  // seconds
  std::optional<std::int64_t> ext_expires_in;
  std::optional<std::string> refresh_token;  // code and refresh grants with offline_access
  std::optional<std::string> scope;          // space-separated
  std::optional<std::string> id_token;
  // Read by the adapter (see TokenClaims); nullopt when the token is not a readable JWT (an
  // access token may be opaque).
  std::optional<TokenClaims> access_token_claims;
  std::optional<TokenClaims> id_token_claims;
  // The delegated permissions Graph will see, without Graph's resource prefix
  // ("https://graph.microsoft.com/Presence.Read.All" -> "Presence.Read.All"): the access
  // token's `scp`, else (an opaque token) the reply's `scope`.
  std::vector<std::string> granted_scopes;
};

// Delegated sign-in inputs (§1.2, §1.3). The secret stays in the adapter's configuration.
struct AuthCodeRequest {
  std::string tenant;  // tenant id, or "organizations"
  std::string code;
  std::string redirect_uri;  // exactly as sent to /authorize
  std::string code_verifier;
  std::string scope;  // e.g. "https://graph.microsoft.com/Presence.Read.All offline_access"
};

struct RefreshRequest {
  std::string tenant;
  std::string refresh_token;
  std::string scope;  // equal to or a subset of the original; may be empty
};

// The signed-in user's directory roles (GET /me/memberOf, delegated; §1.4): the role template
// ids of the directoryRole objects among the memberships. complete is false when Graph returned
// a directoryRole without its roleTemplateId ("limited information": the token may not read
// directory roles), so that a missing role cannot be told from an unreadable one.
struct DirectoryRoles {
  std::vector<std::string> template_ids;
  bool complete = true;
};

// ---- Errors ----------------------------------------------------------------------------------

enum class GraphErrorKind {
  transport,        // no HTTP answer: connection failed, timed out, TLS
  throttled,        // 429 (retry_after_seconds when Graph said so)
  unavailable,      // 5xx: 500, 502, 503, 504
  unauthorized,     // 401, or an Entra error that means our credentials/consent are refused
  forbidden,        // 403: permission missing, quota reached, app-only where delegated needed
  not_found,        // 404
  invalid_request,  // other 4xx
  resync_required,  // delta token expired: resyncRequired / syncStateNotFound (§2 Delta)
  decode,           // an answer we could not read
};

struct GraphError {
  GraphErrorKind kind = GraphErrorKind::transport;
  int http_status = 0;  // 0 when no HTTP answer
  std::string code;     // Graph error.code, or Entra `error` (invalid_grant, ...)
  std::string message;  // Graph error.message / Entra error_description
  std::vector<std::string> inner_codes;  // nested innerError codes, outermost first
  std::optional<std::string> request_id;
  std::optional<std::string> client_request_id;
  std::optional<std::string> date;
  int retry_after_seconds = 0;  // > 0 when Retry-After was given
  // Entra token errors (§1.3).
  std::vector<std::int64_t> error_codes;  // AADSTS numbers, e.g. 70008
  std::optional<std::string> trace_id;
  std::optional<std::string> correlation_id;
  std::optional<std::string> timestamp;

  // A failure that may pass by itself: no answer, throttled, or the service unavailable.
  bool transient() const {
    return kind == GraphErrorKind::transport || kind == GraphErrorKind::unavailable ||
           kind == GraphErrorKind::throttled;
  }
  // The AADSTS numbers for a message, each after ", ": ", AADSTS50020, AADSTS90072".
  std::string aadsts_text() const {
    std::string out;
    for (auto c : error_codes) out += ", AADSTS" + std::to_string(c);
    return out;
  }
  bool has_aadsts(std::int64_t n) const {
    for (auto c : error_codes) {
      if (c == n) return true;
    }
    return false;
  }
  // The core error for callers that only need to pass it on: kind -> Errc, a message naming
  // status and code (never a token), retry_after_seconds kept.
  Error to_error() const;
};

inline std::string_view graph_error_kind_name(GraphErrorKind kind);

// A T or a GraphError (core Result with Graph's typed error; to_result() gives core Error).
template <class T>
using GraphResult = Result<T, GraphError>;

// ---- The port --------------------------------------------------------------------------------

// One GraphClient serves every tenant; calls name the tenant. App-token calls authenticate
// with the client-credentials token the client caches per tenant (refreshed ahead of expiry);
// calls marked "delegated" take the caller's access token (a sync account's), which the app
// keeps fresh through refresh_token(). Retries (429/503 Retry-After, 5xx backoff) and the per-
// tenant request budget are applied inside; a GraphError is what remains after them.
// Thread-safety: implementations must allow concurrent calls from any executor.
class GraphClient {
 public:
  virtual ~GraphClient() = default;
  template <class T>
  using Async = boost::asio::awaitable<GraphResult<T>>;

  // ---- Entra tokens
  // client_credentials for https://graph.microsoft.com/.default; never yields a refresh token.
  // Also how a consent callback confirms a tenant (§1.1).
  virtual Async<TokenResponse> app_token(std::string tenant) = 0;
  virtual Async<TokenResponse> token_by_auth_code(AuthCodeRequest request) = 0;
  // The reply's refresh_token replaces the stored one (§1.3: always rotate).
  virtual Async<TokenResponse> refresh_token(RefreshRequest request) = 0;
  // Delegated: the directory roles of the user access_token was issued to (follows paging).
  virtual Async<DirectoryRoles> my_directory_roles(std::string tenant,
                                                   std::string access_token) = 0;

  // ---- Directory (app token; ConsistencyLevel handled inside where needed)
  // GET /users with $select of every GraphUser field (incl. department, accountEnabled).
  virtual Async<UsersPage> list_users(std::string tenant, int page_size) = 0;
  // Any @odata.nextLink of list_users or users_delta, followed verbatim.
  virtual Async<UsersPage> users_page(std::string tenant, std::string link) = 0;
  // GET /users/delta with $select; follow next_link with users_page until delta_link.
  virtual Async<UsersPage> users_delta_start(std::string tenant) = 0;

  // ---- Presence (app token)
  // POST /communications/getPresencesByUserId; 1..650 ids (more is a caller bug: invalid_request).
  virtual Async<std::vector<GraphPresence>> get_presences(std::string tenant,
                                                     std::vector<std::string> user_ids) = 0;
  virtual Async<void> set_presence(std::string tenant, SetPresenceRequest request) = 0;
  // not_found when the session does not exist (already cleared or expired).
  virtual Async<void> clear_presence(std::string tenant, std::string user_id,
                                     std::string session_id) = 0;

  // ---- Subscriptions (presence: delegated token of a sync account)
  virtual Async<Subscription> create_subscription(std::string tenant, std::string access_token,
                                                  SubscriptionRequest request) = 0;
  virtual Async<Subscription> get_subscription(std::string tenant, std::string access_token,
                                               std::string id) = 0;
  virtual Async<SubscriptionsPage> list_subscriptions(std::string tenant,
                                                      std::string access_token) = 0;
  // PATCH expirationDateTime (and the certificate after a key rotation); also reauthorizes.
  virtual Async<Subscription> renew_subscription(std::string tenant, std::string access_token,
                                                 std::string id, SubscriptionRenewal renewal) = 0;
  // POST /subscriptions/{id}/reauthorize (204; does not extend the expiry).
  virtual Async<void> reauthorize_subscription(std::string tenant, std::string access_token,
                                               std::string id) = 0;
  virtual Async<void> delete_subscription(std::string tenant, std::string access_token,
                                          std::string id) = 0;
};

// ---- Inline definitions (header-only port: no .cpp in app/ports) ------------------------------

inline std::string_view graph_error_kind_name(GraphErrorKind kind) {
  switch (kind) {
    case GraphErrorKind::transport: return "transport";
    case GraphErrorKind::throttled: return "throttled";
    case GraphErrorKind::unavailable: return "unavailable";
    case GraphErrorKind::unauthorized: return "unauthorized";
    case GraphErrorKind::forbidden: return "forbidden";
    case GraphErrorKind::not_found: return "not_found";
    case GraphErrorKind::invalid_request: return "invalid_request";
    case GraphErrorKind::resync_required: return "resync_required";
    case GraphErrorKind::decode: return "decode";
  }
  return "transport";
}

// A Graph 4xx that is not about credentials or existence means we sent something Graph does
// not accept: a bug on our side, hence internal rather than the caller's invalid_input.
inline Error GraphError::to_error() const {
  Errc errc = Errc::internal;
  switch (kind) {
    case GraphErrorKind::transport:
    case GraphErrorKind::unavailable: errc = Errc::unavailable; break;
    case GraphErrorKind::throttled: errc = Errc::rate_limited; break;
    case GraphErrorKind::unauthorized: errc = Errc::unauthenticated; break;
    case GraphErrorKind::forbidden: errc = Errc::forbidden; break;
    case GraphErrorKind::not_found: errc = Errc::not_found; break;
    case GraphErrorKind::resync_required: errc = Errc::conflict; break;
    case GraphErrorKind::invalid_request:
    case GraphErrorKind::decode: errc = Errc::internal; break;
  }
  std::string text = "Microsoft Graph";
  if (http_status != 0) text += " " + std::to_string(http_status);
  if (!code.empty()) text += " " + code;
  if (!message.empty()) text += ": " + message;
  return make_error(errc, std::move(text), retry_after_seconds);
}

}  // namespace ccteams
