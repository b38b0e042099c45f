#include "adapters/pg/pg_account_store.hpp"

#include "adapters/pg/pg_account_sql.hpp"
#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_rows.hpp"

namespace ccteams::store {
namespace sql = pg_account_sql;
namespace {

// Column readers, in the order of the SELECT lists in pg_account_sql.hpp.
Organisation read_org(const PgRows& rows, int r) {
  return Organisation{OrgId{rows.int64(r, 0)}, rows.text(r, 1), from_unix_millis(rows.int64(r, 2))};
}

UserAccount read_user(const PgRows& rows, int r) {
  UserAccount u;
  u.id = UserId{rows.int64(r, 0)};
  u.org_id = OrgId{rows.int64(r, 1)};
  u.username = rows.text(r, 2);
  u.display_name = rows.text(r, 3);
  u.roles = RoleSet::from_bits(static_cast<std::uint8_t>(rows.int64(r, 4)));
  u.password_hash = rows.text(r, 5);
  u.disabled = rows.boolean(r, 6);
  u.created_at = from_unix_millis(rows.int64(r, 7));
  return u;
}

AuthSession read_session(const PgRows& rows, int r) {
  return AuthSession{
      rows.text(r, 0), UserId{rows.int64(r, 1)},           OrgId{rows.int64(r, 2)},
      rows.text(r, 3), from_unix_millis(rows.int64(r, 4)), from_unix_millis(rows.int64(r, 5))};
}

Error no_org() { return make_error(Errc::not_found, "no such organisation"); }
Error no_user() { return make_error(Errc::not_found, "no such user"); }

}  // namespace

Result<Organisation> PgAccountStore::create_org(const std::string& name, Timestamp now) {
  auto conn = db_.lock();
  auto rows = conn.query(sql::kInsertOrg, {name, to_unix_millis(now)});
  if (!rows) {
    if (rows.error().code == Errc::conflict) {
      return make_error(Errc::conflict, "an organisation with this name exists");
    }
    return std::move(rows).error();
  }
  return Organisation{OrgId{rows->int64(0, 0)}, name, now};
}

Result<Organisation> PgAccountStore::get_org(OrgId id) {
  auto conn = db_.lock();
  return pg_one_row(conn.query(sql::kSelectOrgById, {id.value}), read_org, no_org());
}

Result<Organisation> PgAccountStore::find_org_by_name(const std::string& name) {
  auto conn = db_.lock();
  return pg_one_row(conn.query(sql::kSelectOrgByName, {name}), read_org, no_org());
}

Result<std::vector<Organisation>> PgAccountStore::list_orgs() {
  auto conn = db_.lock();
  return pg_all_rows(conn.query(sql::kSelectOrgs), read_org);
}

Result<UserAccount> PgAccountStore::create_user(const UserAccount& account) {
  auto conn = db_.lock();
  // The organisation check and the insert share a transaction, so "no such organisation" and
  // "username taken" are told apart exactly (both would otherwise be constraint failures).
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto exists = conn.query(sql::kOrgExists, {account.org_id.value});
  if (!exists) return std::move(exists).error();
  if (exists->empty()) return no_org();
  auto inserted =
      conn.query(sql::kInsertUser, {account.org_id.value, account.username, account.display_name,
                                    account.roles.bits(), account.password_hash, account.disabled,
                                    to_unix_millis(account.created_at)});
  if (!inserted) {
    if (inserted.error().code == Errc::conflict) {
      return make_error(Errc::conflict, "username is taken");
    }
    return std::move(inserted).error();
  }
  if (auto r = tx->commit(); !r) return std::move(r).error();
  UserAccount created = account;
  created.id = UserId{inserted->int64(0, 0)};
  return created;
}

Result<UserAccount> PgAccountStore::get_user(OrgId org, UserId id) {
  auto conn = db_.lock();
  return pg_one_row(conn.query(sql::kSelectUser, {org.value, id.value}), read_user, no_user());
}

Result<UserAccount> PgAccountStore::find_user_by_username(const std::string& username) {
  auto conn = db_.lock();
  return pg_one_row(conn.query(sql::kSelectUserByUsername, {username}), read_user, no_user());
}

Result<std::vector<UserAccount>> PgAccountStore::list_users(OrgId org) {
  auto conn = db_.lock();
  return pg_all_rows(conn.query(sql::kSelectUsersOfOrg, {org.value}), read_user);
}

Result<UserAccount> PgAccountStore::update_user(OrgId org, const UserAccount& account) {
  auto conn = db_.lock();
  // RETURNING yields the row as stored, or nothing when (org, id) matched no row.
  return pg_one_row(
      conn.query(sql::kUpdateUser, {org.value, account.id.value, account.display_name,
                                    account.roles.bits(), account.password_hash, account.disabled}),
      read_user, no_user());
}

Result<void> PgAccountStore::delete_user(OrgId org, UserId id) {
  auto conn = db_.lock();
  auto deleted = pg_affected(conn.query(sql::kDeleteUser, {org.value, id.value}));
  if (!deleted) return std::move(deleted).error();
  if (*deleted == 0) return no_user();
  return ok();
}

Result<void> PgAccountStore::put_session(const AuthSession& session) {
  auto conn = db_.lock();
  auto r = conn.query(
      sql::kUpsertSession,
      {session.token_hash, session.user_id.value, session.org_id.value, session.csrf_token,
       to_unix_millis(session.created_at), to_unix_millis(session.expires_at)});
  if (!r) {
    // The upsert absorbs a duplicate token hash, so the only constraint left is the foreign
    // key: the user does not exist in that organisation (e.g. deleted meanwhile).
    if (r.error().code == Errc::conflict) return no_user();
    return std::move(r).error();
  }
  return ok();
}

Result<AuthSession> PgAccountStore::find_session(const std::string& token_hash, Timestamp now) {
  auto conn = db_.lock();
  return pg_one_row(conn.query(sql::kSelectLiveSession, {token_hash, to_unix_millis(now)}),
                    read_session, make_error(Errc::not_found, "no session"));
}

Result<void> PgAccountStore::delete_session(const std::string& token_hash) {
  auto conn = db_.lock();
  return pg_done(conn.query(sql::kDeleteSession, {token_hash}));
}

Result<int> PgAccountStore::delete_user_sessions(OrgId org, UserId user,
                                                 const std::string& keep_token_hash) {
  auto conn = db_.lock();
  return pg_affected(
      conn.query(sql::kDeleteUserSessions, {org.value, user.value, keep_token_hash}));
}

Result<int> PgAccountStore::delete_expired_sessions(Timestamp now) {
  auto conn = db_.lock();
  return pg_affected(conn.query(sql::kDeleteExpiredSessions, {to_unix_millis(now)}));
}

Result<void> PgAccountStore::record_login_failure(const std::string& key, Timestamp now) {
  auto conn = db_.lock();
  return pg_done(conn.query(sql::kInsertLoginFailure, {key, to_unix_millis(now)}));
}

Result<int> PgAccountStore::count_login_failures(const std::string& key, Timestamp since) {
  auto conn = db_.lock();
  auto rows = conn.query(sql::kCountLoginFailuresSince, {key, to_unix_millis(since)});
  if (!rows) return std::move(rows).error();
  return static_cast<int>(rows->int64(0, 0));
}

Result<std::optional<Timestamp>> PgAccountStore::last_login_failure(const std::string& key) {
  auto conn = db_.lock();
  auto rows = conn.query(sql::kLastLoginFailure, {key});
  if (!rows) return std::move(rows).error();
  if (rows->is_null(0, 0)) return std::optional<Timestamp>{};
  return std::optional<Timestamp>{from_unix_millis(rows->int64(0, 0))};
}

Result<void> PgAccountStore::clear_login_failures(const std::string& key) {
  auto conn = db_.lock();
  return pg_done(conn.query(sql::kDeleteLoginFailures, {key}));
}

Result<int> PgAccountStore::prune_login_failures(Timestamp before) {
  auto conn = db_.lock();
  return pg_affected(conn.query(sql::kPruneLoginFailures, {to_unix_millis(before)}));
}

}  // namespace ccteams::store
