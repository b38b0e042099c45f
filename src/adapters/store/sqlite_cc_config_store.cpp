// SqliteContactCenterStore, configuration half: idle codes, desktop profiles, queues, agents.
#include "adapters/store/sqlite_cc_sql.hpp"
#include "adapters/store/sqlite_contact_center_store.hpp"
#include "adapters/store/sqlite_db.hpp"
#include "adapters/store/sqlite_rows.hpp"

namespace ccteams::store {
namespace sql = cc_sql;
namespace {

IdleCode read_idle_code(const Statement& st) {
  IdleCode c;
  c.id = IdleCodeId{st.column_int64(0)};
  c.org = OrgId{st.column_int64(1)};
  c.name = st.column_text(2);
  c.system = st.column_int64(3) != 0;
  c.active = st.column_int64(4) != 0;
  return c;
}

DesktopProfile read_profile(const Statement& st) {
  DesktopProfile p;
  p.id = DesktopProfileId{st.column_int64(0)};
  p.org = OrgId{st.column_int64(1)};
  p.name = st.column_text(2);
  p.microsoft_teams = st.column_int64(3) != 0;
  p.webex_app = st.column_int64(4) != 0;
  p.rona_timeout_seconds = static_cast<int>(st.column_int64(5));
  p.wrap_up_seconds = static_cast<int>(st.column_int64(6));
  return p;
}

CcQueue read_queue(const Statement& st) {
  return CcQueue{QueueId{st.column_int64(0)}, OrgId{st.column_int64(1)}, st.column_text(2)};
}

Error no_idle_code() { return make_error(Errc::not_found, "no such idle code"); }
Error no_profile() { return make_error(Errc::not_found, "no such desktop profile"); }
Error no_queue() { return make_error(Errc::not_found, "no such queue"); }

// A UNIQUE violation on a name becomes a sentence naming the field.
template <class T>
Result<T> name_taken_if_conflict(Result<T> r, const char* what) {
  if (!r && r.error().code == Errc::conflict) {
    return make_error(Errc::conflict, std::string("a ") + what + " with this name exists");
  }
  return r;
}

Result<void> read_profile_codes(SqliteConnection& conn, DesktopProfile& p) {
  auto st = conn.prepare(sql::kSelectProfileCodes);
  if (!st) return std::move(st).error();
  st->bind_int64(1, p.id.value);
  auto ids = read_all_rows(*st, [](const Statement& s) { return IdleCodeId{s.column_int64(0)}; });
  if (!ids) return std::move(ids).error();
  p.allowed_idle_codes = std::move(*ids);
  return ok();
}

// Replaces the profile's allowed codes; each must be one of the org's codes.
Result<void> write_profile_codes(SqliteConnection& conn, const DesktopProfile& p) {
  auto del = conn.prepare(sql::kDeleteProfileCodes);
  if (!del) return std::move(del).error();
  del->bind_int64(1, p.id.value);
  if (auto r = del->run(); !r) return r;
  std::int64_t position = 0;
  for (IdleCodeId code : p.allowed_idle_codes) {
    auto found = row_exists(conn, sql::kIdleCodeExists, p.org.value, code.value);
    if (!found) return std::move(found).error();
    if (!*found) {
      return make_error(Errc::not_found, "allowedIdleCodeIds: no idle code " +
                                             std::to_string(code.value) + " in this organisation");
    }
    auto ins = conn.prepare(sql::kInsertProfileCode);
    if (!ins) return std::move(ins).error();
    ins->bind_int64(1, p.id.value).bind_int64(2, p.org.value).bind_int64(3, code.value);
    ins->bind_int64(4, position++);
    if (auto r = ins->run(); !r) return r;
  }
  return ok();
}

}  // namespace

// ---- idle codes ----

Result<IdleCode> SqliteContactCenterStore::create_idle_code(OrgId org, const IdleCode& code) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kInsertIdleCode);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_text(2, code.name);
  st->bind_int64(3, code.system ? 1 : 0).bind_int64(4, code.active ? 1 : 0);
  return name_taken_if_conflict(
      read_one_row(*st, read_idle_code, make_error(Errc::internal, "insert returned no row")),
      "idle code");
}

Result<IdleCode> SqliteContactCenterStore::get_idle_code(OrgId org, IdleCodeId id) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectIdleCode);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, id.value);
  return read_one_row(*st, read_idle_code, no_idle_code());
}

Result<std::vector<IdleCode>> SqliteContactCenterStore::list_idle_codes(OrgId org) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectIdleCodes);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  return read_all_rows(*st, read_idle_code);
}

Result<IdleCode> SqliteContactCenterStore::update_idle_code(OrgId org, const IdleCode& code) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kUpdateIdleCode);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, code.id.value).bind_text(3, code.name);
  st->bind_int64(4, code.active ? 1 : 0);
  return name_taken_if_conflict(read_one_row(*st, read_idle_code, no_idle_code()), "idle code");
}

Result<void> SqliteContactCenterStore::delete_idle_code(OrgId org, IdleCodeId id) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kDeleteIdleCode);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, id.value);
  if (auto r = st->run(); !r) {
    if (r.error().code == Errc::conflict) {
      return make_error(Errc::conflict, "idle code is used by a desktop profile");
    }
    return r;
  }
  if (conn.changes() == 0) return no_idle_code();
  return ok();
}

Result<IdleCode> SqliteContactCenterStore::ensure_rona_idle_code(OrgId org) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  {
    auto st = conn.prepare(sql::kSelectRonaIdleCode);
    if (!st) return std::move(st).error();
    st->bind_int64(1, org.value).bind_text(2, kRonaIdleCodeName);
    auto found = read_one_row(*st, read_idle_code, no_idle_code());
    if (found) return found;
    if (found.error().code != Errc::not_found) return found;
  }
  Result<IdleCode> created = no_idle_code();
  {
    auto st = conn.prepare(sql::kInsertIdleCode);
    if (!st) return std::move(st).error();
    st->bind_int64(1, org.value).bind_text(2, kRonaIdleCodeName).bind_int64(3, 1);
    st->bind_int64(4, 1);
    created =
        read_one_row(*st, read_idle_code, make_error(Errc::internal, "insert returned no row"));
  }
  if (!created) {
    if (created.error().code == Errc::conflict) {
      return make_error(Errc::conflict,
                        "an ordinary idle code is named RONA; rename it so the system code can "
                        "be created");
    }
    return created;
  }
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return created;
}

Result<std::vector<std::string>> SqliteContactCenterStore::profiles_using_idle_code(
    OrgId org, IdleCodeId id) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kProfilesUsingIdleCode);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, id.value);
  return read_all_rows(*st, [](const Statement& s) { return s.column_text(0); });
}

// ---- desktop profiles ----

Result<DesktopProfile> SqliteContactCenterStore::create_desktop_profile(const DesktopProfile& p) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  DesktopProfile out = p;
  {
    auto st = conn.prepare(sql::kInsertProfile);
    if (!st) return std::move(st).error();
    st->bind_int64(1, p.org.value).bind_text(2, p.name).bind_int64(3, p.microsoft_teams ? 1 : 0);
    st->bind_int64(4, p.webex_app ? 1 : 0).bind_int64(5, p.rona_timeout_seconds);
    st->bind_int64(6, p.wrap_up_seconds);
    auto id = name_taken_if_conflict(
        read_one_row(*st, [](const Statement& s) { return s.column_int64(0); },
                     make_error(Errc::internal, "insert returned no row")),
        "desktop profile");
    if (!id) return std::move(id).error();
    out.id = DesktopProfileId{*id};
  }
  if (auto r = write_profile_codes(conn, out); !r) return std::move(r).error();
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return out;
}

Result<DesktopProfile> SqliteContactCenterStore::get_desktop_profile(OrgId org,
                                                                    DesktopProfileId id) {
  auto conn = db_.lock();
  Result<DesktopProfile> p = no_profile();
  {
    auto st = conn.prepare(sql::kSelectProfile);
    if (!st) return std::move(st).error();
    st->bind_int64(1, org.value).bind_int64(2, id.value);
    p = read_one_row(*st, read_profile, no_profile());
  }
  if (!p) return p;
  if (auto r = read_profile_codes(conn, *p); !r) return std::move(r).error();
  return p;
}

Result<std::vector<DesktopProfile>> SqliteContactCenterStore::list_desktop_profiles(OrgId org) {
  auto conn = db_.lock();
  Result<std::vector<DesktopProfile>> all = std::vector<DesktopProfile>{};
  {
    auto st = conn.prepare(sql::kSelectProfiles);
    if (!st) return std::move(st).error();
    st->bind_int64(1, org.value);
    all = read_all_rows(*st, read_profile);
  }
  if (!all) return all;
  for (auto& p : *all) {
    if (auto r = read_profile_codes(conn, p); !r) return std::move(r).error();
  }
  return all;
}

Result<DesktopProfile> SqliteContactCenterStore::update_desktop_profile(const DesktopProfile& p) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  {
    auto st = conn.prepare(sql::kUpdateProfile);
    if (!st) return std::move(st).error();
    st->bind_int64(1, p.org.value).bind_int64(2, p.id.value).bind_text(3, p.name);
    st->bind_int64(4, p.microsoft_teams ? 1 : 0).bind_int64(5, p.webex_app ? 1 : 0);
    st->bind_int64(6, p.rona_timeout_seconds).bind_int64(7, p.wrap_up_seconds);
    if (auto r = name_taken_if_conflict(st->run(), "desktop profile"); !r) {
      return std::move(r).error();
    }
    if (conn.changes() == 0) return no_profile();
  }
  if (auto r = write_profile_codes(conn, p); !r) return std::move(r).error();
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return p;
}

Result<void> SqliteContactCenterStore::delete_desktop_profile(OrgId org, DesktopProfileId id) {
  auto conn = db_.lock();
  auto used = row_exists(conn, sql::kProfileInUse, org.value, id.value);
  if (!used) return std::move(used).error();
  if (*used) return make_error(Errc::conflict, "desktop profile is assigned to agents");
  auto st = conn.prepare(sql::kDeleteProfile);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, id.value);
  if (auto r = st->run(); !r) return r;
  if (conn.changes() == 0) return no_profile();
  return ok();
}

// ---- queues ----

Result<CcQueue> SqliteContactCenterStore::create_queue(const CcQueue& queue) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kInsertQueue);
  if (!st) return std::move(st).error();
  st->bind_int64(1, queue.org.value).bind_text(2, queue.name);
  return name_taken_if_conflict(
      read_one_row(*st, read_queue, make_error(Errc::internal, "insert returned no row")),
      "queue");
}

Result<CcQueue> SqliteContactCenterStore::get_queue(OrgId org, QueueId id) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectQueue);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, id.value);
  return read_one_row(*st, read_queue, no_queue());
}

Result<std::vector<CcQueue>> SqliteContactCenterStore::list_queues(OrgId org) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectQueues);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  return read_all_rows(*st, read_queue);
}

Result<CcQueue> SqliteContactCenterStore::update_queue(const CcQueue& queue) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kUpdateQueue);
  if (!st) return std::move(st).error();
  st->bind_int64(1, queue.org.value).bind_int64(2, queue.id.value).bind_text(3, queue.name);
  return name_taken_if_conflict(read_one_row(*st, read_queue, no_queue()), "queue");
}

Result<void> SqliteContactCenterStore::delete_queue(OrgId org, QueueId id) {
  auto conn = db_.lock();
  auto busy = row_exists(conn, sql::kQueueHasOpenContacts, org.value, id.value);
  if (!busy) return std::move(busy).error();
  if (*busy) return make_error(Errc::conflict, "contacts are waiting or connected in this queue");
  auto st = conn.prepare(sql::kDeleteQueue);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value).bind_int64(2, id.value);
  if (auto r = st->run(); !r) return r;
  if (conn.changes() == 0) return no_queue();
  return ok();
}

}  // namespace ccteams::store
