// DirectoryService over a scripted tenant (FakeDirectoryGraph) and an in-memory store, on
// simulated time, each organisation on its strand (OrgActors): the first sync mirrors /users
// and ends on a deltaLink; delta syncs add, change, remove and drop disabled users; an expired
// delta token runs a full resync; the mirror resumes from the store; removal deletes
// everything, also under a sync waiting for Graph; a second sync meanwhile is refused; the
// showUserDetails gate hides presence and the detail fields; presence is read in bulk and
// cached for presence_ttl; Teams users resolve to E.164 parties; the schedule syncs every
// sync_interval.
#include "app/directory_service.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <stdexcept>

#include "app/testing/fake_directory_graph.hpp"
#include "app/testing/in_memory_directory_store.hpp"
#include "app/testing/simulated_time.hpp"

namespace ccteams {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);
const OrgId kOrg{7};

GraphUser graph_user(const std::string& id, const std::string& given, const std::string& surname,
                     const std::string& department, std::vector<std::string> phones = {"+1 425 555 0100"}) {
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
        actors_, store_, graph_, time_, time_,
        [this](OrgId) -> Result<ActiveConnector> {
          if (!connector_) return make_error(Errc::conflict, "not active");
          return *connector_;
        },
        [this]() -> Result<std::vector<OrgId>> {
          if (!connector_) return std::vector<OrgId>{};
          return std::vector<OrgId>{kOrg};
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
  std::optional<ActiveConnector> connector_;
  std::unique_ptr<DirectoryService> service_;
};

TEST_F(DirectoryServiceTest, FirstSyncMirrorsTheListAndEndsOnADeltaLink) {
  auto report = sync();
  EXPECT_TRUE(report.full);
  EXPECT_EQ(report.users, 5u);
  EXPECT_EQ(graph_.list_calls, 1);
  EXPECT_EQ(graph_.delta_start_calls, 1);
  auto state = *store_.sync_state(kOrg);
  ASSERT_TRUE(state);
  EXPECT_EQ(state->tenant, "tid-1");
  EXPECT_EQ(state->delta_link.rfind("delta:", 0), 0u);
  EXPECT_EQ(state->user_count, 5u);
  // Normalised once, at mirror time, with the reason when not dialable.
  auto stored = *store_.load_users(kOrg);
  for (const auto& u : stored) {
    if (u.user.id == "u2") {
      EXPECT_EQ(u.phone, "+14255550100");
    } else if (u.user.id == "u3") {
      EXPECT_EQ(u.dialability, Dialability::missing);
    } else if (u.user.id == "u4") {
      EXPECT_EQ(u.dialability, Dialability::not_e164);
    }
  }
  // The second sync follows the deltaLink.
  auto again = sync();
  EXPECT_FALSE(again.full);
  EXPECT_EQ(graph_.list_calls, 1);
  EXPECT_EQ(graph_.delta_calls, 1);
}

TEST_F(DirectoryServiceTest, DeltaAddsChangesRemovesAndDropsDisabledUsers) {
  sync();
  graph_.put(graph_user("u6", "Fay", "Quinn", "Billing"));  // added
  auto renamed = graph_user("u2", "Ben", "Moore-Hall", "Support");
  renamed.department.reset();  // Graph omitted it: the mirror keeps "Billing"
  graph_.put(renamed);
  graph_.remove("u5");
  graph_.disable("u1");
  auto report = sync();
  EXPECT_FALSE(report.full);
  EXPECT_EQ(report.upserted, 2u);
  EXPECT_EQ(report.removed, 2u);
  EXPECT_EQ(report.users, 4u);
  EXPECT_EQ(mirrored(), 4u);
  EXPECT_EQ(store_.load_users(kOrg)->size(), 4u);
  EXPECT_EQ(ids(search("fay")), std::vector<std::string>{"u6"});
  EXPECT_TRUE(search("eve").items.empty());
  EXPECT_TRUE(search("ada").items.empty());  // disabled: gone from search
  auto ben = search("moore-hall");
  ASSERT_EQ(ben.items.size(), 1u);
  EXPECT_EQ(ben.items[0].hit.user.user.department, "Billing");
  // The removed and the disabled are not consult targets either.
  auto r = run(service_->resolve_party(kOrg, "u5"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);
}

TEST_F(DirectoryServiceTest, ExpiredDeltaTokenRunsAFullResync) {
  sync();
  graph_.put(graph_user("u6", "Fay", "Quinn", "Billing"));
  graph_.expire_tokens();
  auto report = sync();
  EXPECT_TRUE(report.full);
  EXPECT_EQ(report.users, 6u);
  EXPECT_EQ(graph_.list_calls, 2);
}

TEST_F(DirectoryServiceTest, ResumesFromTheStoreAfterARestartWithoutAFullSync) {
  sync();
  graph_.put(graph_user("u6", "Fay", "Quinn", "Billing"));
  make_service();  // a restart: same store, new service
  run_void(service_->resume_all());
  EXPECT_EQ(graph_.list_calls, 1);  // no new full sync
  EXPECT_EQ(graph_.delta_calls, 1);
  EXPECT_EQ(mirrored(), 6u);
}

TEST_F(DirectoryServiceTest, RemovalDeletesMirrorIndexAndState) {
  sync();
  auto summary = run(service_->remove_connector_artefacts(kOrg, "tid-1"));
  ASSERT_TRUE(summary);
  EXPECT_EQ(*summary, "5 mirrored Teams directory users removed");
  EXPECT_EQ(mirrored(), 0u);
  EXPECT_FALSE(store_.sync_state(kOrg)->has_value());
  // Set up again: a full sync, not a delta on a dead token.
  auto report = sync();
  EXPECT_TRUE(report.full);
}

TEST_F(DirectoryServiceTest, InactiveConnectorRefusesSearchAndSync) {
  sync();
  connector_.reset();
  auto s = run(service_->search(caller(), DirectoryQuery{"billing"}));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::conflict);
  auto r = run(service_->sync(kOrg));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::conflict);
}

TEST_F(DirectoryServiceTest, SearchPutsTheDepartmentFirstWithPresenceReadInBulk) {
  sync();
  graph_.set_presence("u2", "Busy", "InACall");
  auto r = search("billing");
  EXPECT_TRUE(r.show_user_details);
  ASSERT_EQ(r.items.size(), 4u);
  // The surname prefix "Billings" (a name token) ranks first, then the whole-department
  // matches, by name.
  EXPECT_EQ(ids(r), (std::vector<std::string>{"u1", "u2", "u3", "u5"}));
  EXPECT_EQ(graph_.presence_calls, 1);
  EXPECT_EQ(graph_.presence_ids_read, 4u);
  ASSERT_TRUE(r.items[1].presence);
  EXPECT_EQ(r.items[1].presence->availability, "Busy");
  // Cached for a few seconds: browsing again does not call Graph.
  search("billing");
  EXPECT_EQ(graph_.presence_calls, 1);
  time_.advance(6s);
  search("billing");
  EXPECT_EQ(graph_.presence_calls, 2);
}

TEST_F(DirectoryServiceTest, GateOffHidesPresenceAndDetailFields) {
  sync();
  connector_->show_user_details = false;
  auto r = search("billing");
  EXPECT_FALSE(r.show_user_details);
  // Only the surname "Billings" matches: department and title are not searched.
  EXPECT_EQ(ids(r), std::vector<std::string>{"u1"});
  EXPECT_FALSE(r.items[0].presence);
  EXPECT_EQ(graph_.presence_calls, 0);
  DirectoryQuery filtered;
  filtered.department = "Billing";
  auto f = run(service_->search(caller(), filtered));
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, Errc::invalid_input);
  // Back on: the fields are searchable again without re-indexing.
  connector_->show_user_details = true;
  EXPECT_EQ(search("", "Billing").items.size(), 3u);
}

TEST_F(DirectoryServiceTest, PresenceFailureStillAnswersTheSearch) {
  sync();
  graph_.fail_presence(true);
  auto r = search("billing");
  EXPECT_TRUE(r.presence_unavailable);
  EXPECT_EQ(r.items.size(), 4u);
}

TEST_F(DirectoryServiceTest, ResolvesATeamsUserToItsE164NumberWithABusyWarning) {
  sync();
  graph_.set_presence("u2", "DoNotDisturb", "Presenting");
  auto r = run(service_->resolve_party(kOrg, "u2"));
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->party);
  EXPECT_EQ(r->party->number, "+14255550100");
  EXPECT_EQ(r->party->teams_user_id, "u2");
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0].code, "teams_user_busy");
  // Checked at that moment, not from the cache.
  graph_.set_presence("u2", "Available", "Available");
  auto again = run(service_->resolve_party(kOrg, "u2"));
  EXPECT_TRUE(again->warnings.empty());
  EXPECT_EQ(graph_.presence_calls, 2);
}

TEST_F(DirectoryServiceTest, NotDialableUsersResolveWithoutAPartyAndTheReason) {
  sync();
  auto missing = run(service_->resolve_party(kOrg, "u3"));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->party);
  EXPECT_EQ(missing->user.dialability, Dialability::missing);
  auto bad = run(service_->resolve_party(kOrg, "u4"));
  ASSERT_TRUE(bad);
  EXPECT_FALSE(bad->party);
  EXPECT_EQ(bad->user.dialability, Dialability::not_e164);
  EXPECT_EQ(graph_.presence_calls, 0);  // nothing to call, no presence read
}

TEST_F(DirectoryServiceTest, OnDemandSyncIsForAdminsOnly) {
  sync();
  auto refused = run(service_->sync_for(caller()));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Errc::forbidden);
  auto ok = run(service_->sync_for(caller(RoleSet{Role::admin})));
  EXPECT_TRUE(ok);
}

TEST_F(DirectoryServiceTest, SearchBeforeTheFirstSyncIsUnavailable) {
  auto r = run(service_->search(caller(), DirectoryQuery{"billing"}));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unavailable);
}

// ---- on simulated time: the actor, Graph latency and the schedule ----------------------------

TEST_F(DirectoryServiceTest, AFullSyncRunningWhileTheConnectorIsRemovedDropsItsResult) {
  std::optional<Result<DirectorySyncReport>> running;
  start_slow_sync(100ms, running);
  time_.run_for(ioc_, 250ms);  // in the middle of the paged /users
  ASSERT_FALSE(running);
  ASSERT_EQ(graph_.list_calls, 1);
  // The removal runs on the org's strand between two steps of the sync.
  auto summary = run(service_->remove_connector_artefacts(kOrg, "tid-1"));
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_FALSE(running);
  settle([&running] { return running.has_value(); });
  expect_dropped(running, 0);
}

TEST_F(DirectoryServiceTest, ADeltaSyncRunningWhileTheConnectorIsRemovedDropsItsResult) {
  sync();
  graph_.put(graph_user("u6", "Fay", "Quinn", "Billing"));
  std::optional<Result<DirectorySyncReport>> running;
  start_slow_sync(100ms, running);
  time_.run_for(ioc_, 50ms);
  ASSERT_FALSE(running);
  const int writes = store_.writes;
  ASSERT_TRUE(run(service_->remove_connector_artefacts(kOrg, "tid-1")));
  settle([&running] { return running.has_value(); });
  expect_dropped(running, writes);
  // Set up again: a full sync from scratch.
  auto again = sync();
  EXPECT_TRUE(again.full);
  EXPECT_EQ(again.users, 6u);
}

TEST_F(DirectoryServiceTest, ASecondSyncWhileOneRunsIsAConflictAndTheFirstFinishes) {
  std::optional<Result<DirectorySyncReport>> first;
  start_slow_sync(100ms, first);
  time_.run_for(ioc_, 50ms);
  ASSERT_FALSE(first);
  auto second = run(service_->sync(kOrg));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::conflict);
  EXPECT_FALSE(first);
  settle([&first] { return first.has_value(); });
  ASSERT_TRUE(*first) << (*first).error().message;
  EXPECT_TRUE((*first)->full);
  EXPECT_EQ(graph_.list_calls, 1);  // the refused one called nothing
  // Once it has finished, the next sync runs.
  EXPECT_TRUE(run(service_->sync(kOrg)));
}

TEST_F(DirectoryServiceTest, SearchesAnswerFromTheMirrorWhileASyncWaitsForGraph) {
  sync();
  graph_.put(graph_user("u6", "Fay", "Quinn", "Billing"));
  std::optional<Result<DirectorySyncReport>> running;
  start_slow_sync(1s, running);
  testing::SimulatedTime::drain(ioc_);
  // The search does not wait for the sync: it answers from the mirror as it stands.
  EXPECT_TRUE(search("fay").items.empty());
  settle([&running] { return running.has_value(); });
  ASSERT_TRUE(*running);
  EXPECT_EQ(ids(search("fay")), std::vector<std::string>{"u6"});
}

TEST_F(DirectoryServiceTest, PresenceCacheExpiresAfterPresenceTtlOfSimulatedTime) {
  DirectoryServiceOptions options;
  options.presence_ttl = 30s;
  make_service(options);
  sync();
  graph_.set_presence("u2", "Busy", "InACall");
  search("billing");
  EXPECT_EQ(graph_.presence_calls, 1);
  time_.run_for(ioc_, 29'999ms);
  graph_.set_presence("u2", "Available", "Available");
  auto cached = search("billing");
  EXPECT_EQ(graph_.presence_calls, 1);
  ASSERT_TRUE(cached.items[1].presence);
  EXPECT_EQ(cached.items[1].presence->availability, "Busy");  // as read 29.999 s ago
  time_.run_for(ioc_, 1ms);
  auto fresh = search("billing");
  EXPECT_EQ(graph_.presence_calls, 2);  // re-read, in one bulk call
  EXPECT_EQ(graph_.presence_ids_read, 8u);
  ASSERT_TRUE(fresh.items[1].presence);
  EXPECT_EQ(fresh.items[1].presence->availability, "Available");
}

TEST_F(DirectoryServiceTest, TheScheduleRunsADeltaSyncEverySyncInterval) {
  sync();
  DirectoryServiceOptions options;
  options.sync_interval = 10min;
  make_service(options);  // a restart: resume, then the schedule
  service_->start();
  testing::SimulatedTime::drain(ioc_);
  EXPECT_EQ(graph_.delta_calls, 1);  // resume_all: loaded from the store, then a delta sync
  EXPECT_EQ(graph_.list_calls, 1);   // the first sync's only
  time_.run_for(ioc_, 10min - 1ms);
  EXPECT_EQ(graph_.delta_calls, 1);
  graph_.put(graph_user("u6", "Fay", "Quinn", "Billing"));
  time_.run_for(ioc_, 1ms);
  EXPECT_EQ(graph_.delta_calls, 2);
  EXPECT_EQ(mirrored(), 6u);
  time_.run_for(ioc_, 30min);
  EXPECT_EQ(graph_.delta_calls, 5);
  EXPECT_EQ(graph_.list_calls, 1);
  // An inactive connector is not synced; after stop() nothing runs.
  connector_.reset();
  time_.run_for(ioc_, 10min);
  EXPECT_EQ(graph_.delta_calls, 5);
  connector_ = ActiveConnector{"tid-1", true, true, {}};
  service_->stop();
  time_.run_for(ioc_, 1h);
  EXPECT_EQ(graph_.delta_calls, 5);
}

}  // namespace
}  // namespace ccteams
