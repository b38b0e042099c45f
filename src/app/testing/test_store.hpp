#pragma once
// The Store port over in-memory stores, for app-layer unit tests. Each job runs on the awaiting
// coroutine's own executor after a post, so that a store call is a real suspension point (as on
// the production store's thread): other work of the same strand can run meanwhile, and a test
// that forgets that shows it. A store the test did not give is a test bug (asserts).
// Not thread-safe, like the in-memory stores: one thread runs the test's io_context.

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cassert>
#include <cstddef>
#include <functional>
#include <utility>

#include "app/ports/store.hpp"

namespace ccteams::testing {

struct TestStores {
  AccountStore* accounts = nullptr;
  ConnectorStore* connectors = nullptr;
  ContactCenterStore* contact_center = nullptr;
  DirectoryStore* directory = nullptr;
  PresenceSubscriptionStore* subscriptions = nullptr;
  PresenceInbox* inbox = nullptr;
  NotificationKeyStore* notification_keys = nullptr;
  SyncAccountStore* sync_accounts = nullptr;
};

class TestStore final : public Store, public Stores {
 public:
  explicit TestStore(TestStores stores) : s_(stores) {}

  // Jobs started so far (run and post).
  std::size_t jobs() const { return jobs_; }

  // Runs every run() and read() job twice, as PostgreSQL does when it rolls a job back for a
  // conflict with another (store.hpp: "A job may run more than once"): save() before the first
  // run, restore() after it, so the second run starts from the same stores and only its
  // writes and its result last. Both empty (the default): each job runs once.
  struct Rerun {
    std::function<void()> save;
    std::function<void()> restore;
  };
  void rerun_every_job(Rerun rerun) { rerun_ = std::move(rerun); }
  // Jobs run a second time so far.
  std::size_t reruns() const { return reruns_; }

  // Store. A posted job runs at once, on the caller's thread (upkeep a simulated timer starts
  // is then done when the test's time passes its deadline).
  void post(std::function<void(Stores&)> job) override {
    ++jobs_;
    job(*this);
  }
  int schema_version() const override { return 1; }

  // Stores
  AccountStore& accounts() override { return need(s_.accounts); }
  ConnectorStore& connectors() override { return need(s_.connectors); }
  ContactCenterStore& contact_center() override { return need(s_.contact_center); }
  DirectoryStore& directory() override { return need(s_.directory); }
  PresenceSubscriptionStore& subscriptions() override { return need(s_.subscriptions); }
  PresenceInbox& inbox() override { return need(s_.inbox); }
  NotificationKeyStore& notification_keys() override { return need(s_.notification_keys); }
  SyncAccountStore& sync_accounts() override { return need(s_.sync_accounts); }

 protected:
  boost::asio::awaitable<void> run_job(Job job) override {
    ++jobs_;
    auto ex = co_await boost::asio::this_coro::executor;
    co_await boost::asio::post(ex, boost::asio::use_awaitable);
    if (rerun_.save && rerun_.restore) {
      rerun_.save();
      job.work(*this);
      rerun_.restore();
      ++reruns_;
    }
    job.work(*this);
  }
  Result<void> ping_on_executor() override { return ok(); }

 private:
  template <class T>
  static T& need(T* store) {
    assert(store != nullptr && "this test gave the TestStore no such store");
    return *store;
  }

  TestStores s_;
  std::size_t jobs_ = 0;
  Rerun rerun_;
  std::size_t reruns_ = 0;
};

}  // namespace ccteams::testing
