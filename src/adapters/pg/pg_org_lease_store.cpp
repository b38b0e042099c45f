#include "adapters/pg/pg_org_lease_store.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <optional>
#include <utility>

#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_lease_sql.hpp"
#include "adapters/pg/pg_rows.hpp"

namespace ccteams {

namespace asio = boost::asio;

namespace {

OrgLease read_lease(const store::PgRows& rows, int r) {
  return OrgLease{OrgId{rows.int64(r, 0)}, rows.text(r, 1), rows.int64(r, 2),
                  from_unix_millis(rows.int64(r, 3))};
}

OrgId read_org(const store::PgRows& rows, int r) { return OrgId{rows.int64(r, 0)}; }

}  // namespace

struct PgOrgLeaseStore::Impl {
  explicit Impl(const PgOrgLeaseStoreOptions& options)
      : db(store::PgDb::deferred(options.conninfo, options.password)) {
    (void)db->set_session_setup("SET lock_timeout = " +
                                std::to_string(options.lock_timeout.count()));
  }
  // Runs fn(connection) on the lease thread; the caller resumes on its own executor. Callers
  // name fn and the awaitable before co_await: GCC 12 may destroy temporaries of a co_await
  // expression twice.
  template <class R, class Fn>
  asio::awaitable<R> on_thread(Fn fn) {
    std::optional<R> out;  // R has no default value for co_spawn's result to start from
    auto work = [this, &fn, &out]() -> asio::awaitable<void> {
      auto conn = db->lock();  // the outermost lock makes a lost connection again
      db->clear_flags();
      out.emplace(fn(conn));
      co_return;
    };
    auto op = asio::co_spawn(thread, work, asio::use_awaitable);
    co_await std::move(op);
    co_return std::move(*out);
  }

  asio::thread_pool thread{1};
  std::unique_ptr<store::PgDb> db;
  std::mutex mu;
  std::string internal_url;  // guarded by mu
};

PgOrgLeaseStore::PgOrgLeaseStore(const PgOrgLeaseStoreOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}

PgOrgLeaseStore::~PgOrgLeaseStore() { impl_->thread.join(); }

asio::awaitable<Result<std::vector<OrgId>>> PgOrgLeaseStore::claimable() {
  auto fn = [](store::PgConnection& conn) {
    return store::pg_all_rows(conn.query(store::kClaimableOrganisations), read_org);
  };
  auto op = impl_->on_thread<Result<std::vector<OrgId>>>(std::move(fn));
  co_return co_await std::move(op);
}

asio::awaitable<Result<std::optional<OrgLease>>> PgOrgLeaseStore::acquire(OrgId org,
                                                                          std::string owner,
                                                                          Millis ttl) {
  auto fn = [org, owner = std::move(owner),
             ttl](store::PgConnection& conn) -> Result<std::optional<OrgLease>> {
    auto rows = conn.query(store::kAcquireLease, {org.value, owner, ttl.count()});
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return std::optional<OrgLease>{};
    return std::optional<OrgLease>{read_lease(*rows, 0)};
  };
  auto op = impl_->on_thread<Result<std::optional<OrgLease>>>(std::move(fn));
  co_return co_await std::move(op);
}

asio::awaitable<Result<std::vector<OrgLease>>> PgOrgLeaseStore::renew(std::string owner,
                                                                      std::vector<HeldLease> held,
                                                                      Millis ttl) {
  std::vector<std::int64_t> orgs;
  std::vector<std::int64_t> tokens;
  for (const HeldLease& h : held) {
    orgs.push_back(h.org.value);
    tokens.push_back(h.token);
  }
  auto fn = [owner = std::move(owner), ttl, orgs = store::pg_int_array(orgs),
             tokens = store::pg_int_array(tokens)](store::PgConnection& conn) {
    return store::pg_all_rows(conn.query(store::kRenewLeases, {owner, ttl.count(), orgs, tokens}),
                              read_lease);
  };
  auto op = impl_->on_thread<Result<std::vector<OrgLease>>>(std::move(fn));
  co_return co_await std::move(op);
}

asio::awaitable<Result<void>> PgOrgLeaseStore::release(LeaseFence fence) {
  auto fn = [fence = std::move(fence)](store::PgConnection& conn) {
    return store::pg_done(
        conn.query(store::kReleaseLease, {fence.org.value, fence.owner, fence.token}));
  };
  auto op = impl_->on_thread<Result<void>>(std::move(fn));
  co_return co_await std::move(op);
}

asio::awaitable<Result<std::vector<OrgLease>>> PgOrgLeaseStore::list() {
  auto fn = [](store::PgConnection& conn) {
    return store::pg_all_rows(conn.query(store::kListLeases), read_lease);
  };
  auto op = impl_->on_thread<Result<std::vector<OrgLease>>>(std::move(fn));
  co_return co_await std::move(op);
}

asio::awaitable<Result<ClusterView>> PgOrgLeaseStore::heartbeat(std::string owner, Millis ttl) {
  std::string url;
  {
    std::lock_guard lock(impl_->mu);
    url = impl_->internal_url;
  }
  auto fn = [owner = std::move(owner), ttl, url = std::move(url)](store::PgConnection& conn) {
    return store::pg_one_row(
        conn.query(store::kHeartbeat, {owner, ttl.count(), url}),
        [](const store::PgRows& rows, int r) {
          return ClusterView{static_cast<std::size_t>(rows.int64(r, 0)),
                             static_cast<std::size_t>(rows.int64(r, 1))};
        },
        make_error(Errc::internal, "the heartbeat returned no row"));
  };
  auto op = impl_->on_thread<Result<ClusterView>>(std::move(fn));
  co_return co_await std::move(op);
}

asio::awaitable<Result<void>> PgOrgLeaseStore::leave(std::string owner) {
  auto fn = [owner = std::move(owner)](store::PgConnection& conn) {
    return store::pg_done(conn.query(store::kLeaveCluster, {owner}));
  };
  auto op = impl_->on_thread<Result<void>>(std::move(fn));
  co_return co_await std::move(op);
}

void PgOrgLeaseStore::advertise(std::string internal_url) {
  std::lock_guard lock(impl_->mu);
  impl_->internal_url = std::move(internal_url);
}

asio::awaitable<Result<std::optional<std::string>>> PgOrgLeaseStore::owner_url(
    OrgId org, std::string not_owner) {
  auto fn = [org, not_owner = std::move(not_owner)](
                store::PgConnection& conn) -> Result<std::optional<std::string>> {
    auto rows = conn.query(store::kOwnerInternalUrl, {org.value, not_owner});
    if (!rows) return std::move(rows).error();
    if (rows->empty()) return std::optional<std::string>{};
    return std::optional<std::string>{rows->text(0, 0)};
  };
  auto op = impl_->on_thread<Result<std::optional<std::string>>>(std::move(fn));
  co_return co_await std::move(op);
}

}  // namespace ccteams
