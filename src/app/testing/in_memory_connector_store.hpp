#pragma once
// A ConnectorStore in memory, for app-layer tests (STYLE §3). Same contract as the SQLite store,
// except that mapping rules are not checked against idle codes (the service checks them first).

#include <algorithm>
#include <map>
#include <mutex>

#include "app/ports/connector_store.hpp"

namespace ccteams::testing {

class InMemoryConnectorStore final : public ConnectorStore {
 public:
  Result<std::optional<TeamsConnector>> find_connector(OrgId org) override {
    std::lock_guard l(mu_);
    auto it = connectors_.find(org.value);
    if (it == connectors_.end()) return std::optional<TeamsConnector>{};
    return std::optional<TeamsConnector>{it->second};
  }
  Result<TeamsConnector> save_connector(const TeamsConnector& c,
                                        std::int64_t expected_version) override {
    std::lock_guard l(mu_);
    ++writes;
    auto it = connectors_.find(c.org.value);
    const std::int64_t stored_version = it == connectors_.end() ? 0 : it->second.version;
    if (stored_version != expected_version) {
      return make_error(Errc::conflict, "changed at the same time; try again");
    }
    if (!c.tenant_id.empty()) {
      for (const auto& [org, other] : connectors_) {
        if (org != c.org.value && other.tenant_id == c.tenant_id) {
          return make_error(Errc::conflict, std::string(kTenantTakenMessage));
        }
      }
    }
    TeamsConnector stored = c;
    stored.version = expected_version + 1;
    connectors_[c.org.value] = stored;
    return stored;
  }
  Result<std::optional<OrgId>> find_org_by_tenant(const std::string& tenant_id) override {
    std::lock_guard l(mu_);
    for (const auto& [org, c] : connectors_) {
      if (!tenant_id.empty() && c.tenant_id == tenant_id) return std::optional<OrgId>{OrgId{org}};
    }
    return std::optional<OrgId>{};
  }
  Result<void> delete_connector(OrgId org) override {
    std::lock_guard l(mu_);
    if (connectors_.erase(org.value) == 0) return make_error(Errc::not_found, "not set up");
    std::erase_if(requests_, [&](const auto& kv) { return kv.second.org == org; });
    return ok();
  }
  Result<std::vector<OrgId>> orgs_with_status(ConnectorStatus status) override {
    std::lock_guard l(mu_);
    std::vector<OrgId> out;
    for (const auto& [id, c] : connectors_) {
      if (c.status == status) out.push_back(OrgId{id});
    }
    return out;
  }
  Result<void> put_consent_request(const ConsentRequest& r) override {
    std::lock_guard l(mu_);
    if (requests_.contains(r.state_digest)) return make_error(Errc::conflict, "exists");
    requests_[r.state_digest] = r;
    return ok();
  }
  Result<ConsentRequest> claim_consent_request(const std::string& digest) override {
    std::lock_guard l(mu_);
    auto it = requests_.find(digest);
    if (it == requests_.end()) return make_error(Errc::not_found, "no such consent request");
    ConsentRequest before = it->second;
    it->second.used = true;
    return before;
  }
  Result<void> release_consent_request(const std::string& digest) override {
    std::lock_guard l(mu_);
    auto it = requests_.find(digest);
    if (it == requests_.end()) return make_error(Errc::not_found, "no such consent request");
    it->second.used = false;
    return ok();
  }
  Result<int> prune_consent_requests(Timestamp before) override {
    std::lock_guard l(mu_);
    return static_cast<int>(
        std::erase_if(requests_, [&](const auto& kv) { return kv.second.expires_at < before; }));
  }
  Result<ConnectorAuditEntry> append_audit(const ConnectorAuditEntry& e) override {
    std::lock_guard l(mu_);
    ConnectorAuditEntry stored = e;
    stored.id = static_cast<std::int64_t>(audit_.size()) + 1;
    audit_.push_back(stored);
    return stored;
  }
  Result<std::vector<ConnectorAuditEntry>> list_audit(OrgId org, std::size_t limit,
                                                      std::optional<std::int64_t> before) override {
    std::lock_guard l(mu_);
    std::vector<ConnectorAuditEntry> out;
    for (auto it = audit_.rbegin(); it != audit_.rend() && out.size() < limit; ++it) {
      if (it->org == org && (!before || it->id < *before)) out.push_back(*it);
    }
    return out;
  }

  // Test inspection.
  std::vector<ConsentRequest> requests() const {
    std::lock_guard l(mu_);
    std::vector<ConsentRequest> out;
    for (const auto& [_, r] : requests_) out.push_back(r);
    return out;
  }
  int writes = 0;  // save_connector calls

 private:
  mutable std::mutex mu_;
  std::map<std::int64_t, TeamsConnector> connectors_;
  std::map<std::string, ConsentRequest> requests_;
  std::vector<ConnectorAuditEntry> audit_;
};

}  // namespace ccteams::testing
