// Issue 17's chaos run, bounded for CI (tests/support/chaos_harness.hpp says what it does):
// the standalone emulator survives, `ccteams demo --graph-emulator` is killed with SIGKILL at
// random moments (every other time while a burst of notifications is being stored) and
// restarted on the same data; nothing acknowledged is lost, the invariants hold, the database
// passes integrity_check, and every agent converges to what the rules give for its final Teams
// presence, and no agent is idled by our own Teams session that a kill left behind.
// CCTEAMS_CHAOS_KILLS (default 3) and CCTEAMS_CHAOS_SEED (random, printed) replay a
// run; bench/chaos runs many more kills and prints the same table.
#include <gtest/gtest.h>

#include <cstdlib>

#include "demo_fixture.hpp"
#include "support/chaos_harness.hpp"

namespace ccteams::testing {
namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

TEST(Chaos, KilledWhileNotificationsArriveLosesNothingAndConverges) {
  ChaosOptions o;
  o.binary = CCTEAMS_BINARY;
  o.seed = static_cast<unsigned>(
      env_int("CCTEAMS_CHAOS_SEED", static_cast<int>(std::random_device{}() & 0x7fffffff)));
  o.kills = env_int("CCTEAMS_CHAOS_KILLS", 3);
  o.work_dir = make_temp_dir("ccteams-chaos");
  ChaosReport r;
  {
    ChaosRun run(o);
    r = run.run();
  }
  r.print(stdout, o);
  std::fflush(stdout);
  for (const auto& f : r.failures) ADD_FAILURE() << f << " (seed " << o.seed << ")";
  EXPECT_EQ(r.crashes_survived, o.kills);
  EXPECT_EQ(r.contacts_lost, 0u);
  EXPECT_EQ(r.invariant_violations, 0);
  EXPECT_EQ(r.integrity_failures, 0);
  EXPECT_EQ(r.wrong_states, 0);
  EXPECT_EQ(r.inbox_left, 0);
  EXPECT_GT(r.notifications_acknowledged, 0u);
  EXPECT_GT(r.contacts_acknowledged, 0u);
  // An agent idled by our own Teams session that a kill left set (rule 5 broken across a
  // restart): fixed by the session's durable mark (docs/reliability.md, presence-sync.md).
  EXPECT_EQ(r.stale_own_sessions, 0);
  std::error_code ec;
  std::filesystem::remove_all(o.work_dir, ec);
}

}  // namespace
}  // namespace ccteams::testing
