// PgContactCenterStore, configuration half: idle codes, desktop profiles, queues.
#include "adapters/pg/pg_cc_sql.hpp"
#include "adapters/pg/pg_contact_center_store.hpp"
#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_rows.hpp"

namespace ccteams::store {
namespace sql = pg_cc_sql;
namespace {

IdleCode read_idle_code(const PgRows& rows, int r) {
  IdleCode c;
  c.id = IdleCodeId{rows.int64(r, 0)};
  c.org = OrgId{rows.int64(r, 1)};
  c.name = rows.text(r, 2);
  c.system = rows.boolean(r, 3);
  c.active = rows.boolean(r, 4);
  return c;
}

DesktopProfile read_profile(const PgRows& rows, int r) {
  DesktopProfile p;
  p.id = DesktopProfileId{rows.int64(r, 0)};
  p.org = OrgId{rows.int64(r, 1)};
  p.name = rows.text(r, 2);
  p.microsoft_teams = rows.boolean(r, 3);
  p.webex_app = rows.boolean(r, 4);
  p.rona_timeout_seconds = static_cast<int>(rows.int64(r, 5));
  p.wrap_up_seconds = static_cast<int>(rows.int64(r, 6));
  return p;
}

CcQueue read_queue(const PgRows& rows, int r) {
  return CcQueue{QueueId{rows.int64(r, 0)}, OrgId{rows.int64(r, 1)}, rows.text(r, 2)};
}

Error no_idle_code() { return make_error(Errc::not_found, "no such idle code"); }
Error no_profile() { return make_error(Errc::not_found, "no such desktop profile"); }
Error no_queue() { return make_error(Errc::not_found, "no such queue"); }
Error no_row_returned() { return make_error(Errc::internal, "insert returned no row"); }

// A UNIQUE violation on a name becomes a sentence naming the field.
template <class T>
Result<T> name_taken_if_conflict(Result<T> r, const char* what) {
  if (!r && r.error().code == Errc::conflict) {
    return make_error(Errc::conflict, std::string("a ") + what + " with this name exists");
  }
  return r;
}

Result<void> read_profile_codes(PgConnection& conn, DesktopProfile& p) {
  auto ids = pg_all_rows(conn.query(sql::kSelectProfileCodes, {p.id.value}),
                         [](const PgRows& rows, int r) { return IdleCodeId{rows.int64(r, 0)}; });
  if (!ids) return std::move(ids).error();
  p.allowed_idle_codes = std::move(*ids);
  return ok();
}

// Replaces the profile's allowed codes; each must be one of the org's codes.
Result<void> write_profile_codes(PgConnection& conn, const DesktopProfile& p) {
  if (auto r = conn.query(sql::kDeleteProfileCodes, {p.id.value}); !r) {
    return std::move(r).error();
  }
  std::int64_t position = 0;
  for (IdleCodeId code : p.allowed_idle_codes) {
    auto found = pg_row_exists(conn, sql::kIdleCodeExists, p.org.value, code.value);
    if (!found) return std::move(found).error();
    if (!*found) {
      return make_error(Errc::not_found, "allowedIdleCodeIds: no idle code " +
                                             std::to_string(code.value) + " in this organisation");
    }
    auto ins = conn.query(sql::kInsertProfileCode, {p.id.value, p.org.value, code.value, position});
    if (!ins) return std::move(ins).error();
    ++position;
  }
  return ok();
}

}  // namespace

// ---- idle codes ----

Result<IdleCode> PgContactCenterStore::create_idle_code(OrgId org, const IdleCode& code) {
  auto conn = db_.lock();
  return name_taken_if_conflict(
      pg_one_row(conn.query(sql::kInsertIdleCode, {org.value, code.name, code.system, code.active}),
                 read_idle_code, no_row_returned()),
      "idle code");
}

Result<IdleCode> PgContactCenterStore::get_idle_code(OrgId org, IdleCodeId id) {
  auto conn = db_.lock();
  return pg_one_row(conn.query(sql::kSelectIdleCode, {org.value, id.value}), read_idle_code,
                    no_idle_code());
}

Result<std::vector<IdleCode>> PgContactCenterStore::list_idle_codes(OrgId org) {
  auto conn = db_.lock();
  return pg_all_rows(conn.query(sql::kSelectIdleCodes, {org.value}), read_idle_code);
}

Result<IdleCode> PgContactCenterStore::update_idle_code(OrgId org, const IdleCode& code) {
  auto conn = db_.lock();
  return name_taken_if_conflict(
      pg_one_row(
          conn.query(sql::kUpdateIdleCode, {org.value, code.id.value, code.name, code.active}),
          read_idle_code, no_idle_code()),
      "idle code");
}

Result<void> PgContactCenterStore::delete_idle_code(OrgId org, IdleCodeId id) {
  auto conn = db_.lock();
  // The references are checked at this DELETE, as SQLite's RESTRICT is, and deferred again
  // after it (an organisation's removal later in the same job needs them deferred).
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  if (auto r = conn.query(sql::kIdleCodeReferencesImmediate); !r) return std::move(r).error();
  auto deleted = pg_affected(conn.query(sql::kDeleteIdleCode, {org.value, id.value}));
  if (auto r = conn.query(sql::kIdleCodeReferencesDeferred); !r) return std::move(r).error();
  if (!deleted) {
    if (deleted.error().code == Errc::conflict) {
      return make_error(Errc::conflict, "idle code is used by a desktop profile");
    }
    return std::move(deleted).error();
  }
  if (*deleted == 0) return no_idle_code();
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return ok();
}

Result<IdleCode> PgContactCenterStore::ensure_rona_idle_code(OrgId org) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto found = pg_one_row(conn.query(sql::kSelectRonaIdleCode, {org.value, kRonaIdleCodeName}),
                          read_idle_code, no_idle_code());
  if (found || found.error().code != Errc::not_found) return found;
  auto created =
      pg_one_row(conn.query(sql::kInsertIdleCode, {org.value, kRonaIdleCodeName, true, true}),
                 read_idle_code, no_row_returned());
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

Result<std::vector<std::string>> PgContactCenterStore::profiles_using_idle_code(OrgId org,
                                                                                IdleCodeId id) {
  auto conn = db_.lock();
  return pg_all_rows(conn.query(sql::kProfilesUsingIdleCode, {org.value, id.value}),
                     [](const PgRows& rows, int r) { return rows.text(r, 0); });
}

// ---- desktop profiles ----

Result<DesktopProfile> PgContactCenterStore::create_desktop_profile(const DesktopProfile& p) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  DesktopProfile out = p;
  auto id = name_taken_if_conflict(
      pg_one_row(
          conn.query(sql::kInsertProfile, {p.org.value, p.name, p.microsoft_teams, p.webex_app,
                                           p.rona_timeout_seconds, p.wrap_up_seconds}),
          [](const PgRows& rows, int r) { return rows.int64(r, 0); }, no_row_returned()),
      "desktop profile");
  if (!id) return std::move(id).error();
  out.id = DesktopProfileId{*id};
  if (auto r = write_profile_codes(conn, out); !r) return std::move(r).error();
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return out;
}

Result<DesktopProfile> PgContactCenterStore::get_desktop_profile(OrgId org, DesktopProfileId id) {
  auto conn = db_.lock();
  auto tx = conn.begin();  // one snapshot for the profile and its codes
  if (!tx) return std::move(tx).error();
  auto p = pg_one_row(conn.query(sql::kSelectProfile, {org.value, id.value}), read_profile,
                      no_profile());
  if (!p) return p;
  if (auto r = read_profile_codes(conn, *p); !r) return std::move(r).error();
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return p;
}

Result<std::vector<DesktopProfile>> PgContactCenterStore::list_desktop_profiles(OrgId org) {
  auto conn = db_.lock();
  auto tx = conn.begin();  // one snapshot for the profiles and their codes
  if (!tx) return std::move(tx).error();
  auto all = pg_all_rows(conn.query(sql::kSelectProfiles, {org.value}), read_profile);
  if (!all) return all;
  for (auto& p : *all) {
    if (auto r = read_profile_codes(conn, p); !r) return std::move(r).error();
  }
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return all;
}

Result<DesktopProfile> PgContactCenterStore::update_desktop_profile(const DesktopProfile& p) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto updated = name_taken_if_conflict(
      pg_affected(conn.query(sql::kUpdateProfile,
                             {p.org.value, p.id.value, p.name, p.microsoft_teams, p.webex_app,
                              p.rona_timeout_seconds, p.wrap_up_seconds})),
      "desktop profile");
  if (!updated) return std::move(updated).error();
  if (*updated == 0) return no_profile();
  if (auto r = write_profile_codes(conn, p); !r) return std::move(r).error();
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return p;
}

Result<void> PgContactCenterStore::delete_desktop_profile(OrgId org, DesktopProfileId id) {
  auto conn = db_.lock();
  // The check answers "in use" here; the deferred reference is the backstop at COMMIT.
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto used = pg_row_exists(conn, sql::kProfileInUse, org.value, id.value);
  if (!used) return std::move(used).error();
  if (*used) return make_error(Errc::conflict, "desktop profile is assigned to agents");
  auto deleted = pg_affected(conn.query(sql::kDeleteProfile, {org.value, id.value}));
  if (!deleted) return std::move(deleted).error();
  if (*deleted == 0) return no_profile();
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return ok();
}

// ---- queues ----

Result<CcQueue> PgContactCenterStore::create_queue(const CcQueue& queue) {
  auto conn = db_.lock();
  return name_taken_if_conflict(
      pg_one_row(conn.query(sql::kInsertQueue, {queue.org.value, queue.name}), read_queue,
                 no_row_returned()),
      "queue");
}

Result<CcQueue> PgContactCenterStore::get_queue(OrgId org, QueueId id) {
  auto conn = db_.lock();
  return pg_one_row(conn.query(sql::kSelectQueue, {org.value, id.value}), read_queue, no_queue());
}

Result<std::vector<CcQueue>> PgContactCenterStore::list_queues(OrgId org) {
  auto conn = db_.lock();
  return pg_all_rows(conn.query(sql::kSelectQueues, {org.value}), read_queue);
}

Result<CcQueue> PgContactCenterStore::update_queue(const CcQueue& queue) {
  auto conn = db_.lock();
  return name_taken_if_conflict(
      pg_one_row(conn.query(sql::kUpdateQueue, {queue.org.value, queue.id.value, queue.name}),
                 read_queue, no_queue()),
      "queue");
}

Result<void> PgContactCenterStore::delete_queue(OrgId org, QueueId id) {
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  auto busy = pg_row_exists(conn, sql::kQueueHasOpenContacts, org.value, id.value);
  if (!busy) return std::move(busy).error();
  if (*busy) return make_error(Errc::conflict, "contacts are waiting or connected in this queue");
  auto deleted = pg_affected(conn.query(sql::kDeleteQueue, {org.value, id.value}));
  if (!deleted) return std::move(deleted).error();
  if (*deleted == 0) return no_queue();
  if (auto r = tx->commit(); !r) return std::move(r).error();
  return ok();
}

}  // namespace ccteams::store
