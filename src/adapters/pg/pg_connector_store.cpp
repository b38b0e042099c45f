#include "adapters/pg/pg_connector_store.hpp"

#include <limits>
#include <sstream>

#include "adapters/pg/pg_connector_sql.hpp"
#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_rows.hpp"

namespace ccteams::store {
namespace sql = pg_connector_sql;
namespace {

std::string join_permissions(const std::vector<std::string>& permissions) {
  std::string out;
  for (const auto& p : permissions) out += (out.empty() ? "" : " ") + p;
  return out;
}

std::vector<std::string> split_permissions(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string p; in >> p;) out.push_back(p);
  return out;
}

std::optional<Timestamp> optional_time(const PgRows& rows, int r, int column) {
  auto ms = rows.optional_int64(r, column);
  if (!ms) return std::nullopt;
  return from_unix_millis(*ms);
}

std::optional<std::int64_t> optional_millis(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return to_unix_millis(*t);
}

std::optional<std::int64_t> optional_id(const std::optional<UserId>& id) {
  if (!id) return std::nullopt;
  return id->value;
}

Result<TeamsConnector> read_connector(const PgRows& rows, int r) {
  TeamsConnector c;
  c.org = OrgId{rows.int64(r, 0)};
  auto status = parse_connector_status(rows.text(r, 1));
  if (!status) {
    return make_error(Errc::internal, "teams_connectors.status holds an unknown value");
  }
  c.status = *status;
  c.tenant_id = rows.text(r, 2);
  if (auto by = rows.optional_int64(r, 3)) c.consented_by = UserId{*by};
  c.consented_by_username = rows.text(r, 4);
  c.consented_at = optional_time(rows, r, 5);
  c.granted_permissions = split_permissions(rows.text(r, 6));
  c.show_user_details = rows.boolean(r, 7);
  c.presence_sync = rows.boolean(r, 8);
  c.last_error = rows.text(r, 9);
  c.updated_at = from_unix_millis(rows.int64(r, 10));
  c.version = rows.int64(r, 11);
  c.consented_by_entra_upn = rows.text(r, 12);
  c.consented_by_entra_oid = rows.text(r, 13);
  return c;
}

Result<PresenceMappingRule> read_rule(const PgRows& rows, int r) {
  auto availability = parse_known_availability(rows.text(r, 0));
  std::optional<Activity> activity;
  if (!rows.is_null(r, 1)) {
    activity = parse_known_activity(rows.text(r, 1));
    if (!activity) availability.reset();
  }
  if (!availability) {
    return make_error(Errc::internal, "teams_connector_mapping_rules holds an unknown presence");
  }
  return PresenceMappingRule{*availability, activity, IdleCodeId{rows.int64(r, 2)}};
}

Result<void> read_rules(PgConnection& conn, TeamsConnector& c) {
  auto rows = pg_all_rows(conn.query(sql::kSelectRules, {c.org.value}), read_rule);
  if (!rows) return std::move(rows).error();
  std::vector<PresenceMappingRule> rules;
  for (auto& r : *rows) {
    if (!r) return std::move(r).error();
    rules.push_back(*r);
  }
  c.mapping = PresenceMapping(std::move(rules));
  return ok();
}

Result<void> write_rules(PgConnection& conn, const TeamsConnector& c) {
  if (auto r = conn.query(sql::kDeleteRules, {c.org.value}); !r) return std::move(r).error();
  std::int64_t position = 0;
  for (const auto& rule : c.mapping.rules()) {
    // Checked here for a message that names the code; the foreign key is the backstop.
    auto found = conn.query(sql::kIdleCodeOfOrg, {c.org.value, rule.idle_code.value});
    if (!found) return std::move(found).error();
    if (found->empty()) {
      return make_error(Errc::not_found, "presenceMapping: no idle code " +
                                             std::to_string(rule.idle_code.value) +
                                             " in this organisation");
    }
    std::optional<std::string> activity;
    if (rule.activity) activity = std::string(activity_name(*rule.activity));
    auto ins =
        conn.query(sql::kInsertRule, {c.org.value, position++, availability_name(rule.availability),
                                      activity, rule.idle_code.value});
    if (!ins) return std::move(ins).error();
  }
  return ok();
}

// $1..$14 of kInsertConnector and kUpdateConnector (whose $15 is the expected version).
Result<PgRows> insert_connector(PgConnection& conn, const TeamsConnector& c,
                                std::int64_t new_version) {
  return conn.query(
      sql::kInsertConnector,
      {c.org.value, connector_status_name(c.status), c.tenant_id, optional_id(c.consented_by),
       c.consented_by_username, optional_millis(c.consented_at),
       join_permissions(c.granted_permissions), c.show_user_details, c.presence_sync, c.last_error,
       to_unix_millis(c.updated_at), new_version, c.consented_by_entra_upn,
       c.consented_by_entra_oid});
}

Result<PgRows> update_connector(PgConnection& conn, const TeamsConnector& c,
                                std::int64_t new_version, std::int64_t expected_version) {
  return conn.query(
      sql::kUpdateConnector,
      {c.org.value, connector_status_name(c.status), c.tenant_id, optional_id(c.consented_by),
       c.consented_by_username, optional_millis(c.consented_at),
       join_permissions(c.granted_permissions), c.show_user_details, c.presence_sync, c.last_error,
       to_unix_millis(c.updated_at), new_version, c.consented_by_entra_upn,
       c.consented_by_entra_oid, expected_version});
}

Result<ConsentRequest> read_consent_request(const PgRows& rows, int r) {
  ConsentRequest q;
  q.state_digest = rows.text(r, 0);
  q.org = OrgId{rows.int64(r, 1)};
  q.user = UserId{rows.int64(r, 2)};
  q.username = rows.text(r, 3);
  q.session_digest = rows.text(r, 4);
  q.created_at = from_unix_millis(rows.int64(r, 5));
  q.expires_at = from_unix_millis(rows.int64(r, 6));
  q.used = rows.boolean(r, 7);
  auto stage = parse_consent_stage(rows.text(r, 8));
  if (!stage) return make_error(Errc::internal, "teams_consent_requests.stage is unknown");
  q.stage = *stage;
  q.nonce = rows.text(r, 9);
  q.sealed_code_verifier = rows.text(r, 10);
  q.tenant_id = rows.text(r, 11);
  q.entra_upn = rows.text(r, 12);
  q.entra_oid = rows.text(r, 13);
  return q;
}

ConnectorAuditEntry read_audit(const PgRows& rows, int r) {
  ConnectorAuditEntry e;
  e.id = rows.int64(r, 0);
  e.org = OrgId{rows.int64(r, 1)};
  if (auto actor = rows.optional_int64(r, 2)) e.actor = UserId{*actor};
  e.actor_username = rows.text(r, 3);
  e.action = rows.text(r, 4);
  e.result = rows.text(r, 5) == "ok" ? AuditResult::ok : AuditResult::error;
  e.detail = rows.text(r, 6);
  e.at = from_unix_millis(rows.int64(r, 7));
  return e;
}

Error stale_version() {
  return make_error(Errc::conflict,
                    "The Microsoft Teams connector was changed at the same time; try again");
}

}  // namespace

Result<std::optional<TeamsConnector>> PgConnectorStore::find_connector(OrgId org) {
  auto conn = db_.lock();
  // One snapshot for the connector and its rules, as SQLite's one read transaction gives.
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto rows = conn.query(sql::kSelectConnector, {org.value});
  if (!rows) return std::move(rows).error();
  if (rows->empty()) return std::optional<TeamsConnector>{};
  auto c = read_connector(*rows, 0);
  if (!c) return std::move(c).error();
  if (auto r = read_rules(conn, *c); !r) return std::move(r).error();
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return std::optional<TeamsConnector>{std::move(*c)};
}

Result<TeamsConnector> PgConnectorStore::save_connector(const TeamsConnector& connector,
                                                        std::int64_t expected_version) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  const std::int64_t new_version = expected_version + 1;
  const Error tenant_taken = make_error(Errc::conflict, std::string(kTenantTakenMessage));
  if (!connector.tenant_id.empty()) {
    auto holder =
        conn.query(sql::kSelectOtherTenantHolder, {connector.tenant_id, connector.org.value});
    if (!holder) return std::move(holder).error();
    if (!holder->empty()) return tenant_taken;
  }
  if (expected_version == 0) {
    auto ins = insert_connector(conn, connector, new_version);
    if (!ins) {
      // The primary key (one connector per org) or the org's existence. The failed insert
      // undid only itself (its savepoint): the transaction can still read.
      if (ins.error().code == Errc::conflict) {
        auto existing = conn.query(sql::kSelectConnectorVersion, {connector.org.value});
        if (existing && !existing->empty()) return stale_version();
        return make_error(Errc::not_found, "no such organisation");
      }
      return std::move(ins).error();
    }
  } else {
    auto upd = update_connector(conn, connector, new_version, expected_version);
    if (!upd) {
      // The tenant's unique index: the one constraint an update of the row can meet.
      if (upd.error().code == Errc::conflict) return tenant_taken;
      return std::move(upd).error();
    }
    if (upd->affected() == 0) return stale_version();
  }
  if (auto r = write_rules(conn, connector); !r) return std::move(r).error();
  if (auto r = tx->commit(); !r) return std::move(r).error();
  TeamsConnector stored = connector;
  stored.version = new_version;
  return stored;
}

Result<std::optional<OrgId>> PgConnectorStore::find_org_by_tenant(const std::string& tenant_id) {
  auto conn = db_.lock();
  auto rows = conn.query(sql::kSelectTenantHolder, {tenant_id});
  if (!rows) return std::move(rows).error();
  if (rows->empty()) return std::optional<OrgId>{};
  return std::optional<OrgId>{OrgId{rows->int64(0, 0)}};
}

Result<void> PgConnectorStore::delete_connector(OrgId org) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  if (auto r = conn.query(sql::kDeleteConsentRequestsOfOrg, {org.value}); !r) {
    return std::move(r).error();
  }
  // The mapping rules go with the connector (ON DELETE CASCADE).
  auto deleted = pg_affected(conn.query(sql::kDeleteConnector, {org.value}));
  if (!deleted) return std::move(deleted).error();
  if (*deleted == 0) {
    return make_error(Errc::not_found, "The Microsoft Teams connector is not set up");
  }
  return tx->commit();
}

Result<std::vector<OrgId>> PgConnectorStore::orgs_with_status(ConnectorStatus status) {
  auto conn = db_.lock();
  return pg_all_rows(conn.query(sql::kSelectOrgsWithStatus, {connector_status_name(status)}),
                     [](const PgRows& rows, int r) { return OrgId{rows.int64(r, 0)}; });
}

Result<void> PgConnectorStore::put_consent_request(const ConsentRequest& q) {
  auto conn = db_.lock();
  return pg_done(
      conn.query(sql::kInsertConsentRequest,
                 {q.state_digest, q.org.value, q.user.value, q.username, q.session_digest,
                  to_unix_millis(q.created_at), to_unix_millis(q.expires_at), q.used,
                  consent_stage_name(q.stage), q.nonce, q.sealed_code_verifier, q.tenant_id,
                  q.entra_upn, q.entra_oid}));
}

Result<ConsentRequest> PgConnectorStore::claim_consent_request(const std::string& state_digest) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto row =
      pg_one_row(conn.query(sql::kSelectConsentRequestForClaim, {state_digest}),
                 read_consent_request, make_error(Errc::not_found, "no such consent request"));
  if (!row) return std::move(row).error();
  if (!*row) return std::move(*row).error();
  ConsentRequest before = std::move(**row);
  if (!before.used) {
    if (auto r = conn.query(sql::kSetConsentRequestUsed, {state_digest, true}); !r) {
      return std::move(r).error();
    }
  }
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return before;
}

Result<void> PgConnectorStore::release_consent_request(const std::string& state_digest) {
  auto conn = db_.lock();
  auto changed = pg_affected(conn.query(sql::kSetConsentRequestUsed, {state_digest, false}));
  if (!changed) return std::move(changed).error();
  if (*changed == 0) return make_error(Errc::not_found, "no such consent request");
  return ok();
}

Result<int> PgConnectorStore::prune_consent_requests(Timestamp before) {
  auto conn = db_.lock();
  return pg_affected(conn.query(sql::kPruneConsentRequests, {to_unix_millis(before)}));
}

Result<ConnectorAuditEntry> PgConnectorStore::append_audit(const ConnectorAuditEntry& entry) {
  auto conn = db_.lock();
  auto id = pg_one_row(
      conn.query(sql::kInsertAudit,
                 {entry.org.value, optional_id(entry.actor), entry.actor_username, entry.action,
                  entry.result == AuditResult::ok ? "ok" : "error", entry.detail,
                  to_unix_millis(entry.at)}),
      [](const PgRows& rows, int r) { return rows.int64(r, 0); },
      make_error(Errc::internal, "insert returned no row"));
  if (!id) return std::move(id).error();
  ConnectorAuditEntry stored = entry;
  stored.id = *id;
  return stored;
}

Result<std::vector<ConnectorAuditEntry>> PgConnectorStore::list_audit(
    OrgId org, std::size_t limit, std::optional<std::int64_t> before) {
  auto conn = db_.lock();
  return pg_all_rows(
      conn.query(sql::kSelectAudit,
                 {org.value, before.value_or(std::numeric_limits<std::int64_t>::max()),
                  static_cast<std::int64_t>(limit)}),
      read_audit);
}

}  // namespace ccteams::store
