#pragma once
// Test fixtures for ContactCenter (app) on a real store, once per backend (TEST_P over SQLite in
// a temporary directory and PostgreSQL in a database of its own: there is no in-memory
// contact-center store), on simulated time (testing::SimulatedTime: the clock and the
// scheduler; timers run when the test moves time). Every store job runs on the test's
// io_context (both stores' jobs_on_caller), so "nothing more is ready" means it. CcFixture:
// the store, the configuration service and the center; FlowTest adds an organisation with a
// queue, a desktop profile (RONA 5 s, wrap-up 10 s) and three agents, and another
// organisation. Shared by the contact_center_*_test.cpp files, which instantiate their suites
// with CC_FLOW_BACKENDS.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <exception>
#include <mutex>
#include <optional>

#include "adapters/http/api/cc_json.hpp"
#include "adapters/store/store_backends_test_support.hpp"
#include "app/cc_config_service.hpp"
#include "app/contact_center.hpp"
#include "app/org_actors.hpp"
#include "app/testing/run_awaitable.hpp"
#include "app/testing/simulated_time.hpp"

namespace ccteams::store {
// The configuration service's awaitable calls, from plain test code.
using ccteams::testing::run_awaitable;
}  // namespace ccteams::store

namespace ccteams::store::cc_flow {

inline const Timestamp kT0 = from_unix_millis(1'790'000'000'000);

// Runs op to completion on io (the contact center's strands run there) and returns its result.
template <class T>
T run_on(boost::asio::io_context& io, boost::asio::awaitable<T> op) {
  std::optional<T> out;
  std::exception_ptr failed;
  boost::asio::co_spawn(
      io,
      [&out, op = std::move(op)]() mutable -> boost::asio::awaitable<void> {
        out.emplace(co_await std::move(op));
      },
      [&failed](std::exception_ptr e) { failed = e; });
  io.restart();
  io.run();
  if (failed) std::rethrow_exception(failed);
  return std::move(*out);
}

// One agent state, or one event, written the only way the store writes them: a commit.
inline Result<void> put_state(ContactCenterStore& cc, OrgId org, const AgentState& s) {
  auto r = cc.commit(org, CcCommit{{}, {s}, {}});
  if (!r) return std::move(r).error();
  return ok();
}
inline Result<CcEventRecord> append_one(ContactCenterStore& cc, OrgId org,
                                        std::optional<UserId> agent, const std::string& type,
                                        Timestamp at, const std::string& body_without_seq) {
  auto r = cc.commit(org, CcCommit{{}, {}, {NewCcEvent{agent, type, at, body_without_seq}}});
  if (!r) return std::move(r).error();
  return r->at(0);
}

// Instantiates a suite of CcFixture's tests once per backend.
#define CC_FLOW_BACKENDS(Suite)                                                      \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite, ::ccteams::store::testing::kAllBackends, \
                           ::ccteams::store::testing::backend_name)

class CcFixture : public ::testing::TestWithParam<testing::StoreBackend> {
 protected:
  void SetUp() override {
    ASSERT_EQ(backend_.open(/*jobs_on_caller=*/true), "");  // simulated time: jobs run on io_
    cc_ = &backend_.stores().contact_center();
    config_ = std::make_unique<CcConfigService>(backend_.store(), [this](OrgId org) {
      if (center_) center_->config_changed(org);
    });
  }

  // A new process: nothing in memory, the old timers gone (their handles die with the center).
  // ownership: the organisations it serves (with [cluster], the leases it holds).
  void start_center(const OrgOwnership& ownership = OrgOwnership::every_org()) {
    center_.reset();
    center_ = std::make_unique<ContactCenter>(actors_, backend_.store(), time_, time_, hub_,
                                              event_json_, ContactCenterOptions{}, ownership);
  }
  // The synchronous side of the store (each call its own transaction).
  Stores& stores() { return backend_.stores(); }

  // A contact-center call awaited from outside the strands, as HTTP handlers do.
  template <class T>
  T run(boost::asio::awaitable<T> op) {
    return run_on(io_, std::move(op));
  }
  // Runs whatever was handed to the strands (timer callbacks, recover()'s loads).
  void drain() { ccteams::testing::SimulatedTime::drain(io_); }
  // recover(), then its loads on the organisations' strands.
  void recover() {
    center_->recover();
    drain();
  }
  // The awaitable fn() makes, awaited on org's strand (the presence-sync calls require it),
  // run to completion.
  template <class Fn>
  auto on_strand(OrgId org, Fn fn) -> typename decltype(fn())::value_type {
    using R = typename decltype(fn())::value_type;
    std::optional<R> out;
    auto body = [&]() -> boost::asio::awaitable<void> { out.emplace(co_await fn()); };
    boost::asio::co_spawn(actors_.strand(org), body, boost::asio::detached);
    drain();
    return std::move(*out);
  }
  // Moves simulated time by d; each timer due on the way runs at its deadline, and what it
  // posts to an organisation's strand runs before time moves on.
  void advance(Millis d) { time_.run_for(io_, d); }

  // An agent account of org, on profile's desktop and queue's queue when given.
  UserId add_agent(OrgId org, const std::string& name, std::optional<DesktopProfileId> profile,
                   std::optional<QueueId> queue) {
    UserAccount u;
    u.org_id = org;
    u.username = name;
    u.display_name = name;
    u.roles = RoleSet{Role::agent};
    u.password_hash = "x";
    u.created_at = kT0;
    const UserId id = stores().accounts().create_user(u)->id;
    if (profile || queue) {
      AgentChanges c;
      if (profile) c.desktop_profile = std::optional<DesktopProfileId>{*profile};
      if (queue) c.queues = std::vector<QueueId>{*queue};
      EXPECT_TRUE(run_awaitable(config_->put_agent(org, id, c)));
    }
    return id;
  }

  testing::BackendStore backend_{GetParam()};  // SQLite: a file, not :memory:, like production
  boost::asio::io_context io_;
  OrgActors actors_{io_.get_executor()};
  ccteams::testing::SimulatedTime time_{kT0};
  CcEventHub hub_;
  http::CcEventJson event_json_;
  ContactCenterStore* cc_ = nullptr;  // the synchronous side's
  std::unique_ptr<CcConfigService> config_;
  std::unique_ptr<ContactCenter> center_;
};

class FlowTest : public CcFixture {
 protected:
  void SetUp() override {
    CcFixture::SetUp();
    if (HasFatalFailure()) return;  // the backend did not open: nothing to set up on
    org_ = stores().accounts().create_org("A", kT0)->id;
    other_ = stores().accounts().create_org("B", kT0)->id;
    queue_ = run_awaitable(config_->create_queue(org_, "Sales"))->id;
    lunch_ = run_awaitable(config_->create_idle_code(org_, "Lunch", true))->id;
    DesktopProfile p;
    p.name = "P";
    p.rona_timeout_seconds = 5;
    p.wrap_up_seconds = 10;
    profile_ = run_awaitable(config_->create_desktop_profile(org_, p))->id;
    a1_ = add_agent(org_, "a1");
    a2_ = add_agent(org_, "a2");
    a3_ = add_agent(org_, "a3");
    foreign_ = add_agent(other_, "x1");
    start_center();
    everything_ = hub_.subscribe({org_, std::nullopt, [this](const CcEventRecord& e) {
                                    std::lock_guard lock(mu_);
                                    seen_.push_back(e);
                                  }});
  }

  // An agent of org; in the main organisation on its profile and queue.
  UserId add_agent(OrgId org, const std::string& name) {
    if (org != org_) return CcFixture::add_agent(org, name, std::nullopt, std::nullopt);
    return CcFixture::add_agent(org, name, profile_, queue_);
  }

  std::vector<std::string> types_seen() {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (auto& e : seen_) out.push_back(e.type);
    return out;
  }

  OrgId org_, other_;
  QueueId queue_;
  IdleCodeId lunch_;
  DesktopProfileId profile_;
  UserId a1_, a2_, a3_, foreign_;
  CcEventHub::Token everything_ = 0;
  std::mutex mu_;
  std::vector<CcEventRecord> seen_;
};

}  // namespace ccteams::store::cc_flow
