#pragma once
// ContactCenterStore on PostgreSQL (schema: PostgreSQL migrations 4 and 6), the twin of
// SqliteContactCenterStore: the same contract, the same rows. Idle codes, profiles and queues
// live in pg_cc_config_store.cpp, agents in pg_cc_agent_store.cpp, the live state and event
// log in pg_cc_live_store.cpp.

#include "app/ports/contact_center_store.hpp"

namespace ccteams::store {

class PgDb;

// Implements the port's contract: rows are addressed by (org, id), so another organisation's
// row is not_found; the foreign keys carry the org too. Writes of several rows run in one
// transaction (a savepoint inside a job), and so do reads of several statements (one
// snapshot, as SQLite's lock gives). Deleting an idle code still referenced fails at its own
// statement (conflict), not at COMMIT, although those references are deferred (the schema says
// why).
// Thread-safety: any thread; each call takes the connection's lock.
class PgContactCenterStore final : public ContactCenterStore {
 public:
  // db must outlive this store and be migrated.
  explicit PgContactCenterStore(PgDb& db) : db_(db) {}

  // ContactCenterStore
  Result<IdleCode> create_idle_code(OrgId org, const IdleCode& code) override;
  Result<IdleCode> get_idle_code(OrgId org, IdleCodeId id) override;
  Result<std::vector<IdleCode>> list_idle_codes(OrgId org) override;
  Result<IdleCode> update_idle_code(OrgId org, const IdleCode& code) override;
  Result<void> delete_idle_code(OrgId org, IdleCodeId id) override;
  Result<IdleCode> ensure_rona_idle_code(OrgId org) override;
  Result<std::vector<std::string>> profiles_using_idle_code(OrgId org, IdleCodeId id) override;
  Result<DesktopProfile> create_desktop_profile(const DesktopProfile& profile) override;
  Result<DesktopProfile> get_desktop_profile(OrgId org, DesktopProfileId id) override;
  Result<std::vector<DesktopProfile>> list_desktop_profiles(OrgId org) override;
  Result<DesktopProfile> update_desktop_profile(const DesktopProfile& profile) override;
  Result<void> delete_desktop_profile(OrgId org, DesktopProfileId id) override;
  Result<CcQueue> create_queue(const CcQueue& queue) override;
  Result<CcQueue> get_queue(OrgId org, QueueId id) override;
  Result<std::vector<CcQueue>> list_queues(OrgId org) override;
  Result<CcQueue> update_queue(const CcQueue& queue) override;
  Result<void> delete_queue(OrgId org, QueueId id) override;
  Result<AgentConfig> put_agent(const AgentConfig& agent) override;
  Result<AgentConfig> get_agent(OrgId org, UserId user) override;
  Result<std::vector<AgentConfig>> list_agents(OrgId org) override;
  Result<void> delete_agent(OrgId org, UserId user) override;
  Result<std::vector<AgentState>> list_agent_states(OrgId org) override;
  Result<Contact> put_contact(const Contact& contact) override;
  Result<Contact> get_contact(OrgId org, ContactId id) override;
  Result<std::vector<Contact>> list_open_contacts(OrgId org) override;
  Result<std::vector<QueueCounts>> list_queue_counts(OrgId org) override;
  Result<std::vector<OrgId>> orgs_with_live_state() override;
  Result<std::vector<CcEventRecord>> commit(OrgId org, const CcCommit& change) override;
  Result<std::vector<CcEventRecord>> events_after(OrgId org, std::int64_t after,
                                                  std::size_t limit) override;
  Result<int> prune_events(Timestamp before) override;

 private:
  PgDb& db_;
};

}  // namespace ccteams::store
