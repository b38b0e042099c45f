#include "adapters/pg/pg_directory_store.hpp"

#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_directory_sql.hpp"
#include "adapters/pg/pg_rows.hpp"

namespace ccteams::store {
namespace sql = pg_directory_sql;
namespace {

// As SQLite stores them: business phones joined by U+001F (no phone text contains it).
constexpr char kPhoneSeparator = '\x1f';

std::string join_phones(const std::vector<std::string>& phones) {
  std::string out;
  for (std::size_t i = 0; i < phones.size(); ++i) {
    if (i > 0) out.push_back(kPhoneSeparator);
    out += phones[i];
  }
  return out;
}

std::vector<std::string> split_phones(const std::string& text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::size_t start = 0;
  for (;;) {
    const auto end = text.find(kPhoneSeparator, start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

Dialability parse_dialability(const std::string& s) {
  if (s == "dialable") return Dialability::dialable;
  if (s == "not_e164") return Dialability::not_e164;
  return Dialability::missing;  // the CHECK constraint allows only the three names
}

DirectoryUser read_user(const PgRows& rows, int r) {
  DirectoryUser d;
  d.user.id = rows.text(r, 0);
  d.user.display_name = rows.text(r, 1);
  d.user.given_name = rows.text(r, 2);
  d.user.surname = rows.text(r, 3);
  d.user.mail = rows.text(r, 4);
  d.user.user_principal_name = rows.text(r, 5);
  d.user.job_title = rows.text(r, 6);
  d.user.department = rows.text(r, 7);
  d.user.business_phones = split_phones(rows.text(r, 8));
  d.user.account_enabled = rows.boolean(r, 9);
  d.dialability = parse_dialability(rows.text(r, 10));
  d.phone = rows.text(r, 11);
  return d;
}

// One row of a bulk write: unguarded (pg_db.hpp), so its failure ends the store call.
Result<void> upsert(PgConnection& conn, OrgId org, const DirectoryUser& d) {
  const TeamsUser& u = d.user;
  return pg_done(conn.query_unguarded(
      sql::kUpsertUser,
      {org.value, u.id, u.display_name, u.given_name, u.surname, u.mail, u.user_principal_name,
       u.job_title, u.department, join_phones(u.business_phones), u.account_enabled,
       dialability_name(d.dialability), d.phone}));
}

// The user count and the state, last in each write transaction.
Result<void> finish(PgConnection& conn, OrgId org, const DirectorySyncState& state) {
  auto count = conn.query_unguarded(sql::kCountOrgUsers, {org.value});
  if (!count) return std::move(count).error();
  return pg_done(conn.query_unguarded(
      sql::kUpsertSync, {org.value, state.tenant, state.delta_link, to_unix_millis(state.synced_at),
                         count->int64(0, 0)}));
}

}  // namespace

Result<void> PgDirectoryStore::replace_all(OrgId org, const std::vector<DirectoryUser>& users,
                                           const DirectorySyncState& state) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  if (auto r = conn.query_unguarded(sql::kDeleteOrgUsers, {org.value}); !r) {
    return std::move(r).error();
  }
  for (const auto& u : users) {
    if (auto r = upsert(conn, org, u); !r) return r;
  }
  if (auto r = finish(conn, org, state); !r) return r;
  return tx->commit();
}

Result<void> PgDirectoryStore::apply_delta(OrgId org, const std::vector<DirectoryUser>& upserts,
                                           const std::vector<std::string>& removed_ids,
                                           const DirectorySyncState& state) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  for (const auto& u : upserts) {
    if (auto r = upsert(conn, org, u); !r) return r;
  }
  for (const auto& id : removed_ids) {
    if (auto r = conn.query_unguarded(sql::kDeleteUser, {org.value, id}); !r) {
      return std::move(r).error();
    }
  }
  if (auto r = finish(conn, org, state); !r) return r;
  return tx->commit();
}

Result<std::vector<DirectoryUser>> PgDirectoryStore::load_users(OrgId org) {
  auto conn = db_.lock();
  return pg_all_rows(conn.query(sql::kSelectOrgUsers, {org.value}), read_user);
}

Result<std::optional<DirectorySyncState>> PgDirectoryStore::sync_state(OrgId org) {
  auto conn = db_.lock();
  auto rows = conn.query(sql::kSelectSync, {org.value});
  if (!rows) return std::move(rows).error();
  if (rows->empty()) return std::optional<DirectorySyncState>{};
  DirectorySyncState s;
  s.tenant = rows->text(0, 0);
  s.delta_link = rows->text(0, 1);
  s.synced_at = from_unix_millis(rows->int64(0, 2));
  s.user_count = static_cast<std::size_t>(rows->int64(0, 3));
  return std::optional<DirectorySyncState>{std::move(s)};
}

Result<int> PgDirectoryStore::delete_org(OrgId org) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto removed = pg_affected(conn.query_unguarded(sql::kDeleteOrgUsers, {org.value}));
  if (!removed) return removed;
  if (auto r = conn.query_unguarded(sql::kDeleteSync, {org.value}); !r) {
    return std::move(r).error();
  }
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return removed;
}

}  // namespace ccteams::store
