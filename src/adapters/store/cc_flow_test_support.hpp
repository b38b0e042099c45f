#pragma once
// Test fixture for ContactCenter (app) on the real SQLite store: a fake clock, a hand-driven
// scheduler, an organisation with a queue, a desktop profile (RONA 5 s, wrap-up 10 s) and three
// agents, and another organisation. Shared by the sqlite_contact_center_*_test.cpp files.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <exception>
#include <mutex>
#include <optional>

#include "adapters/http/api/cc_json.hpp"
#include "adapters/store/sqlite_contact_center_store.hpp"
#include "adapters/store/sqlite_store.hpp"
#include "adapters/store/sqlite_test_support.hpp"
#include "app/cc_config_service.hpp"
#include "app/contact_center.hpp"
#include "app/org_actors.hpp"
#include "app/testing/fake_clock.hpp"

namespace ccteams::store::cc_flow {

inline const Timestamp kT0 = from_unix_millis(1'790'000'000'000);

// Timers fire only when the test says so (run_due), never inline in schedule().
class ManualScheduler final : public Scheduler {
 public:
  struct Entry {
    Timestamp deadline;
    std::function<void()> fn;
    std::shared_ptr<bool> cancelled;
  };
  class Handle final : public TimerHandle {
   public:
    explicit Handle(std::shared_ptr<bool> c) : c_(std::move(c)) {}
    ~Handle() override { cancel(); }
    void cancel() override { *c_ = true; }

   private:
    std::shared_ptr<bool> c_;
  };
  std::unique_ptr<TimerHandle> schedule(Timestamp deadline, std::function<void()> fn) override {
    auto c = std::make_shared<bool>(false);
    entries_.push_back({deadline, std::move(fn), c});
    return std::make_unique<Handle>(c);
  }
  // Runs every live timer due at now; returns how many ran.
  int run_due(Timestamp now) {
    std::vector<Entry> due;
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (*it->cancelled) {
        it = entries_.erase(it);
      } else if (it->deadline <= now) {
        due.push_back(std::move(*it));
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& e : due) e.fn();
    return static_cast<int>(due.size());
  }

 private:
  std::vector<Entry> entries_;
};

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

class FlowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = SqliteStore::open(dir_.file("cc.db"));
    ASSERT_TRUE(s) << s.error().message;
    sqlite_ = std::move(*s);
    cc_ = std::make_unique<SqliteContactCenterStore>(sqlite_->db());
    config_ = std::make_unique<CcConfigService>(sqlite_->accounts(), *cc_);
    org_ = sqlite_->accounts().create_org("A", kT0)->id;
    other_ = sqlite_->accounts().create_org("B", kT0)->id;
    queue_ = config_->create_queue(org_, "Sales")->id;
    lunch_ = config_->create_idle_code(org_, "Lunch", true)->id;
    DesktopProfile p;
    p.name = "P";
    p.rona_timeout_seconds = 5;
    p.wrap_up_seconds = 10;
    profile_ = config_->create_desktop_profile(org_, p)->id;
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

  void start_center() {
    center_.reset();
    center_ = std::make_unique<ContactCenter>(actors_, *cc_, sqlite_->accounts(), clock_,
                                              scheduler_, hub_, event_json_);
  }

  // A contact-center call awaited from outside the strands, as HTTP handlers do.
  template <class T>
  T run(boost::asio::awaitable<T> op) {
    return run_on(io_, std::move(op));
  }
  // Runs whatever was handed to the strands (timer callbacks, recover()'s loads).
  void drain() {
    io_.restart();
    io_.run();
  }
  // recover(), then its loads on the organisations' strands.
  Result<void> recover() {
    auto r = center_->recover();
    drain();
    return r;
  }
  // fn on org's strand (the presence-sync calls require it), run to completion.
  template <class Fn>
  auto on_strand(OrgId org, Fn fn) -> decltype(fn()) {
    using R = decltype(fn());
    std::optional<R> out;
    boost::asio::post(actors_.strand(org), [&] { out.emplace(fn()); });
    drain();
    return std::move(*out);
  }

  UserId add_agent(OrgId org, const std::string& name) {
    UserAccount u;
    u.org_id = org;
    u.username = name;
    u.display_name = name;
    u.roles = RoleSet{Role::agent};
    u.password_hash = "x";
    u.created_at = kT0;
    const UserId id = sqlite_->accounts().create_user(u)->id;
    if (org == org_) {
      AgentChanges c;
      c.desktop_profile = std::optional<DesktopProfileId>{profile_};
      c.queues = std::vector<QueueId>{queue_};
      EXPECT_TRUE(config_->put_agent(org, id, c));
    }
    return id;
  }

  // Timer callbacks post to the organisation's strand: run them there too.
  void advance(Millis d) {
    clock_.advance(d);
    scheduler_.run_due(clock_.now());
    drain();
  }

  std::vector<std::string> types_seen() {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (auto& e : seen_) out.push_back(e.type);
    return out;
  }

  boost::asio::io_context io_;
  OrgActors actors_{io_.get_executor()};
  testing::TempDir dir_;  // a file, not :memory:, like production (WAL, reopen)
  FakeClock clock_{kT0};
  ManualScheduler scheduler_;
  CcEventHub hub_;
  http::CcEventJson event_json_;
  std::unique_ptr<SqliteStore> sqlite_;
  std::unique_ptr<SqliteContactCenterStore> cc_;
  std::unique_ptr<CcConfigService> config_;
  std::unique_ptr<ContactCenter> center_;
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
