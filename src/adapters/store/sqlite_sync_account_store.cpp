#include "adapters/store/sqlite_sync_account_store.hpp"

#include "adapters/store/sqlite_db.hpp"
#include "adapters/store/sqlite_rows.hpp"
#include "adapters/store/sqlite_sync_account_sql.hpp"

namespace ccteams::store {
namespace sql = sync_account_sql;
namespace {

std::string_view state_name(SyncTokenState s) {
  return s == SyncTokenState::healthy ? "healthy" : "failed";
}

SyncAccount read_account(const Statement& st) {
  SyncAccount a;
  a.id = SyncAccountId{st.column_int64(0)};
  a.org = OrgId{st.column_int64(1)};
  a.tenant_id = st.column_text(2);
  a.oid = st.column_text(3);
  a.upn = st.column_text(4);
  a.display_name = st.column_text(5);
  a.sealed_refresh_token = st.column_text(6);
  // The CHECK constraint allows only the two names.
  a.token_state = st.column_text(7) == "healthy" ? SyncTokenState::healthy : SyncTokenState::failed;
  if (auto at = column_optional_int64(st, 8)) a.last_refreshed_at = from_unix_millis(*at);
  a.last_error = st.column_text(9);
  a.added_by = UserId{st.column_int64(10)};
  a.added_at = from_unix_millis(st.column_int64(11));
  return a;
}

PendingSignIn read_sign_in(const Statement& st) {
  PendingSignIn p;
  p.state_digest = st.column_text(0);
  p.org = OrgId{st.column_int64(1)};
  p.user = UserId{st.column_int64(2)};
  p.session_digest = st.column_text(3);
  p.sealed_code_verifier = st.column_text(4);
  p.created_at = from_unix_millis(st.column_int64(5));
  p.expires_at = from_unix_millis(st.column_int64(6));
  p.used = st.column_int64(7) != 0;
  return p;
}

Error no_such_account() { return make_error(Errc::not_found, "no such sync account"); }

Result<int> delete_where_org(SqliteConnection& conn, std::string_view query, OrgId org) {
  auto st = conn.prepare(query);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  if (auto r = st->run(); !r) return std::move(r).error();
  return conn.changes();
}

}  // namespace

Result<SyncAccountUpsert> SqliteSyncAccountStore::upsert_account(const SyncAccount& account) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto existing = conn.prepare(sql::kSelectAccountByOid);
  if (!existing) return std::move(existing).error();
  existing->bind_int64(1, account.org.value).bind_text(2, account.oid);
  auto found = has_row(*existing);
  if (!found) return std::move(found).error();
  const bool replaced = *found;
  existing->reset();

  auto up = conn.prepare(sql::kUpsertAccount);
  if (!up) return std::move(up).error();
  up->bind_int64(1, account.org.value).bind_text(2, account.tenant_id).bind_text(3, account.oid);
  up->bind_text(4, account.upn).bind_text(5, account.display_name);
  up->bind_text(6, account.sealed_refresh_token).bind_text(7, state_name(account.token_state));
  if (account.last_refreshed_at) {
    up->bind_int64(8, to_unix_millis(*account.last_refreshed_at));
  } else {
    up->bind_null(8);
  }
  up->bind_text(9, account.last_error).bind_int64(10, account.added_by.value);
  up->bind_int64(11, to_unix_millis(account.added_at));
  if (auto r = up->run(); !r) {
    // (org, oid) is handled by ON CONFLICT: what remains is the organisation's foreign key.
    if (r.error().code == Errc::conflict)
      return make_error(Errc::not_found, "no such organisation");
    return std::move(r).error();
  }
  auto st = conn.prepare(sql::kSelectAccountByOid);
  if (!st) return std::move(st).error();
  st->bind_int64(1, account.org.value).bind_text(2, account.oid);
  auto stored = read_one_row(*st, read_account, no_such_account());
  if (!stored) return std::move(stored).error();
  st->reset();
  if (auto c = tx->commit(); !c) return std::move(c).error();
  return SyncAccountUpsert{std::move(*stored), replaced};
}

Result<std::vector<SyncAccount>> SqliteSyncAccountStore::list_accounts(OrgId org) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectAccounts);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  return read_all_rows(*st, read_account);
}

Result<SyncAccount> SqliteSyncAccountStore::get_account(OrgId org, SyncAccountId id) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectAccount);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, id.value);
  return read_one_row(*st, read_account, no_such_account());
}

Result<void> SqliteSyncAccountStore::delete_account(OrgId org, SyncAccountId id) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kDeleteAccount);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, id.value);
  if (auto r = st->run(); !r) return r;
  if (conn.changes() == 0) return no_such_account();
  return ok();
}

Result<void> SqliteSyncAccountStore::explain_no_change(SqliteConnection& conn, OrgId org,
                                                       SyncAccountId id) {
  auto exists = row_exists(conn, sql::kAccountExists, org.value, id.value);
  if (!exists) return std::move(exists).error();
  if (!*exists) return no_such_account();
  return make_error(Errc::conflict,
                    "the sync account's token changed meanwhile (signed in again or refreshed)");
}

Result<void> SqliteSyncAccountStore::rotate_refresh_token(OrgId org, SyncAccountId id,
                                                          const std::string& expected_sealed,
                                                          const std::string& new_sealed,
                                                          Timestamp at) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kRotateToken);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, id.value).bind_text(3, expected_sealed);
  st->bind_text(4, new_sealed).bind_int64(5, to_unix_millis(at));
  if (auto r = st->run(); !r) return r;
  if (conn.changes() == 0) return explain_no_change(conn, org, id);
  return ok();
}

Result<void> SqliteSyncAccountStore::mark_failed(OrgId org, SyncAccountId id,
                                                 const std::string& expected_sealed,
                                                 const std::string& reason) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kMarkFailed);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, id.value).bind_text(3, expected_sealed);
  st->bind_text(4, reason);
  if (auto r = st->run(); !r) return r;
  if (conn.changes() == 0) return explain_no_change(conn, org, id);
  return ok();
}

Result<int> SqliteSyncAccountStore::delete_org_data(OrgId org) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto accounts = delete_where_org(conn, sql::kDeleteAccountsOfOrg, org);
  if (!accounts) return accounts;
  if (auto r = delete_where_org(conn, sql::kDeleteSignInsOfOrg, org); !r) return r;
  if (auto c = tx->commit(); !c) return std::move(c).error();
  return accounts;
}

Result<void> SqliteSyncAccountStore::put_sign_in(const PendingSignIn& p) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kInsertSignIn);
  if (!st) return std::move(st).error();
  st->bind_text(1, p.state_digest).bind_int64(2, p.org.value).bind_int64(3, p.user.value);
  st->bind_text(4, p.session_digest).bind_text(5, p.sealed_code_verifier);
  st->bind_int64(6, to_unix_millis(p.created_at)).bind_int64(7, to_unix_millis(p.expires_at));
  st->bind_int64(8, p.used ? 1 : 0);
  return st->run();
}

Result<PendingSignIn> SqliteSyncAccountStore::claim_sign_in(const std::string& state_digest) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto st = conn.prepare(sql::kSelectSignIn);
  if (!st) return std::move(st).error();
  st->bind_text(1, state_digest);
  auto found =
      read_one_row(*st, read_sign_in, make_error(Errc::not_found, "no such sign-in request"));
  if (!found) return found;
  st->reset();
  auto used = conn.prepare(sql::kSetSignInUsed);
  if (!used) return std::move(used).error();
  used->bind_text(1, state_digest);
  if (auto r = used->run(); !r) return std::move(r).error();
  if (auto c = tx->commit(); !c) return std::move(c).error();
  return found;
}

Result<int> SqliteSyncAccountStore::prune_sign_ins(Timestamp before) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kPruneSignIns);
  if (!st) return std::move(st).error();
  st->bind_int64(1, to_unix_millis(before));
  if (auto r = st->run(); !r) return std::move(r).error();
  return conn.changes();
}

}  // namespace ccteams::store
