#include "adapters/store/sqlite_presence_sync_store.hpp"

#include <algorithm>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "adapters/store/inbox_batch_json.hpp"
#include "adapters/store/sqlite_db.hpp"
#include "adapters/store/sqlite_presence_sync_sql.hpp"
#include "adapters/store/sqlite_rows.hpp"

namespace ccteams::store {
namespace asio = boost::asio;
namespace json = boost::json;
namespace sql = presence_sync_sql;

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

std::string_view kind_name(InboxKind k) { return k == InboxKind::lifecycle ? "lifecycle" : "change"; }

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

PresenceSubscriptionRecord read_subscription(const Statement& st) {
  PresenceSubscriptionRecord r;
  r.id = st.column_text(0);
  r.org = OrgId{st.column_int64(1)};
  r.account_id = SyncAccountId{st.column_int64(2)};
  r.user_ids = decode_user_ids(st.column_text(3));
  r.expiration = from_unix_millis(st.column_int64(4));
  r.client_state_sha256 = st.column_text(5);
  r.include_resource_data = st.column_int64(6) != 0;
  r.health = health_from(st.column_text(7));
  r.created_at = from_unix_millis(st.column_int64(8));
  r.certificate_id = st.column_text(9);
  return r;
}

InboxEntry read_entry(const Statement& st) {
  InboxEntry e;
  e.seq = st.column_int64(0);
  e.org = OrgId{st.column_int64(1)};
  e.kind = st.column_text(2) == "lifecycle" ? InboxKind::lifecycle : InboxKind::change;
  e.received_at = from_unix_millis(st.column_int64(3));
  auto batch = decode_inbox_batch(st.column_text(4));
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

// ---- Waiters ---------------------------------------------------------------------------------

struct SqlitePresenceSyncStore::Waiter {
  virtual ~Waiter() = default;
  // Called once, on the writer thread, after the entry's transaction ended.
  virtual void complete(Result<std::int64_t> result) = 0;
};

// Holds the awaiting coroutine's completion handler and a copy of its executor that counts as
// outstanding work, so that the io_context does not run out of work while the entry waits for
// its commit. Teardown order matters: the writer thread must drop every executor it holds
// (a strand's copy unlinks itself from the io_context's strand service) while that work is
// still counted, or the io_context can be destroyed first (its run() returns as soon as the
// count reaches zero). A tracked strand releases its implementation before its inner tracked
// executor ends the work, and `work` is the last member destroyed: the handler (moved out by
// complete()) goes first.
template <class Handler>
struct SqlitePresenceSyncStore::HandlerWaiter final : SqlitePresenceSyncStore::Waiter {
  using Work = std::decay_t<decltype(asio::prefer(
      std::declval<asio::associated_executor_t<Handler>>(),
      asio::execution::outstanding_work.tracked))>;

  explicit HandlerWaiter(Handler h)
      : work(asio::prefer(asio::get_associated_executor(h),
                          asio::execution::outstanding_work.tracked)),
        handler(std::move(h)) {}

  void complete(Result<std::int64_t> result) override {
    // Resume the coroutine on its own executor (its strand), never on the writer thread.
    asio::post(work, [h = std::move(handler), r = std::move(result)]() mutable {
      std::move(h)(std::move(r));
    });
  }

  Work work;
  Handler handler;
};

// ---- Lifetime --------------------------------------------------------------------------------

SqlitePresenceSyncStore::SqlitePresenceSyncStore(SqliteDb& db, PresenceSyncStoreOptions options)
    : db_(db), options_(options) {
  if (options_.max_entries_per_commit == 0) options_.max_entries_per_commit = 1;
  {
    auto conn = db_.lock();
    if (auto st = conn.prepare(sql::kReadSynchronous)) {
      auto row = st->step();
      // 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
      synchronous_full_ = row && *row && st->column_int64(0) >= 2;
    }
  }
  if (!synchronous_full_ && db_.path() != ":memory:") {
    spdlog::warn("presence inbox: the database does not fsync every commit (synchronous is not "
                 "FULL); acknowledged notifications may be lost on power loss");
  }
  writer_ = std::thread([this] { writer_loop(); });
}

SqlitePresenceSyncStore::~SqlitePresenceSyncStore() { stop(); }

void SqlitePresenceSyncStore::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (writer_.joinable()) writer_.join();
}

// ---- Inbox -----------------------------------------------------------------------------------

asio::awaitable<Result<std::int64_t>> SqlitePresenceSyncStore::append(InboxEntry entry) {
  Pending p;
  p.org = entry.org;
  p.kind = entry.kind;
  p.received_at = entry.received_at;
  // Encoded here, on the caller's thread: the writer thread does only SQL.
  p.body = encode_inbox_batch(entry.batch);
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable),
                                          void(Result<std::int64_t>)>(
      [this](auto handler, Pending pending) {
        pending.waiter = std::make_unique<HandlerWaiter<decltype(handler)>>(std::move(handler));
        enqueue(std::move(pending));
      },
      asio::use_awaitable, std::move(p));
}

void SqlitePresenceSyncStore::enqueue(Pending pending) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(pending));
      submitted_.fetch_add(1, std::memory_order_relaxed);
      wake_.notify_one();
      return;
    }
  }
  pending.waiter->complete(make_error(Errc::unavailable, "the presence inbox is shutting down"));
}

void SqlitePresenceSyncStore::writer_loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued was written
    std::vector<Pending> batch;
    const std::size_t n = std::min(queue_.size(), options_.max_entries_per_commit);
    batch.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    auto results = write_batch(batch);
    // After the database lock is released: a resumed coroutine may use the store at once.
    // Each waiter is destroyed right after its completion is posted, on this thread, while its
    // tracked executor still holds the io_context (see HandlerWaiter).
    for (std::size_t i = 0; i < batch.size(); ++i) {
      batch[i].waiter->complete(std::move(results[i]));
      batch[i].waiter.reset();
    }
    lock.lock();
  }
}

std::vector<Result<std::int64_t>> SqlitePresenceSyncStore::write_batch(
    const std::vector<Pending>& batch) {
  auto fail_all = [&](const Error& e) {
    return std::vector<Result<std::int64_t>>(batch.size(), Result<std::int64_t>(e));
  };
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return fail_all(tx.error());
  std::vector<Result<std::int64_t>> results;
  results.reserve(batch.size());
  std::uint64_t stored = 0;
  for (const auto& p : batch) {
    auto st = conn.prepare(sql::kInsertInboxEntry);
    if (!st) return fail_all(st.error());
    st->bind_int64(1, p.org.value).bind_text(2, kind_name(p.kind));
    st->bind_int64(3, to_unix_millis(p.received_at)).bind_text(4, p.body);
    if (auto r = st->run(); !r) {
      // A failed statement normally leaves the transaction open (the organisation's foreign
      // key: only this entry is refused); I/O or full-disk errors roll it back, taking the
      // entries before this one with it.
      if (!conn.in_transaction()) return fail_all(r.error());
      results.emplace_back(r.error().code == Errc::conflict ? no_such_org() : r.error());
      continue;
    }
    results.emplace_back(conn.last_insert_rowid());
    ++stored;
  }
  if (auto c = tx->commit(); !c) return fail_all(c.error());
  commits_.fetch_add(1, std::memory_order_relaxed);
  appended_.fetch_add(stored, std::memory_order_relaxed);
  return results;
}

Result<std::vector<InboxEntry>> SqlitePresenceSyncStore::pending(OrgId org, std::size_t limit) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectPending);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  st->bind_int64(2, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
  return read_all_rows(*st, read_entry);
}

Result<std::vector<OrgId>> SqlitePresenceSyncStore::orgs_with_pending() {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectOrgsWithPending);
  if (!st) return std::move(st).error();
  return read_all_rows(*st, [](const Statement& s) { return OrgId{s.column_int64(0)}; });
}

Result<void> SqlitePresenceSyncStore::remove(OrgId org, const std::vector<std::int64_t>& seqs) {
  if (seqs.empty()) return ok();
  auto conn = db_.lock();
  auto tx = conn.begin();
  if (!tx) return std::move(tx).error();
  for (auto seq : seqs) {
    auto st = conn.prepare(sql::kDeleteInboxEntry);
    if (!st) return std::move(st).error();
    st->bind_int64(1, org.value).bind_int64(2, seq);
    if (auto r = st->run(); !r) return r;
  }
  return tx->commit();
}

Result<void> SqlitePresenceSyncStore::clear(OrgId org) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kDeleteInboxOfOrg);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  return st->run();
}

// ---- Subscriptions ---------------------------------------------------------------------------

Result<void> SqlitePresenceSyncStore::put_subscription(const PresenceSubscriptionRecord& r) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kUpsertSubscription);
  if (!st) return std::move(st).error();
  st->bind_text(1, r.id).bind_int64(2, r.org.value).bind_int64(3, r.account_id.value);
  st->bind_text(4, encode_user_ids(r.user_ids)).bind_int64(5, to_unix_millis(r.expiration));
  st->bind_text(6, r.client_state_sha256).bind_int64(7, r.include_resource_data ? 1 : 0);
  st->bind_text(8, health_name(r.health)).bind_int64(9, to_unix_millis(r.created_at));
  st->bind_text(10, r.certificate_id);
  if (auto res = st->run(); !res) {
    // The id conflict is handled by ON CONFLICT: what remains is the organisation's key.
    if (res.error().code == Errc::conflict) return no_such_org();
    return res;
  }
  return ok();
}

Result<void> SqlitePresenceSyncStore::delete_subscription(const std::string& id) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kDeleteSubscription);
  if (!st) return std::move(st).error();
  st->bind_text(1, id);
  return st->run();
}

Result<std::vector<PresenceSubscriptionRecord>> SqlitePresenceSyncStore::list_subscriptions(
    OrgId org) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectSubscriptionsOfOrg);
  if (!st) return std::move(st).error();
  st->bind_int64(1, org.value);
  return read_all_rows(*st, read_subscription);
}

Result<std::vector<PresenceSubscriptionRecord>> SqlitePresenceSyncStore::list_all_subscriptions() {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectAllSubscriptions);
  if (!st) return std::move(st).error();
  return read_all_rows(*st, read_subscription);
}

// ---- Notification keyring --------------------------------------------------------------------

Result<std::optional<std::string>> SqlitePresenceSyncStore::load_keyring() {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kSelectKeyring);
  if (!st) return std::move(st).error();
  auto row = st->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<std::string>{};
  return std::optional<std::string>{st->column_text(0)};
}

Result<void> SqlitePresenceSyncStore::save_keyring(const std::string& sealed, Timestamp at) {
  auto conn = db_.lock();
  auto st = conn.prepare(sql::kUpsertKeyring);
  if (!st) return std::move(st).error();
  st->bind_text(1, sealed).bind_int64(2, to_unix_millis(at));
  return st->run();
}

}  // namespace ccteams::store
