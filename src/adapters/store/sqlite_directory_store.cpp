#include "adapters/store/sqlite_directory_store.hpp"

#include "adapters/store/sqlite_db.hpp"
#include "adapters/store/sqlite_directory_sql.hpp"
#include "adapters/store/sqlite_rows.hpp"

namespace ccteams::store {
namespace sql = directory_sql;
namespace {

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

DirectoryUser read_user(const Statement& st) {
  DirectoryUser d;
  d.user.id = st.column_text(0);
  d.user.display_name = st.column_text(1);
  d.user.given_name = st.column_text(2);
  d.user.surname = st.column_text(3);
  d.user.mail = st.column_text(4);
  d.user.user_principal_name = st.column_text(5);
  d.user.job_title = st.column_text(6);
  d.user.department = st.column_text(7);
  d.user.business_phones = split_phones(st.column_text(8));
  d.user.account_enabled = st.column_int64(9) != 0;
  d.dialability = parse_dialability(st.column_text(10));
  d.phone = st.column_text(11);
  return d;
}

Result<void> upsert(SqliteConnection& conn, OrgId org, const DirectoryUser& d) {
  auto st = conn.prepare(sql::kUpsertUser);
  if (!st) return std::move(st).error();
  const TeamsUser& u = d.user;
  st->bind_int64(1, org.value).bind_text(2, u.id).bind_text(3, u.display_name);
  st->bind_text(4, u.given_name).bind_text(5, u.surname).bind_text(6, u.mail);
  st->bind_text(7, u.user_principal_name).bind_text(8, u.job_title).bind_text(9, u.department);
  st->bind_text(10, join_phones(u.business_phones)).bind_int64(11, u.account_enabled ? 1 : 0);
  st->bind_text(12, dialability_name(d.dialability)).bind_text(13, d.phone);
  return st->run();
}

Result<void> by_org(SqliteConnection& conn, std::string_view query, OrgId org) {
  auto st = conn.prepare(query);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  return st->run();
}

Result<void> put_state(SqliteConnection& conn, OrgId org, const DirectorySyncState& state,
                       std::int64_t count) {
  auto st = conn.prepare(sql::kUpsertSync);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_text(2, state.tenant).bind_text(3, state.delta_link);
  st->bind_int64(4, to_unix_millis(state.synced_at)).bind_int64(5, count);
  return st->run();
}

Result<std::int64_t> count_users(SqliteConnection& conn, OrgId org) {
  auto st = conn.prepare(sql::kCountOrgUsers);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  return read_one_row(*st, [](const Statement& s) { return s.column_int64(0); },
                      make_error(Errc::internal, "COUNT returned no row"));
}

}  // namespace

Result<void> SqliteDirectoryStore::replace_all(OrgId org, const std::vector<DirectoryUser>& users,
                                               const DirectorySyncState& state) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  if (auto r = by_org(conn, sql::kDeleteOrgUsers, org); !r) return r;
  for (const auto& u : users) {
    if (auto r = upsert(conn, org, u); !r) return r;
  }
  auto count = count_users(conn, org);
  if (!count) return std::move(count).error();
  if (auto r = put_state(conn, org, state, *count); !r) return r;
  return tx->commit();
}

Result<void> SqliteDirectoryStore::apply_delta(OrgId org, const std::vector<DirectoryUser>& upserts,
                                               const std::vector<std::string>& removed_ids,
                                               const DirectorySyncState& state) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  for (const auto& u : upserts) {
    if (auto r = upsert(conn, org, u); !r) return r;
  }
  for (const auto& id : removed_ids) {
    auto st = conn.prepare(sql::kDeleteUser);
    if (!st) return std::move(st).error();
    st->bind_int64(1, org.value).bind_text(2, id);
    if (auto r = st->run(); !r) return r;
  }
  auto count = count_users(conn, org);
  if (!count) return std::move(count).error();
  if (auto r = put_state(conn, org, state, *count); !r) return r;
  return tx->commit();
}

Result<std::vector<DirectoryUser>> SqliteDirectoryStore::load_users(OrgId org) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectOrgUsers);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  return read_all_rows(*st, read_user);
}

Result<std::optional<DirectorySyncState>> SqliteDirectoryStore::sync_state(OrgId org) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectSync);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  auto row = st->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<DirectorySyncState>{};
  DirectorySyncState s;
  s.tenant = st->column_text(0);
  s.delta_link = st->column_text(1);
  s.synced_at = from_unix_millis(st->column_int64(2));
  s.user_count = static_cast<std::size_t>(st->column_int64(3));
  return std::optional<DirectorySyncState>{std::move(s)};
}

Result<int> SqliteDirectoryStore::delete_org(OrgId org) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  if (auto r = by_org(conn, sql::kDeleteOrgUsers, org); !r) return std::move(r).error();
  const int removed = conn.changes();
  if (auto r = by_org(conn, sql::kDeleteSync, org); !r) return std::move(r).error();
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return removed;
}

}  // namespace ccteams::store
