// soak: issue 17's bounded soak (not in CI). One `ccteams demo --graph-emulator` (the running
// system of tests/support/chaos_system.hpp, no kills) under a steady load for [minutes]:
// Teams presence changes (change notifications, every 100 ms), customer contacts that the five
// agents accept, end and wrap up (every 250 ms), and Teams directory searches
// (GET /api/v1/directory/teams-users?q=…, every 200 ms). Every minute it samples the demo's
// resident memory (/proc/PID/status VmRSS), its open file descriptors (/proc/PID/fd) and the
// rows of its presence inbox, and at the end prints first / last / max and the drift of each.
// Usage: soak [minutes] [seed]   (default 25 minutes). Exit status 1 when a check failed.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/chaos_system.hpp"

namespace {

using ccteams::testing::ChaosSystem;

struct Sample {
  double minute = 0;
  long rss_kb = -1;
  long fds = -1;
  long inbox = -1;
};

long rss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

long open_fds(pid_t pid) {
  std::error_code ec;
  long n = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++n;
  }
  return ec ? -1 : n;
}

void print_figure(const char* name, const std::vector<Sample>& s, long Sample::*field) {
  long max = s.front().*field;
  for (const auto& x : s) max = std::max(max, x.*field);
  const long first = s.front().*field;
  const long last = s.back().*field;
  std::printf("| %s | %ld | %ld | %ld | %+ld |\n", name, first, last, max, last - first);
}

}  // namespace

int main(int argc, char** argv) {
  const double minutes = argc > 1 ? std::atof(argv[1]) : 25.0;
  const unsigned seed = argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 10))
                                 : static_cast<unsigned>(std::random_device{}() & 0x7fffffff);
  ccteams::testing::ChaosSystemOptions o;
  o.binary = CCTEAMS_BINARY;
  o.sync_round_ms = 1000;  // the service's default
  o.presence_every = std::chrono::milliseconds(100);
  o.contact_every = std::chrono::milliseconds(250);
  o.work_dir = std::filesystem::temp_directory_path() /
               ("ccteams-soak-" + std::to_string(::getpid()));
  std::printf("soak: %.1f minutes, seed %u; presence change every 100 ms, contact every 250 ms, "
              "directory search every 200 ms, bulk-read round 1000 ms\n",
              minutes, seed);
  std::fflush(stdout);
  int status = 0;
  {
    ChaosSystem sys(o);
    if (!sys.setup()) {
      for (const auto& f : sys.failures) std::printf("failure: %s\n", f.c_str());
      return 1;
    }
    const pid_t pid = sys.demo().pid();
    std::mt19937 rng(seed);
    std::vector<std::thread> workers;
    for (std::size_t i = 0; i < sys.agents().size(); ++i) {
      workers.emplace_back([&sys, i, s = static_cast<unsigned>(rng())] { sys.agent_loop(i, s); });
    }
    workers.emplace_back([&sys] { sys.caller_loop(); });
    workers.emplace_back([&sys, s = static_cast<unsigned>(rng())] { sys.presence_loop(s); });
    std::uint64_t searches = 0;
    std::uint64_t search_failures = 0;
    workers.emplace_back([&] {
      const char* queries[] = {"a", "ad", "chaos", "agent", "e", "min", "zz"};
      std::size_t k = 0;
      while (!sys.stop) {
        auto r = sys.send("GET",
                          std::string("/api/v1/directory/teams-users?limit=20&q=") +
                              queries[k++ % std::size(queries)],
                          "", sys.admin());
        ++searches;
        if (!r || r->status != 200) ++search_failures;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    });

    std::vector<Sample> samples;
    const auto t0 = std::chrono::steady_clock::now();
    const auto end = t0 + std::chrono::milliseconds(static_cast<long long>(minutes * 60'000));
    std::printf("| minute | RSS (kB) | open fds | inbox rows |\n| --- | --- | --- | --- |\n");
    for (auto next = t0;; next += std::chrono::minutes(1)) {
      std::this_thread::sleep_until(std::min(next, end));
      const auto now = std::chrono::steady_clock::now();
      Sample s{std::chrono::duration<double>(now - t0).count() / 60.0, rss_kb(pid), open_fds(pid),
               sys.inbox_rows()};
      samples.push_back(s);
      std::printf("| %.1f | %ld | %ld | %ld |\n", s.minute, s.rss_kb, s.fds, s.inbox);
      std::fflush(stdout);
      if (now >= end) break;
    }
    sys.stop = true;
    for (auto& t : workers) t.join();
    std::printf("\n| figure | first | last | max | drift |\n| --- | --- | --- | --- | --- |\n");
    print_figure("RSS (kB)", samples, &Sample::rss_kb);
    print_figure("open fds", samples, &Sample::fds);
    print_figure("inbox rows", samples, &Sample::inbox);
    std::lock_guard lock(sys.mu);
    std::printf("Teams presence changes %llu, contacts %llu, directory searches %llu (%llu not "
                "200)\n",
                static_cast<unsigned long long>(sys.presence_changes),
                static_cast<unsigned long long>(sys.contacts_acknowledged),
                static_cast<unsigned long long>(searches),
                static_cast<unsigned long long>(search_failures));
    for (const auto& f : sys.failures) std::printf("failure: %s\n", f.c_str());
    if (!sys.failures.empty() || search_failures > 0) status = 1;
  }
  std::error_code ec;
  std::filesystem::remove_all(o.work_dir, ec);
  return status;
}
