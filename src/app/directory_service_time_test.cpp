// DirectoryService on simulated time: the organisation's actor under Graph latency (a sync
// dropped when the connector goes meanwhile, a second sync refused, searches answering during
// a sync), the presence cache's expiry, and the schedule.
#include "app/directory_service.hpp"
#include "app/directory_service_test_support.hpp"

namespace ccteams::directory_test {
namespace {

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
}  // namespace ccteams::directory_test
