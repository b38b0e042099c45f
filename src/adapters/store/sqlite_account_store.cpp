#include "adapters/store/sqlite_account_store.hpp"

#include "adapters/store/sqlite_account_sql.hpp"
#include "adapters/store/sqlite_rows.hpp"
#include "adapters/store/sqlite_db.hpp"

namespace ccteams::store {
namespace sql = account_sql;
namespace {

// Column readers, in the order of the SELECT lists in sqlite_account_sql.hpp.
Organisation read_org(const Statement& st) {
  return Organisation{OrgId{st.column_int64(0)}, st.column_text(1),
                      from_unix_millis(st.column_int64(2))};
}

UserAccount read_user(const Statement& st) {
  UserAccount u;
  u.id = UserId{st.column_int64(0)};
  u.org_id = OrgId{st.column_int64(1)};
  u.username = st.column_text(2);
  u.display_name = st.column_text(3);
  u.roles = RoleSet::from_bits(static_cast<std::uint8_t>(st.column_int64(4)));
  u.password_hash = st.column_text(5);
  u.disabled = st.column_int64(6) != 0;
  u.created_at = from_unix_millis(st.column_int64(7));
  return u;
}

AuthSession read_session(const Statement& st) {
  return AuthSession{st.column_text(0),
                     UserId{st.column_int64(1)},
                     OrgId{st.column_int64(2)},
                     st.column_text(3),
                     from_unix_millis(st.column_int64(4)),
                     from_unix_millis(st.column_int64(5))};
}

Error no_org() { return make_error(Errc::not_found, "no such organisation"); }
Error no_user() { return make_error(Errc::not_found, "no such user"); }

// Reads a single integer (COUNT, MAX) from a query that always returns one row.
Result<std::optional<std::int64_t>> scalar(Statement& st) {
  auto row = st.step();
  if (!row) return std::move(row).error();
  if (!*row || st.column_is_null(0)) return std::optional<std::int64_t>{};
  return std::optional<std::int64_t>{st.column_int64(0)};
}

}  // namespace

Result<Organisation> SqliteAccountStore::create_org(const std::string& name, Timestamp now) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kInsertOrg);
  if (!st) return std::move(st).error();
  st->bind_text(1, name).bind_int64(2, to_unix_millis(now));
  if (auto r = st->run(); !r) {
    if (r.error().code == Errc::conflict) {
      return make_error(Errc::conflict, "an organisation with this name exists");
    }
    return std::move(r).error();
  }
  return Organisation{OrgId{conn.last_insert_rowid()}, name, now};
}

Result<Organisation> SqliteAccountStore::get_org(OrgId id) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectOrgById);
  if (!st) return std::move(st).error();
  st->bind_int64(1, id.value);
  return read_one_row(*st, read_org, no_org());
}

Result<Organisation> SqliteAccountStore::find_org_by_name(const std::string& name) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectOrgByName);
  if (!st) return std::move(st).error();
  st->bind_text(1, name);
  return read_one_row(*st, read_org, no_org());
}

Result<std::vector<Organisation>> SqliteAccountStore::list_orgs() {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectOrgs);
  if (!st) return std::move(st).error();
  return read_all_rows(*st, read_org);
}

Result<UserAccount> SqliteAccountStore::create_user(const UserAccount& account) {
  auto conn = db_.lock();
  // The organisation check and the insert share a transaction, so "no such organisation" and
  // "username taken" are told apart exactly (both would otherwise be constraint failures).
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  {
    auto exists = conn.prepare(sql::kOrgExists);
    if (!exists) return std::move(exists).error();
    exists->bind_int64(1, account.org_id.value);
    auto row = exists->step();
    if (!row) return std::move(row).error();
    if (!*row) return no_org();
  }
  std::int64_t id = 0;
  {
    auto st = conn.prepare(sql::kInsertUser);
    if (!st) return std::move(st).error();
    st->bind_int64(1, account.org_id.value)
        .bind_text(2, account.username)
        .bind_text(3, account.display_name)
        .bind_int64(4, account.roles.bits())
        .bind_text(5, account.password_hash)
        .bind_int64(6, account.disabled ? 1 : 0)
        .bind_int64(7, to_unix_millis(account.created_at));
    if (auto r = st->run(); !r) {
      if (r.error().code == Errc::conflict) return make_error(Errc::conflict, "username is taken");
      return std::move(r).error();
    }
    id = conn.last_insert_rowid();
  }
  if (auto r = tx->commit(); !r) return std::move(r).error();
  UserAccount created = account;
  created.id = UserId{id};
  return created;
}

Result<UserAccount> SqliteAccountStore::get_user(OrgId org, UserId id) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectUser);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, id.value);
  return read_one_row(*st, read_user, no_user());
}

Result<UserAccount> SqliteAccountStore::find_user_by_username(const std::string& username) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectUserByUsername);
  if (!st) return std::move(st).error();
  st->bind_text(1, username);
  return read_one_row(*st, read_user, no_user());
}

Result<std::vector<UserAccount>> SqliteAccountStore::list_users(OrgId org) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectUsersOfOrg);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  return read_all_rows(*st, read_user);
}

Result<UserAccount> SqliteAccountStore::update_user(OrgId org, const UserAccount& account) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kUpdateUser);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value)
      .bind_int64(2, account.id.value)
      .bind_text(3, account.display_name)
      .bind_int64(4, account.roles.bits())
      .bind_text(5, account.password_hash)
      .bind_int64(6, account.disabled ? 1 : 0);
  // RETURNING yields the row as stored, or nothing when (org, id) matched no row.
  auto updated = read_one_row(*st, read_user, no_user());
  if (!updated) return updated;
  // Finish the statement so its implicit transaction commits before we report success.
  if (auto r = st->run(); !r) return std::move(r).error();
  return updated;
}

Result<void> SqliteAccountStore::delete_user(OrgId org, UserId id) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kDeleteUser);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, id.value);
  if (auto r = st->run(); !r) return r;
  if (conn.changes() == 0) return no_user();
  return ok();
}

Result<void> SqliteAccountStore::put_session(const AuthSession& session) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kUpsertSession);
  if (!st) return std::move(st).error();
  st->bind_text(1, session.token_hash)
      .bind_int64(2, session.user_id.value)
      .bind_int64(3, session.org_id.value)
      .bind_text(4, session.csrf_token)
      .bind_int64(5, to_unix_millis(session.created_at))
      .bind_int64(6, to_unix_millis(session.expires_at));
  if (auto r = st->run(); !r) {
    // The upsert absorbs a duplicate token hash, so the only constraint left is the foreign
    // key: the user does not exist in that organisation (e.g. deleted meanwhile).
    if (r.error().code == Errc::conflict) return no_user();
    return r;
  }
  return ok();
}

Result<AuthSession> SqliteAccountStore::find_session(const std::string& token_hash,
                                                     Timestamp now) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectLiveSession);
  if (!st) return std::move(st).error();
  st->bind_text(1, token_hash).bind_int64(2, to_unix_millis(now));
  return read_one_row(*st, read_session, make_error(Errc::not_found, "no session"));
}

Result<void> SqliteAccountStore::delete_session(const std::string& token_hash) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kDeleteSession);
  if (!st) return std::move(st).error();
  st->bind_text(1, token_hash);
  return st->run();
}

Result<int> SqliteAccountStore::delete_user_sessions(OrgId org, UserId user,
                                                     const std::string& keep_token_hash) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kDeleteUserSessions);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, user.value).bind_text(3, keep_token_hash);
  if (auto r = st->run(); !r) return std::move(r).error();
  return conn.changes();
}

Result<int> SqliteAccountStore::delete_expired_sessions(Timestamp now) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kDeleteExpiredSessions);
  if (!st) return std::move(st).error();
  st->bind_int64(1, to_unix_millis(now));
  if (auto r = st->run(); !r) return std::move(r).error();
  return conn.changes();
}

Result<void> SqliteAccountStore::record_login_failure(const std::string& key, Timestamp now) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kInsertLoginFailure);
  if (!st) return std::move(st).error();
  st->bind_text(1, key).bind_int64(2, to_unix_millis(now));
  return st->run();
}

Result<int> SqliteAccountStore::count_login_failures(const std::string& key, Timestamp since) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kCountLoginFailuresSince);
  if (!st) return std::move(st).error();
  st->bind_text(1, key).bind_int64(2, to_unix_millis(since));
  auto count = scalar(*st);
  if (!count) return std::move(count).error();
  return static_cast<int>(count->value_or(0));
}

Result<std::optional<Timestamp>> SqliteAccountStore::last_login_failure(const std::string& key) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kLastLoginFailure);
  if (!st) return std::move(st).error();
  st->bind_text(1, key);
  auto last = scalar(*st);
  if (!last) return std::move(last).error();
  if (!*last) return std::optional<Timestamp>{};
  return std::optional<Timestamp>{from_unix_millis(**last)};
}

Result<void> SqliteAccountStore::clear_login_failures(const std::string& key) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kDeleteLoginFailures);
  if (!st) return std::move(st).error();
  st->bind_text(1, key);
  return st->run();
}

Result<int> SqliteAccountStore::prune_login_failures(Timestamp before) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kPruneLoginFailures);
  if (!st) return std::move(st).error();
  st->bind_int64(1, to_unix_millis(before));
  if (auto r = st->run(); !r) return std::move(r).error();
  return conn.changes();
}

}  // namespace ccteams::store
