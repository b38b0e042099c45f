#include "adapters/pg/pg_presence_sync_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <climits>

#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_presence_sync_sql.hpp"
#include "adapters/pg/pg_rows.hpp"
#include "adapters/store/inbox_batch_json.hpp"

namespace ccteams::store {
namespace json = boost::json;
namespace sql = pg_presence_sync_sql;

namespace {

std::string_view health_name(StoredSubscriptionHealth h) {
  switch (h) {
    case StoredSubscriptionHealth::ok:
      return "ok";
    case StoredSubscriptionHealth::removed:
      return "removed";
    case StoredSubscriptionHealth::reauthorization_failed:
      return "reauthorization_failed";
  }
  return "ok";
}

StoredSubscriptionHealth health_from(std::string_view s) {
  // The CHECK constraint allows only the three names.
  if (s == "removed") return StoredSubscriptionHealth::removed;
  if (s == "reauthorization_failed") return StoredSubscriptionHealth::reauthorization_failed;
  return StoredSubscriptionHealth::ok;
}

std::string encode_user_ids(const std::vector<std::string>& ids) {
  json::array a;
  a.reserve(ids.size());
  for (const auto& id : ids) a.emplace_back(id);
  return json::serialize(a);
}

std::vector<std::string> decode_user_ids(const std::string& text) {
  // The CHECK constraint guarantees a JSON array; only this file writes its elements (strings).
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& e : v.as_array()) {
    if (e.is_string()) out.emplace_back(e.as_string());
  }
  return out;
}

PresenceSubscriptionRecord read_subscription(const PgRows& rows, int r) {
  PresenceSubscriptionRecord s;
  s.id = rows.text(r, 0);
  s.org = OrgId{rows.int64(r, 1)};
  s.account_id = SyncAccountId{rows.int64(r, 2)};
  s.user_ids = decode_user_ids(rows.text(r, 3));
  s.expiration = from_unix_millis(rows.int64(r, 4));
  s.client_state_sha256 = rows.text(r, 5);
  s.include_resource_data = rows.boolean(r, 6);
  s.health = health_from(rows.text(r, 7));
  s.created_at = from_unix_millis(rows.int64(r, 8));
  s.certificate_id = rows.text(r, 9);
  return s;
}

InboxEntry read_entry(const PgRows& rows, int r) {
  InboxEntry e;
  e.seq = rows.int64(r, 0);
  e.org = OrgId{rows.int64(r, 1)};
  e.kind = rows.text(r, 2) == "lifecycle" ? InboxKind::lifecycle : InboxKind::change;
  e.received_at = from_unix_millis(rows.int64(r, 3));
  auto batch = decode_inbox_batch(rows.text(r, 4));
  if (batch) {
    e.batch = std::move(*batch);
  } else {
    spdlog::error("presence inbox entry {} of org {} is unreadable ({}); handing it out empty",
                  e.seq, e.org.value, batch.error().message);
  }
  return e;
}

Error no_such_org() { return make_error(Errc::not_found, "no such organisation"); }

}  // namespace

// ---- Inbox -----------------------------------------------------------------------------------

boost::asio::awaitable<Result<std::int64_t>> PgPresenceSyncStore::append(InboxEntry entry) {
  co_return co_await writer_.append(std::move(entry));
}

Result<std::vector<InboxEntry>> PgPresenceSyncStore::pending(OrgId org, std::size_t limit) {
  auto conn = db_.lock();
  const auto n = static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX));
  return pg_all_rows(conn.query(sql::kSelectPending, {org.value, n}), read_entry);
}

Result<std::vector<OrgId>> PgPresenceSyncStore::orgs_with_pending() {
  auto conn = db_.lock();
  return pg_all_rows(conn.query(sql::kSelectOrgsWithPending),
                     [](const PgRows& rows, int r) { return OrgId{rows.int64(r, 0)}; });
}

Result<void> PgPresenceSyncStore::remove(OrgId org, const std::vector<std::int64_t>& seqs) {
  if (seqs.empty()) return ok();
  auto conn = db_.lock();
  return pg_done(conn.query(sql::kDeleteInboxEntries, {org.value, pg_int_array(seqs)}));
}

Result<void> PgPresenceSyncStore::clear(OrgId org) {
  auto conn = db_.lock();
  return pg_done(conn.query(sql::kDeleteInboxOfOrg, {org.value}));
}

// ---- Subscriptions ---------------------------------------------------------------------------

Result<void> PgPresenceSyncStore::put_subscription(const PresenceSubscriptionRecord& r) {
  auto conn = db_.lock();
  auto up =
      conn.query(sql::kUpsertSubscription,
                 {r.id, r.org.value, r.account_id.value, encode_user_ids(r.user_ids),
                  to_unix_millis(r.expiration), r.client_state_sha256, r.include_resource_data,
                  health_name(r.health), to_unix_millis(r.created_at), r.certificate_id});
  if (!up) {
    // The id conflict is handled by ON CONFLICT: what remains is the organisation's key.
    if (up.error().code == Errc::conflict) return no_such_org();
    return std::move(up).error();
  }
  return ok();
}

Result<void> PgPresenceSyncStore::delete_subscription(const std::string& id) {
  auto conn = db_.lock();
  return pg_done(conn.query(sql::kDeleteSubscription, {id}));
}

Result<std::vector<PresenceSubscriptionRecord>> PgPresenceSyncStore::list_subscriptions(OrgId org) {
  auto conn = db_.lock();
  return pg_all_rows(conn.query(sql::kSelectSubscriptionsOfOrg, {org.value}), read_subscription);
}

Result<std::vector<PresenceSubscriptionRecord>> PgPresenceSyncStore::list_all_subscriptions() {
  auto conn = db_.lock();
  return pg_all_rows(conn.query(sql::kSelectAllSubscriptions), read_subscription);
}

// ---- Notification keyring --------------------------------------------------------------------

Result<std::optional<std::string>> PgPresenceSyncStore::load_keyring() {
  auto conn = db_.lock();
  auto rows = conn.query(sql::kSelectKeyring);
  if (!rows) return std::move(rows).error();
  if (rows->empty()) return std::optional<std::string>{};
  return std::optional<std::string>{rows->text(0, 0)};
}

Result<void> PgPresenceSyncStore::save_keyring(const std::string& sealed, Timestamp at) {
  auto conn = db_.lock();
  return pg_done(conn.query(sql::kUpsertKeyring, {sealed, to_unix_millis(at)}));
}

}  // namespace ccteams::store
