#include "adapters/store/sqlite_connector_store.hpp"

#include <limits>
#include <sstream>

#include "adapters/store/sqlite_connector_sql.hpp"
#include "adapters/store/sqlite_db.hpp"
#include "adapters/store/sqlite_rows.hpp"

namespace ccteams::store {
namespace sql = connector_sql;
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

std::optional<Timestamp> column_optional_time(const Statement& st, int column) {
  auto ms = column_optional_int64(st, column);
  if (!ms) return std::nullopt;
  return from_unix_millis(*ms);
}

Result<TeamsConnector> read_connector(const Statement& st) {
  TeamsConnector c;
  c.org = OrgId{st.column_int64(0)};
  auto status = parse_connector_status(st.column_text(1));
  if (!status) {
    return make_error(Errc::internal, "teams_connectors.status holds an unknown value");
  }
  c.status = *status;
  c.tenant_id = st.column_text(2);
  if (auto by = column_optional_int64(st, 3)) c.consented_by = UserId{*by};
  c.consented_by_username = st.column_text(4);
  c.consented_at = column_optional_time(st, 5);
  c.granted_permissions = split_permissions(st.column_text(6));
  c.show_user_details = st.column_int64(7) != 0;
  c.presence_sync = st.column_int64(8) != 0;
  c.last_error = st.column_text(9);
  c.updated_at = from_unix_millis(st.column_int64(10));
  c.version = st.column_int64(11);
  c.consented_by_entra_upn = st.column_text(12);
  c.consented_by_entra_oid = st.column_text(13);
  return c;
}

Result<PresenceMappingRule> read_rule(const Statement& st) {
  auto availability = parse_known_availability(st.column_text(0));
  std::optional<Activity> activity;
  if (!st.column_is_null(1)) {
    activity = parse_known_activity(st.column_text(1));
    if (!activity) availability.reset();
  }
  if (!availability) {
    return make_error(Errc::internal, "teams_connector_mapping_rules holds an unknown presence");
  }
  return PresenceMappingRule{*availability, activity, IdleCodeId{st.column_int64(2)}};
}

Result<void> read_rules(SqliteConnection& conn, TeamsConnector& c) {
  auto st = conn.prepare(sql::kSelectRules);
  if (!st) return std::move(st).error();
  st->bind_int64(1, c.org.value);
  auto rows = read_all_rows(*st, read_rule);
  if (!rows) return std::move(rows).error();
  std::vector<PresenceMappingRule> rules;
  for (auto& r : *rows) {
    if (!r) return std::move(r).error();
    rules.push_back(*r);
  }
  c.mapping = PresenceMapping(std::move(rules));
  return ok();
}

Result<void> write_rules(SqliteConnection& conn, const TeamsConnector& c) {
  auto del = conn.prepare(sql::kDeleteRules);
  if (!del) return std::move(del).error();
  del->bind_int64(1, c.org.value);
  if (auto r = del->run(); !r) return r;
  std::int64_t position = 0;
  for (const auto& rule : c.mapping.rules()) {
    // Checked here for a message that names the code; the foreign key is the backstop.
    auto found = row_exists(conn, sql::kIdleCodeOfOrg, c.org.value, rule.idle_code.value);
    if (!found) return std::move(found).error();
    if (!*found) {
      return make_error(Errc::not_found, "presenceMapping: no idle code " +
                                             std::to_string(rule.idle_code.value) +
                                             " in this organisation");
    }
    auto ins = conn.prepare(sql::kInsertRule);
    if (!ins) return std::move(ins).error();
    ins->bind_int64(1, c.org.value).bind_int64(2, position++);
    ins->bind_text(3, availability_name(rule.availability));
    if (rule.activity) {
      ins->bind_text(4, activity_name(*rule.activity));
    } else {
      ins->bind_null(4);
    }
    ins->bind_int64(5, rule.idle_code.value);
    if (auto r = ins->run(); !r) return r;
  }
  return ok();
}

void bind_connector(Statement& st, const TeamsConnector& c, std::int64_t new_version) {
  st.bind_int64(1, c.org.value).bind_text(2, connector_status_name(c.status));
  st.bind_text(3, c.tenant_id);
  if (c.consented_by) {
    st.bind_int64(4, c.consented_by->value);
  } else {
    st.bind_null(4);
  }
  st.bind_text(5, c.consented_by_username);
  if (c.consented_at) {
    st.bind_int64(6, to_unix_millis(*c.consented_at));
  } else {
    st.bind_null(6);
  }
  st.bind_text(7, join_permissions(c.granted_permissions));
  st.bind_int64(8, c.show_user_details ? 1 : 0).bind_int64(9, c.presence_sync ? 1 : 0);
  st.bind_text(10, c.last_error).bind_int64(11, to_unix_millis(c.updated_at));
  st.bind_int64(12, new_version);
  st.bind_text(14, c.consented_by_entra_upn).bind_text(15, c.consented_by_entra_oid);
}

Result<ConsentRequest> read_consent_request(const Statement& st) {
  ConsentRequest r;
  r.state_digest = st.column_text(0);
  r.org = OrgId{st.column_int64(1)};
  r.user = UserId{st.column_int64(2)};
  r.username = st.column_text(3);
  r.session_digest = st.column_text(4);
  r.created_at = from_unix_millis(st.column_int64(5));
  r.expires_at = from_unix_millis(st.column_int64(6));
  r.used = st.column_int64(7) != 0;
  auto stage = parse_consent_stage(st.column_text(8));
  if (!stage) return make_error(Errc::internal, "teams_consent_requests.stage is unknown");
  r.stage = *stage;
  r.nonce = st.column_text(9);
  r.sealed_code_verifier = st.column_text(10);
  r.tenant_id = st.column_text(11);
  r.entra_upn = st.column_text(12);
  r.entra_oid = st.column_text(13);
  return r;
}

ConnectorAuditEntry read_audit(const Statement& st) {
  ConnectorAuditEntry e;
  e.id = st.column_int64(0);
  e.org = OrgId{st.column_int64(1)};
  if (auto actor = column_optional_int64(st, 2)) e.actor = UserId{*actor};
  e.actor_username = st.column_text(3);
  e.action = st.column_text(4);
  e.result = st.column_text(5) == "ok" ? AuditResult::ok : AuditResult::error;
  e.detail = st.column_text(6);
  e.at = from_unix_millis(st.column_int64(7));
  return e;
}

Error stale_version() {
  return make_error(Errc::conflict,
                    "The Microsoft Teams connector was changed at the same time; try again");
}

}  // namespace

Result<std::optional<TeamsConnector>> SqliteConnectorStore::find_connector(OrgId org) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectConnector);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  auto row = st->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<TeamsConnector>{};
  auto c = read_connector(*st);
  if (!c) return std::move(c).error();
  st->reset();
  if (auto r = read_rules(conn, *c); !r) return std::move(r).error();
  return std::optional<TeamsConnector>{std::move(*c)};
}

Result<TeamsConnector> SqliteConnectorStore::save_connector(const TeamsConnector& connector,
                                                            std::int64_t expected_version) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  const std::int64_t new_version = expected_version + 1;
  const Error tenant_taken = make_error(Errc::conflict, std::string(kTenantTakenMessage));
  if (!connector.tenant_id.empty()) {
    auto holder = conn.prepare(sql::kSelectOtherTenantHolder);
    if (!holder) return std::move(holder).error();
    holder->bind_text(1, connector.tenant_id).bind_int64(2, connector.org.value);
    auto taken = has_row(*holder);
    if (!taken) return std::move(taken).error();
    if (*taken) return tenant_taken;
  }
  if (expected_version == 0) {
    auto ins = conn.prepare(sql::kInsertConnector);
    if (!ins) return std::move(ins).error();
    bind_connector(*ins, connector, new_version);
    if (auto r = ins->run(); !r) {
      // The primary key (one connector per org) or the org's existence.
      if (r.error().code == Errc::conflict) {
        auto existing = conn.prepare(sql::kSelectConnectorVersion);
        if (!existing) return std::move(existing).error();
        existing->bind_int64(1, connector.org.value);
        auto found = has_row(*existing);
        if (found && *found) return stale_version();
        return make_error(Errc::not_found, "no such organisation");
      }
      return std::move(r).error();
    }
  } else {
    auto upd = conn.prepare(sql::kUpdateConnector);
    if (!upd) return std::move(upd).error();
    bind_connector(*upd, connector, new_version);
    upd->bind_int64(13, expected_version);
    if (auto r = upd->run(); !r) {
      // The tenant's unique index: the one constraint an update of the row can meet.
      if (r.error().code == Errc::conflict) return tenant_taken;
      return std::move(r).error();
    }
    if (conn.changes() == 0) return stale_version();
  }
  if (auto r = write_rules(conn, connector); !r) return std::move(r).error();
  if (auto r = tx->commit(); !r) return std::move(r).error();
  TeamsConnector stored = connector;
  stored.version = new_version;
  return stored;
}

Result<std::optional<OrgId>> SqliteConnectorStore::find_org_by_tenant(
    const std::string& tenant_id) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectTenantHolder);
  if (!st) return std::move(st).error();
  st->bind_text(1, tenant_id);
  auto row = st->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<OrgId>{};
  return std::optional<OrgId>{OrgId{st->column_int64(0)}};
}

Result<void> SqliteConnectorStore::delete_connector(OrgId org) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto requests = conn.prepare(sql::kDeleteConsentRequestsOfOrg);
  if (!requests) return std::move(requests).error();
  requests->bind_int64(1, org.value);
  if (auto r = requests->run(); !r) return r;
  // The mapping rules go with the connector (ON DELETE CASCADE).
  auto st = conn.prepare(sql::kDeleteConnector);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  if (auto r = st->run(); !r) return r;
  if (conn.changes() == 0) {
    return make_error(Errc::not_found, "The Microsoft Teams connector is not set up");
  }
  return tx->commit();
}

Result<std::vector<OrgId>> SqliteConnectorStore::orgs_with_status(ConnectorStatus status) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectOrgsWithStatus);
  if (!st) return std::move(st).error();
  st->bind_text(1, connector_status_name(status));
  return read_all_rows(*st, [](const Statement& s) { return OrgId{s.column_int64(0)}; });
}

Result<void> SqliteConnectorStore::put_consent_request(const ConsentRequest& request) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kInsertConsentRequest);
  if (!st) return std::move(st).error();
  st->bind_text(1, request.state_digest).bind_int64(2, request.org.value);
  st->bind_int64(3, request.user.value).bind_text(4, request.username);
  st->bind_text(5, request.session_digest).bind_int64(6, to_unix_millis(request.created_at));
  st->bind_int64(7, to_unix_millis(request.expires_at)).bind_int64(8, request.used ? 1 : 0);
  st->bind_text(9, consent_stage_name(request.stage)).bind_text(10, request.nonce);
  st->bind_text(11, request.sealed_code_verifier).bind_text(12, request.tenant_id);
  st->bind_text(13, request.entra_upn).bind_text(14, request.entra_oid);
  return st->run();
}

Result<ConsentRequest> SqliteConnectorStore::claim_consent_request(
    const std::string& state_digest) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto st = conn.prepare(sql::kSelectConsentRequest);
  if (!st) return std::move(st).error();
  st->bind_text(1, state_digest);
  auto row = read_one_row(*st, read_consent_request,
                          make_error(Errc::not_found, "no such consent request"));
  if (!row) return std::move(row).error();
  if (!*row) return std::move(*row).error();
  ConsentRequest before = std::move(**row);
  st->reset();
  if (!before.used) {
    auto upd = conn.prepare(sql::kSetConsentRequestUsed);
    if (!upd) return std::move(upd).error();
    upd->bind_text(1, state_digest).bind_int64(2, 1);
    if (auto r = upd->run(); !r) return std::move(r).error();
  }
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return before;
}

Result<void> SqliteConnectorStore::release_consent_request(const std::string& state_digest) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSetConsentRequestUsed);
  if (!st) return std::move(st).error();
  st->bind_text(1, state_digest).bind_int64(2, 0);
  if (auto r = st->run(); !r) return r;
  if (conn.changes() == 0) return make_error(Errc::not_found, "no such consent request");
  return ok();
}

Result<int> SqliteConnectorStore::prune_consent_requests(Timestamp before) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kPruneConsentRequests);
  if (!st) return std::move(st).error();
  st->bind_int64(1, to_unix_millis(before));
  if (auto r = st->run(); !r) return std::move(r).error();
  return conn.changes();
}

Result<ConnectorAuditEntry> SqliteConnectorStore::append_audit(const ConnectorAuditEntry& entry) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kInsertAudit);
  if (!st) return std::move(st).error();
  st->bind_int64(1, entry.org.value);
  if (entry.actor) {
    st->bind_int64(2, entry.actor->value);
  } else {
    st->bind_null(2);
  }
  st->bind_text(3, entry.actor_username).bind_text(4, entry.action);
  st->bind_text(5, entry.result == AuditResult::ok ? "ok" : "error");
  st->bind_text(6, entry.detail).bind_int64(7, to_unix_millis(entry.at));
  auto id = read_one_row(
      *st, [](const Statement& s) { return s.column_int64(0); },
      make_error(Errc::internal, "insert returned no row"));
  if (!id) return std::move(id).error();
  ConnectorAuditEntry stored = entry;
  stored.id = *id;
  return stored;
}

Result<std::vector<ConnectorAuditEntry>> SqliteConnectorStore::list_audit(
    OrgId org, std::size_t limit, std::optional<std::int64_t> before) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectAudit);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  st->bind_int64(2, before.value_or(std::numeric_limits<std::int64_t>::max()));
  st->bind_int64(3, static_cast<std::int64_t>(limit));
  return read_all_rows(*st, read_audit);
}

}  // namespace ccteams::store
