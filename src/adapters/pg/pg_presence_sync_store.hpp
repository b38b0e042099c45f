#pragma once
// PresenceSubscriptionStore, PresenceInbox and NotificationKeyStore on PostgreSQL (schema:
// PostgreSQL migration 7), the twin of SqlitePresenceSyncStore: the same contract, the same
// rows. One per connection (a PgStore worker, the synchronous side); every one hands its
// appends to the store's one PgPresenceInboxWriter (group commit), while the other calls run
// on its own connection, inside the job's transaction when there is one.

#include "adapters/pg/pg_presence_sync_inbox.hpp"
#include "app/ports/presence_sync_store.hpp"

namespace ccteams::store {

class PgDb;

// Thread-safety: any thread; each call takes the connection's lock (append: the writer's).
class PgPresenceSyncStore final : public PresenceSubscriptionStore,
                                  public PresenceInbox,
                                  public NotificationKeyStore {
 public:
  // db and writer must outlive this store; db must be migrated.
  PgPresenceSyncStore(PgDb& db, PgPresenceInboxWriter& writer) : db_(db), writer_(writer) {}

  // PresenceSubscriptionStore. put_subscription: not_found when the organisation does not exist.
  Result<void> put_subscription(const PresenceSubscriptionRecord& record) override;
  Result<void> delete_subscription(const std::string& id) override;
  Result<std::vector<PresenceSubscriptionRecord>> list_subscriptions(OrgId org) override;
  Result<std::vector<PresenceSubscriptionRecord>> list_all_subscriptions() override;

  // PresenceInbox. append: PgPresenceInboxWriter::append. An entry whose body cannot be decoded
  // is returned by pending() with an empty batch and logged, as on SQLite.
  boost::asio::awaitable<Result<std::int64_t>> append(InboxEntry entry) override;
  Result<std::vector<InboxEntry>> pending(OrgId org, std::size_t limit) override;
  Result<std::vector<OrgId>> orgs_with_pending() override;
  Result<void> remove(OrgId org, const std::vector<std::int64_t>& seqs) override;
  Result<void> clear(OrgId org) override;

  // NotificationKeyStore: the keyring as sealed by its owner (NotificationKeyring::seal: the
  // private keys never reach the database in clear); saved in one statement.
  Result<std::optional<std::string>> load_keyring() override;
  Result<void> save_keyring(const std::string& sealed, Timestamp at) override;

 private:
  PgDb& db_;
  PgPresenceInboxWriter& writer_;
};

}  // namespace ccteams::store
