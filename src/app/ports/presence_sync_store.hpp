#pragma once
// Persistence of presence sync (issue 6): the change-notification subscriptions we hold in
// Graph, and the durable inbox of accepted notification batches (DESIGN.md data flow: the
// webhook stores, then answers 202; processing reads the inbox, applies, then removes).
//
// Why both are stored: a subscription must be deleted when sync is switched off, renewed
// before it lapses, and its notifications recognised after a restart; a notification that was
// acknowledged (202) must survive a crash before it is processed (the next start processes it).
//
// clientState: only its SHA-256 digest (hex) is kept, compared in constant time. The secret
// itself is needed once, in the create request; Graph echoes it in every notification.
//
// Thread-safety: every call may be made from any thread; each call is atomic on its own.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/ports/graph_subscriptions.hpp"
#include "core/ids.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

enum class StoredSubscriptionHealth : std::uint8_t { ok, removed, reauthorization_failed };

struct PresenceSubscriptionRecord {
  std::string id;  // Graph's subscription id
  OrgId org;
  SyncAccountId account_id;  // the sync account that created it
  std::vector<std::string> user_ids;
  Timestamp expiration{};
  std::string client_state_sha256;  // hex digest of the clientState we sent
  bool include_resource_data = false;
  StoredSubscriptionHealth health = StoredSubscriptionHealth::ok;
  Timestamp created_at{};
  // The encryptionCertificateId it was created or last PATCHed with ('' when basic).
  std::string certificate_id;
};

// The service's notification keyring (the key pair of rich notifications), sealed with the service
// key by its owner: one per deployment, shared by every instance.
class NotificationKeyStore {
 public:
  virtual ~NotificationKeyStore() = default;
  // nullopt before the first save.
  virtual Result<std::optional<std::string>> load_keyring() = 0;
  // Replaces it at once: a crash leaves the old or the new.
  virtual Result<void> save_keyring(const std::string& sealed, Timestamp at) = 0;
};

class PresenceSubscriptionStore {
 public:
  virtual ~PresenceSubscriptionStore() = default;
  // Inserts or replaces by id.
  virtual Result<void> put_subscription(const PresenceSubscriptionRecord& record) = 0;
  // ok when absent (idempotent).
  virtual Result<void> delete_subscription(const std::string& id) = 0;
  virtual Result<std::vector<PresenceSubscriptionRecord>> list_subscriptions(OrgId org) = 0;
  virtual Result<std::vector<PresenceSubscriptionRecord>> list_all_subscriptions() = 0;
};

enum class InboxKind : std::uint8_t { change, lifecycle };

// One accepted webhook delivery for one organisation: the notifications that passed the gate
// (subscription known, clientState right) and the batch's validationTokens (rich only).
struct InboxEntry {
  std::int64_t seq = 0;  // assigned by append (increasing); ignored on input
  OrgId org;
  InboxKind kind = InboxKind::change;
  Timestamp received_at{};
  NotificationBatch batch;
};

class PresenceInbox {
 public:
  virtual ~PresenceInbox() = default;
  // Stores entry durably: returns once it is committed to disk. Concurrent appends share one
  // transaction (group commit), so the cost of a sync is spread over every waiting request.
  // Returns the entry's seq.
  virtual boost::asio::awaitable<Result<std::int64_t>> append(InboxEntry entry) = 0;
  // Oldest first, at most limit entries of org.
  virtual Result<std::vector<InboxEntry>> pending(OrgId org, std::size_t limit) = 0;
  virtual Result<std::vector<OrgId>> orgs_with_pending() = 0;
  // After processing. Unknown seqs are ignored.
  virtual Result<void> remove(OrgId org, const std::vector<std::int64_t>& seqs) = 0;
  // Everything of org (sync switched off, connector deleted).
  virtual Result<void> clear(OrgId org) = 0;
};

// Why the gate refused a notification. For metrics and logs only: the sender is never told
// (graph-protocol.md §4.3: a forged POST gets the same 202 as a good one).
enum class GateRejection : std::uint8_t { unspecified, unknown_subscription, client_state };

struct GateDecision {
  std::optional<OrgId> org;  // set: admitted, for this organisation
  GateRejection rejection = GateRejection::unspecified;  // meaningful only when org is empty
};

// The webhook's question to presence sync, asked for each notification before it is stored.
// Thread-safety: admit(), decide() and stored() are called from the HTTP server's threads.
class NotificationGate {
 public:
  virtual ~NotificationGate() = default;
  // The organisation the notification belongs to when subscription_id is one of ours and
  // client_state matches it (constant-time digest comparison); nullopt: reject it. A
  // subscription being created (the id not yet known) is recognised by its clientState alone.
  virtual std::optional<OrgId> admit(std::string_view subscription_id,
                                     std::string_view client_state) = 0;
  // admit() plus the reason of a rejection; this is what the webhook calls. The default knows
  // no reason (unspecified); a gate that can tell an unknown subscription from a wrong
  // clientState overrides it, so the rejection metric carries the reason.
  virtual GateDecision decide(std::string_view subscription_id, std::string_view client_state) {
    return GateDecision{admit(subscription_id, client_state), GateRejection::unspecified};
  }
  // entry (its seq set) is on disk: hand it to its organisation's processing, which saves
  // reading it back. A hand-off that finds nobody to take it is dropped: the entry stays in the
  // inbox, where the organisation's next start reads it.
  virtual void stored(InboxEntry entry) = 0;
};

}  // namespace ccteams
