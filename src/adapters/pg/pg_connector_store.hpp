#pragma once
// ConnectorStore on PostgreSQL (schema: PostgreSQL migrations 4 and 5), the twin of
// SqliteConnectorStore: the same contract, the same rows.

#include "app/ports/connector_store.hpp"

namespace ccteams::store {

class PgDb;

// Implements the port's contract. Writes that touch several rows (connector and mapping,
// claim of a consent request, delete) run in one transaction (a savepoint inside a job); a
// claim locks its row, so it happens once even on a connection outside a serializable job.
// Thread-safety: any thread; each call takes the connection's lock.
class PgConnectorStore final : public ConnectorStore {
 public:
  // db must outlive this store and be migrated.
  explicit PgConnectorStore(PgDb& db) : db_(db) {}

  // ConnectorStore
  Result<std::optional<TeamsConnector>> find_connector(OrgId org) override;
  Result<TeamsConnector> save_connector(const TeamsConnector& connector,
                                        std::int64_t expected_version) override;
  Result<std::optional<OrgId>> find_org_by_tenant(const std::string& tenant_id) override;
  Result<void> delete_connector(OrgId org) override;
  Result<std::vector<OrgId>> orgs_with_status(ConnectorStatus status) override;
  Result<void> put_consent_request(const ConsentRequest& request) override;
  Result<ConsentRequest> claim_consent_request(const std::string& state_digest) override;
  Result<void> release_consent_request(const std::string& state_digest) override;
  Result<int> prune_consent_requests(Timestamp before) override;
  Result<ConnectorAuditEntry> append_audit(const ConnectorAuditEntry& entry) override;
  Result<std::vector<ConnectorAuditEntry>> list_audit(OrgId org, std::size_t limit,
                                                      std::optional<std::int64_t> before) override;

 private:
  PgDb& db_;
};

}  // namespace ccteams::store
