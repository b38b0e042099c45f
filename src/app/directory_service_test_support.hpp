#pragma once
// The DirectoryService fixture shared by directory_service_test.cpp and
// directory_service_time_test.cpp: a scripted tenant (FakeDirectoryGraph), an in-memory store,
// simulated time, each organisation on its strand (OrgActors).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <stdexcept>

#include "app/directory_service.hpp"
#include "app/testing/fake_directory_graph.hpp"
#include "app/testing/in_memory_directory_store.hpp"
#include "app/testing/test_store.hpp"
#include "app/testing/simulated_time.hpp"

namespace ccteams::directory_test {

namespace asio = boost::asio;
using namespace std::chrono_literals;

inline const Timestamp kT0 = from_unix_millis(1'790'000'000'000);
inline const OrgId kOrg{7};

inline GraphUser graph_user(const std::string& id, const std::string& given,
                            const std::string& surname, const std::string& department,
                            std::vector<std::string> phones = {"+1 425 555 0100"}) {
  GraphUser u;
  u.id = id;
  u.display_name = given + " " + surname;
  u.given_name = given;
  u.surname = surname;
  u.mail = given + "." + surname + "@contoso.example";
  u.user_principal_name = *u.mail;
  u.job_title = department + " Specialist";
  u.department = department;
  u.business_phones = std::move(phones);
  u.account_enabled = true;
  return u;
}

class DirectoryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    graph_.put(graph_user("u1", "Ada", "Billings", "Sales"));
    graph_.put(graph_user("u2", "Ben", "Moore", "Billing"));
    graph_.put(graph_user("u3", "Cleo", "Ng", "Billing", {}));
    graph_.put(graph_user("u4", "Dan", "Ortiz", "Support", {"555-0100 ext 4"}));
    graph_.put(graph_user("u5", "Eve", "Park", "Billing"));
    connector_ = ActiveConnector{"tid-1", true, true, {}};
    make_service();
  }
  void make_service(DirectoryServiceOptions options = {}) {
    service_.reset();
    service_ = std::make_unique<DirectoryService>(
        actors_, port_, graph_, time_, time_,
        [this](OrgId) -> asio::awaitable<Result<ActiveConnector>> {
          if (!connector_) co_return make_error(Errc::conflict, "not active");
          co_return *connector_;
        },
        [this]() -> asio::awaitable<Result<std::vector<OrgId>>> {
          if (!connector_) co_return std::vector<OrgId>{};
          co_return std::vector<OrgId>{kOrg};
        },
        std::move(options));
  }

  // Starts aw; `out` holds its result once it has finished.
  template <class T>
  void spawn(asio::awaitable<T> aw, std::optional<T>& out) {
    auto body = [&out, a = std::move(aw)]() mutable -> asio::awaitable<void> {
      out.emplace(co_await std::move(a));
    };
    asio::co_spawn(ioc_, std::move(body), asio::detached);
  }
  // Runs the ready work, then simulated time from timer to timer until done() (a Graph call
  // with latency is a timer); throws when nothing is left to run and it is still not done.
  void settle(const std::function<bool()>& done) {
    testing::SimulatedTime::drain(ioc_);
    while (!done()) {
      auto next = time_.next_deadline();
      if (!next) throw std::runtime_error("the call waits for something that never comes");
      time_.run_for(ioc_, std::chrono::duration_cast<Millis>(*next - time_.now()));
    }
  }
  template <class T>
  T run(asio::awaitable<T> aw) {
    std::optional<T> out;
    spawn(std::move(aw), out);
    settle([&out] { return out.has_value(); });
    return std::move(*out);
  }
  void run_void(asio::awaitable<void> aw) {
    bool done = false;
    auto body = [&done, a = std::move(aw)]() mutable -> asio::awaitable<void> {
      co_await std::move(a);
      done = true;
    };
    asio::co_spawn(ioc_, std::move(body), asio::detached);
    settle([&done] { return done; });
  }

  Caller caller(RoleSet roles = RoleSet{Role::agent}) const {
    Caller c;
    c.user_id = UserId{1};
    c.org_id = kOrg;
    c.username = "ann";
    c.roles = roles;
    return c;
  }
  DirectorySearchResult search(const std::string& q, const std::string& department = {}) {
    DirectoryQuery query;
    query.text = q;
    query.department = department;
    auto r = run(service_->search(caller(), query));
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : DirectorySearchResult{};
  }
  std::vector<std::string> ids(const DirectorySearchResult& r) {
    std::vector<std::string> out;
    for (const auto& i : r.items) out.push_back(i.hit.user.user.id);
    return out;
  }
  DirectorySyncReport sync() {
    auto r = run(service_->sync(kOrg));
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : DirectorySyncReport{};
  }
  std::size_t mirrored() { return run(service_->mirrored_users(kOrg)); }
  // Starts a sync whose every Graph call answers `latency` later; `out` gets its result.
  void start_slow_sync(Millis latency, std::optional<Result<DirectorySyncReport>>& out) {
    graph_.set_latency(time_, time_, latency);
    spawn(service_->sync(kOrg), out);
  }
  // The sync ended in conflict and left nothing behind: no store write since writes_before,
  // no sync state, an empty mirror.
  void expect_dropped(const std::optional<Result<DirectorySyncReport>>& out, int writes_before) {
    ASSERT_TRUE(out);
    ASSERT_FALSE(*out);
    EXPECT_EQ(out->error().code, Errc::conflict);
    EXPECT_EQ(store_.writes, writes_before);
    EXPECT_FALSE(store_.sync_state(kOrg)->has_value());
    EXPECT_EQ(mirrored(), 0u);
  }
  void TearDown() override {
    service_->stop();
    testing::SimulatedTime::drain(ioc_);
  }

  asio::io_context ioc_;
  testing::SimulatedTime time_{kT0};
  OrgActors actors_{ioc_.get_executor()};
  testing::FakeDirectoryGraph graph_;
  testing::InMemoryDirectoryStore store_;
  testing::TestStore port_{testing::TestStores{.directory = &store_}};
  std::optional<ActiveConnector> connector_;
  std::unique_ptr<DirectoryService> service_;
};
}  // namespace ccteams::directory_test
