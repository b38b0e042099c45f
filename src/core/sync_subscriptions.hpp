#pragma once
// Presence subscription planning (DESIGN.md data flow, channel 2; graph-protocol.md §4): which
// change-notification subscriptions the org's sync accounts should hold for the Teams users we
// watch, and the Graph calls that get there from what exists. Pure: the caller passes what it
// knows and the time; the plan is a list of steps it carries out.
//
// Graph's rules that shape the plan:
//  * a presence subscription is delegated only (a signed-in sync account), at most 650 ids in
//    its `$filter=id in (...)`, and "a single user can create one presence subscription per
//    unique application": one subscription per sync account, so 650 x healthy accounts users;
//  * PATCH changes only the expiration (and certificate): a subscription's users cannot change,
//    a different set of users is a new subscription (§4.1, §4.2);
//  * expiration at most 60 minutes; Graph deletes a subscription silently once it expires.
//
// Repacking without a gap. Because an account holds one subscription, account A cannot create
// the replacement of its own subscription before deleting it. The plan therefore rotates through
// a spare account: create the new subscription under a healthy account that holds none, then
// delete A's, which makes A the spare for the next replacement. Only when no healthy account is
// spare does the plan delete first and create second (Create::gap). The gap lasts as long as
// the create call (Graph validates the notification URL within it, up to 10 s, §4.1); it is
// covered by the bulk-read channel, which reads every watched user about once a second anyway
// and is the repair path after any gap (DESIGN.md), so those users see bulk-read latency
// (about a second) instead of notification latency meanwhile, and no change is lost. The
// alternative, a second subscription on the same account, is refused by Graph ("one presence
// subscription per user per app"). Admins are told (status) when no spare account is left.
//
// Stability (few changes when agents come and go):
//  * a user who is no longer watched stays in their subscription (notifications for them are
//    ignored by the pipeline) until it is recreated for another reason or more than
//    max_departed such users have piled up in it: a departure alone usually changes nothing;
//  * new users first fill subscriptions that are being recreated anyway, then whole new
//    subscriptions of 650 on spare accounts, then the remainder goes into the existing
//    subscription with the least room that fits it all (one replacement), else a new
//    subscription, else it is spread over existing ones; what does not fit stays uncovered;
//  * users already covered are never moved to make room, so a shortage leaves the newcomers,
//    not the established users, on the bulk-read channel only.
// Packing densely keeps healthy accounts spare, which gives gapless repacks and a place for the
// users of an account whose token fails.
//
// Lifecycle: subscriptions within renew_margin of expiry are renewed (PATCH, lifetime from now);
// `removed` ones (lifecycle subscriptionRemoved, or a 404 on renew) and expired ones are
// forgotten and their users resubscribed; `reauthorization_failed` ones (reauthorizationRequired
// whose reauthorize/PATCH failed) are recreated; those on an account that is no longer healthy
// are deleted best-effort after their users moved (the token may be dead: they lapse by expiry).
//
// Executing a plan: run the steps in order; on the first failure stop and plan again from the
// new facts (planning is stateless, so a re-plan after a partial run is correct). A failed
// Create leaves the subscription it replaces in place (no gap) except in gap mode, where the
// old one is already gone and the bulk reads cover its users until the next plan.
// Thread-safety: plan_subscriptions is a pure function.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams::sync {

enum class SubscriptionHealth : std::uint8_t {
  ok,
  removed,                 // Graph no longer has it (subscriptionRemoved, 404)
  reauthorization_failed,  // reauthorizationRequired could not be honoured: it will not deliver
};

struct CurrentSubscription {
  std::string id;  // Graph's subscription id
  SyncAccountId account;
  std::vector<std::string> user_ids;
  Timestamp expiration;
  SubscriptionHealth health = SubscriptionHealth::ok;
};

struct SubscriptionPlanConfig {
  std::size_t max_ids = 650;  // 1..650
  // Asked at create/renew. Graph's max is 60 min and going over fails; 55 leaves room for
  // clock skew between us and Graph.
  Millis lifetime{55 * 60'000};
  Millis renew_margin{15 * 60'000};  // renew when expiry is this close
  std::size_t max_departed = 64;     // unwatched users tolerated per subscription
};

// invalid_input when max_ids is not 1..650, lifetime is not in (0, 60 min], or renew_margin is
// not in (0, lifetime).
Result<void> validate(const SubscriptionPlanConfig& config);

struct CreateSubscription {
  SyncAccountId account;
  std::vector<std::string> user_ids;
  Timestamp expiration;
  std::optional<std::string> replaces;  // the subscription this one takes over from
  bool gap = false;                     // the replaced one was deleted first (no spare account)
};
enum class DeleteReason : std::uint8_t {
  replaced,           // its users moved to a new subscription
  no_users,           // none of its users is watched any more
  account_unhealthy,  // best effort: the token may be dead; the subscription then lapses
  duplicate_account,  // a second subscription of one account (stale local data)
};
struct DeleteSubscription {
  std::string subscription_id;
  SyncAccountId account;
  DeleteReason reason = DeleteReason::replaced;
};
struct RenewSubscription {  // PATCH expirationDateTime (also reauthorizes)
  std::string subscription_id;
  SyncAccountId account;
  Timestamp expiration;
};
enum class ForgetReason : std::uint8_t { removed, expired };
struct ForgetSubscription {  // Graph has no such subscription any more: drop the local record
  std::string subscription_id;
  SyncAccountId account;
  ForgetReason reason = ForgetReason::removed;
};

using SubscriptionStep =
    std::variant<CreateSubscription, DeleteSubscription, RenewSubscription, ForgetSubscription>;

struct CoverageStatus {
  std::size_t users = 0;            // distinct users watched
  std::size_t accounts_needed = 0;  // ceil(users / max_ids)
  std::size_t accounts_healthy = 0;
  std::size_t subscriptions = 0;   // after the plan
  std::size_t spare_accounts = 0;  // healthy accounts holding none after the plan
  std::size_t uncovered = 0;
  // For the admin; empty when all is well. "not enough sync accounts: 1400 users need 3
  // accounts, 2 are healthy; 100 users rely on bulk reads only", or a note that no spare
  // account is left ("no spare sync account: ... bulk reads cover them ...").
  std::string message;
  bool enough_accounts() const { return uncovered == 0; }
};

struct SubscriptionPlan {
  std::vector<SubscriptionStep> steps;  // in execution order
  std::vector<std::string> uncovered;   // watched users no subscription covers (bulk reads only)
  CoverageStatus status;
};

// users: the Teams user ids to watch (duplicates ignored). healthy_accounts: the sync accounts
// whose token works (duplicates ignored; order is the preference for new subscriptions).
// current: what we hold. config must be valid (assert).
SubscriptionPlan plan_subscriptions(const std::vector<std::string>& users,
                                    const std::vector<SyncAccountId>& healthy_accounts,
                                    const std::vector<CurrentSubscription>& current, Timestamp now,
                                    const SubscriptionPlanConfig& config = {});

std::string_view delete_reason_name(DeleteReason r);  // "replaced", "no_users", ...
std::string_view forget_reason_name(ForgetReason r);  // "removed", "expired"

}  // namespace ccteams::sync
