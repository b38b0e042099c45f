#include "adapters/pg/pg_sync_account_store.hpp"

#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_rows.hpp"
#include "adapters/pg/pg_sync_account_sql.hpp"

namespace ccteams::store {
namespace sql = pg_sync_account_sql;
namespace {

std::string_view state_name(SyncTokenState s) {
  return s == SyncTokenState::healthy ? "healthy" : "failed";
}

SyncAccount read_account(const PgRows& rows, int r) {
  SyncAccount a;
  a.id = SyncAccountId{rows.int64(r, 0)};
  a.org = OrgId{rows.int64(r, 1)};
  a.tenant_id = rows.text(r, 2);
  a.oid = rows.text(r, 3);
  a.upn = rows.text(r, 4);
  a.display_name = rows.text(r, 5);
  a.sealed_refresh_token = rows.text(r, 6);
  // The CHECK constraint allows only the two names.
  a.token_state = rows.text(r, 7) == "healthy" ? SyncTokenState::healthy : SyncTokenState::failed;
  if (auto at = rows.optional_int64(r, 8)) a.last_refreshed_at = from_unix_millis(*at);
  a.last_error = rows.text(r, 9);
  a.added_by = UserId{rows.int64(r, 10)};
  a.added_at = from_unix_millis(rows.int64(r, 11));
  return a;
}

PendingSignIn read_sign_in(const PgRows& rows, int r) {
  PendingSignIn p;
  p.state_digest = rows.text(r, 0);
  p.org = OrgId{rows.int64(r, 1)};
  p.user = UserId{rows.int64(r, 2)};
  p.session_digest = rows.text(r, 3);
  p.sealed_code_verifier = rows.text(r, 4);
  p.created_at = from_unix_millis(rows.int64(r, 5));
  p.expires_at = from_unix_millis(rows.int64(r, 6));
  p.used = rows.boolean(r, 7);
  return p;
}

Error no_such_account() { return make_error(Errc::not_found, "no such sync account"); }

std::optional<std::int64_t> optional_millis(const std::optional<Timestamp>& t) {
  if (!t) return std::nullopt;
  return to_unix_millis(*t);
}

}  // namespace

Result<SyncAccountUpsert> PgSyncAccountStore::upsert_account(const SyncAccount& account) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto existing = conn.query(sql::kSelectAccountByOid, {account.org.value, account.oid});
  if (!existing) return std::move(existing).error();
  const bool replaced = !existing->empty();
  auto up =
      conn.query(sql::kUpsertAccount,
                 {account.org.value, account.tenant_id, account.oid, account.upn,
                  account.display_name, account.sealed_refresh_token,
                  state_name(account.token_state), optional_millis(account.last_refreshed_at),
                  account.last_error, account.added_by.value, to_unix_millis(account.added_at)});
  if (!up) {
    // (org, oid) is handled by ON CONFLICT: what remains is the organisation's foreign key.
    if (up.error().code == Errc::conflict) {
      return make_error(Errc::not_found, "no such organisation");
    }
    return std::move(up).error();
  }
  auto stored = pg_one_row(conn.query(sql::kSelectAccountByOid, {account.org.value, account.oid}),
                           read_account, no_such_account());
  if (!stored) return std::move(stored).error();
  if (auto c = tx->commit(); !c) return std::move(c).error();
  return SyncAccountUpsert{std::move(*stored), replaced};
}

Result<std::vector<SyncAccount>> PgSyncAccountStore::list_accounts(OrgId org) {
  auto conn = db_.lock();
  return pg_all_rows(conn.query(sql::kSelectAccounts, {org.value}), read_account);
}

Result<SyncAccount> PgSyncAccountStore::get_account(OrgId org, SyncAccountId id) {
  auto conn = db_.lock();
  return pg_one_row(conn.query(sql::kSelectAccount, {org.value, id.value}), read_account,
                    no_such_account());
}

Result<void> PgSyncAccountStore::delete_account(OrgId org, SyncAccountId id) {
  auto conn = db_.lock();
  auto deleted = pg_affected(conn.query(sql::kDeleteAccount, {org.value, id.value}));
  if (!deleted) return std::move(deleted).error();
  if (*deleted == 0) return no_such_account();
  return ok();
}

Result<void> PgSyncAccountStore::explain_no_change(PgConnection& conn, OrgId org,
                                                   SyncAccountId id) {
  auto exists = conn.query(sql::kAccountExists, {org.value, id.value});
  if (!exists) return std::move(exists).error();
  if (exists->empty()) return no_such_account();
  return make_error(Errc::conflict,
                    "the sync account's token changed meanwhile (signed in again or refreshed)");
}

Result<void> PgSyncAccountStore::rotate_refresh_token(OrgId org, SyncAccountId id,
                                                      const std::string& expected_sealed,
                                                      const std::string& new_sealed, Timestamp at) {
  auto conn = db_.lock();
  auto changed = pg_affected(conn.query(
      sql::kRotateToken, {org.value, id.value, expected_sealed, new_sealed, to_unix_millis(at)}));
  if (!changed) return std::move(changed).error();
  if (*changed == 0) return explain_no_change(conn, org, id);
  return ok();
}

Result<void> PgSyncAccountStore::mark_failed(OrgId org, SyncAccountId id,
                                             const std::string& expected_sealed,
                                             const std::string& reason) {
  auto conn = db_.lock();
  auto changed =
      pg_affected(conn.query(sql::kMarkFailed, {org.value, id.value, expected_sealed, reason}));
  if (!changed) return std::move(changed).error();
  if (*changed == 0) return explain_no_change(conn, org, id);
  return ok();
}

Result<int> PgSyncAccountStore::delete_org_data(OrgId org) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto accounts = pg_affected(conn.query(sql::kDeleteAccountsOfOrg, {org.value}));
  if (!accounts) return accounts;
  if (auto r = conn.query(sql::kDeleteSignInsOfOrg, {org.value}); !r) return std::move(r).error();
  if (auto c = tx->commit(); !c) return std::move(c).error();
  return accounts;
}

Result<void> PgSyncAccountStore::put_sign_in(const PendingSignIn& p) {
  auto conn = db_.lock();
  return pg_done(conn.query(
      sql::kInsertSignIn,
      {p.state_digest, p.org.value, p.user.value, p.session_digest, p.sealed_code_verifier,
       to_unix_millis(p.created_at), to_unix_millis(p.expires_at), p.used}));
}

Result<PendingSignIn> PgSyncAccountStore::claim_sign_in(const std::string& state_digest) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto found = pg_one_row(conn.query(sql::kSelectSignInForClaim, {state_digest}), read_sign_in,
                          make_error(Errc::not_found, "no such sign-in request"));
  if (!found) return found;
  if (auto r = conn.query(sql::kSetSignInUsed, {state_digest}); !r) return std::move(r).error();
  if (auto c = tx->commit(); !c) return std::move(c).error();
  return found;
}

Result<int> PgSyncAccountStore::prune_sign_ins(Timestamp before) {
  auto conn = db_.lock();
  return pg_affected(conn.query(sql::kPruneSignIns, {to_unix_millis(before)}));
}

}  // namespace ccteams::store
