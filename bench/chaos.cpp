// chaos: issue 17's crash harness with webhook notifications, many kills, and its table
// (tests/support/chaos_harness.hpp says what one run does; tests/chaos_test.cpp runs a bounded
// one in CI). The standalone emulator (`ccteams graph-emulator`) survives; `ccteams demo
// --graph-emulator` is killed with SIGKILL and restarted on the same data, again and again.
// Usage: chaos [kills] [seed]   (defaults: CCTEAMS_CHAOS_KILLS or 20, CCTEAMS_CHAOS_SEED or
// random; both printed). Exit status 1 when a check failed.
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "support/chaos_harness.hpp"

namespace {

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

}  // namespace

int main(int argc, char** argv) {
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
  std::fflush(stdout);
  const auto t0 = std::chrono::steady_clock::now();
  ccteams::testing::ChaosReport r;
  {
    ccteams::testing::ChaosRun run(o);
    r = run.run();
  }
  r.print(stdout, o);
  std::printf("wall time: %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  std::error_code ec;
  std::filesystem::remove_all(o.work_dir, ec);
  return r.failures.empty() ? 0 : 1;
}
