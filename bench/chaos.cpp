// chaos: issue 17's crash harness with webhook notifications, many kills, and its table
// (tests/support/chaos_harness.hpp says what one run does; tests/chaos_test.cpp runs a bounded
// one in CI). The standalone emulator (`ccteams graph-emulator`) survives; `ccteams demo
// --graph-emulator` is killed with SIGKILL and restarted on the same data, again and again.
// Usage: chaos [kills] [seed]   (defaults: CCTEAMS_CHAOS_KILLS or 20, CCTEAMS_CHAOS_SEED or
// random; both printed). Exit status 1 when a check failed.
// chaos storms [seconds] [seed] [round_ms]: the Graph fault storms (tests/support/
// fault_storms.hpp), each fault lasting `seconds` (default 10), latency spike 5 s, bulk-read
// round `round_ms` (default 1000, the service's default), and their table.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "support/chaos_harness.hpp"
#include "support/fault_storms.hpp"

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

// Runs one harness, prints its table and the wall time; exit status 1 when a check failed.
template <class Run, class Options>
int run_and_print(const Options& o) {
  std::fflush(stdout);
  const auto t0 = std::chrono::steady_clock::now();
  decltype(Run(o).run()) r;
  {
    Run run(o);
    r = run.run();
  }
  r.print(stdout, o);
  std::printf("wall time: %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  std::error_code ec;
  std::filesystem::remove_all(o.work_dir, ec);
  return r.failures.empty() ? 0 : 1;
}

int storms(int argc, char** argv) {
  ccteams::testing::StormOptions o;
  o.binary = CCTEAMS_BINARY;
  o.storm = std::chrono::milliseconds(argc > 2 ? std::atoi(argv[2]) * 1000 : 10'000);
  o.seed = static_cast<unsigned>(argc > 3 ? std::strtoul(argv[3], nullptr, 10)
                                          : std::random_device{}() & 0x7fffffff);
  o.sync_round_ms = argc > 4 ? std::atoi(argv[4]) : 1000;
  o.latency_ms = 5000;
  o.retry_after_seconds = 5;
  o.converge_deadline = std::chrono::seconds(30);
  o.work_dir = std::filesystem::temp_directory_path() /
               ("ccteams-storms-bench-" + std::to_string(::getpid()));
  std::printf("chaos storms: %lld s each, seed %u (replay: chaos storms %lld %u %d)\n",
              static_cast<long long>(o.storm.count() / 1000), o.seed,
              static_cast<long long>(o.storm.count() / 1000), o.seed, o.sync_round_ms);
  return run_and_print<ccteams::testing::StormRun>(o);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "storms") return storms(argc, argv);
  using ccteams::testing::ChaosOptions;
  ChaosOptions o;
  o.binary = CCTEAMS_BINARY;
  o.kills = argc > 1 ? std::atoi(argv[1]) : env_int("CCTEAMS_CHAOS_KILLS", 20);
  o.seed = static_cast<unsigned>(
      argc > 2 ? std::strtoul(argv[2], nullptr, 10)
               : static_cast<unsigned long>(env_int(
                     "CCTEAMS_CHAOS_SEED", static_cast<int>(std::random_device{}() & 0x7fffffff))));
  o.work_dir = std::filesystem::temp_directory_path() /
               ("ccteams-chaos-bench-" + std::to_string(::getpid()));
  std::printf("chaos: %d kills, seed %u (replay: chaos %d %u)\n", o.kills, o.seed, o.kills, o.seed);
  return run_and_print<ccteams::testing::ChaosRun>(o);
}
