// store_bench: the SQLite store's executor (docs/architecture.md, "Storage") under concurrent
// callers, on a database file with synchronous=FULL (every commit waits for its WAL sync):
//  * writes: C coroutines each awaiting one small write job after the other (a session row, as
//    a sign-in writes), first with every job committing alone (max_jobs_per_commit = 1, what
//    the store did before group commit), then with group commit (64), in the same run; prints
//    jobs/s, p50/p99 per job, the ratio, and how many jobs shared each commit;
//  * reads while those writes go on: a reader coroutine's list of the organisation's users,
//    through Store::run (queued behind the writes) and through Store::read (the reader
//    connection), p50/p99.
//
//   store_bench [--seconds 2] [--callers 16] [--dir PATH]
//
// --dir puts the database on another file system (the default is the system temp dir; a tmpfs
// there makes the syncs free and the comparison meaningless).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <unistd.h>
#include <string>
#include <thread>
#include <vector>

#include "adapters/store/sqlite_store.hpp"

namespace {

namespace asio = boost::asio;
using namespace ccteams;
using Clock = std::chrono::steady_clock;

struct Options {
  double seconds = 2.0;
  int callers = 16;
  std::string dir;
};

struct Figures {
  std::size_t jobs = 0;
  std::size_t errors = 0;
  double seconds = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double reads_p50_ms = 0;
  double reads_p99_ms = 0;
  std::uint64_t group_commits = 0;
  std::uint64_t grouped_jobs = 0;
};

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  return v[i];
}

class Scratch {
 public:
  explicit Scratch(const std::string& parent) {
    const std::filesystem::path base =
        parent.empty() ? std::filesystem::temp_directory_path() : std::filesystem::path(parent);
    path_ = base / ("ccteams-store-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path_);
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// One configuration: a fresh database, `callers` writers for `seconds`, and one reader using
// read() (on_reader) or run().
Figures measure(const Options& o, const std::string& path, std::size_t per_commit,
                bool on_reader) {
  SqliteStoreOptions options;
  options.max_jobs_per_commit = per_commit;
  auto opened = SqliteStore::open(path, options);
  if (!opened) {
    std::fprintf(stderr, "store_bench: %s\n", opened.error().message.c_str());
    std::exit(1);
  }
  SqliteStore& store = **opened;
  const Timestamp t0{Millis{1'800'000'000'000}};
  const OrgId org = store.accounts().create_org("Bench", t0).value().id;
  std::vector<UserId> users;
  for (int i = 0; i < 50; ++i) {
    const std::string name = "user" + std::to_string(i);
    users.push_back(store.accounts()
                        .create_user(UserAccount{{}, org, name, name, RoleSet{Role::agent},
                                                 "hash", false, t0})
                        .value()
                        .id);
  }

  asio::io_context io(1);
  const auto until = Clock::now() + std::chrono::duration<double>(o.seconds);
  std::vector<double> write_ms;
  std::vector<double> read_ms;
  std::size_t errors = 0;
  std::atomic<std::uint64_t> next{0};
  Store& port = store;
  for (int c = 0; c < o.callers; ++c) {
    auto writer = [&]() -> asio::awaitable<void> {
      while (Clock::now() < until) {
        const std::uint64_t n = next.fetch_add(1);
        AuthSession session{"token-" + std::to_string(n), users[n % users.size()], org,
                            "csrf", t0, t0 + Millis{3'600'000}};
        const auto started = Clock::now();
        auto put = [&session](Stores& s) { return s.accounts().put_session(session); };
        auto r = co_await port.run(put);
        write_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
        if (!r) ++errors;
      }
    };
    asio::co_spawn(io, writer, asio::detached);
  }
  auto reader = [&]() -> asio::awaitable<void> {
    auto list = [org](Stores& s) { return s.accounts().list_users(org); };
    while (Clock::now() < until) {
      const auto started = Clock::now();
      Result<std::vector<UserAccount>> r = make_error(Errc::internal, "not read");
      if (on_reader) {
        r = co_await port.read(list);
      } else {
        r = co_await port.run(list);
      }
      read_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
      if (!r) ++errors;
    }
  };
  asio::co_spawn(io, reader, asio::detached);
  const auto started = Clock::now();
  io.run();
  Figures f;
  f.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  f.jobs = write_ms.size();
  f.errors = errors;
  f.p50_ms = percentile(write_ms, 0.50);
  f.p99_ms = percentile(write_ms, 0.99);
  f.reads_p50_ms = percentile(read_ms, 0.50);
  f.reads_p99_ms = percentile(read_ms, 0.99);
  f.group_commits = store.group_commits();
  f.grouped_jobs = store.grouped_jobs();
  store.stop();
  return f;
}

void print_writes(const char* name, const Figures& f) {
  const double shared =
      f.group_commits ? static_cast<double>(f.grouped_jobs) / static_cast<double>(f.group_commits)
                      : 1.0;
  std::printf("%-34s %9.0f jobs/s  p50 %7.2f ms  p99 %7.2f ms  jobs per commit %5.1f  errors %zu\n",
              name, static_cast<double>(f.jobs) / f.seconds, f.p50_ms, f.p99_ms, shared,
              f.errors);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--seconds") == 0 && has_value) {
      o.seconds = std::clamp(std::atof(argv[++i]), 0.2, 30.0);
    } else if (std::strcmp(argv[i], "--callers") == 0 && has_value) {
      o.callers = std::clamp(std::atoi(argv[++i]), 1, 1000);
    } else if (std::strcmp(argv[i], "--dir") == 0 && has_value) {
      o.dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--seconds S (0.2-30)] [--callers N (1-1000)] [--dir PATH]\n",
                   argv[0]);
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);
  Scratch scratch(o.dir);
  std::printf("store_bench: %d concurrent writers, %.1f s per configuration, synchronous=FULL, "
              "database in %s\n",
              o.callers, o.seconds, scratch.file("").c_str());
  const Figures alone = measure(o, scratch.file("alone.db"), 1, false);
  const Figures grouped = measure(o, scratch.file("grouped.db"), 64, false);
  const Figures read = measure(o, scratch.file("reader.db"), 64, true);
  print_writes("each job commits alone (1)", alone);
  print_writes("group commit (64)", grouped);
  std::printf("group commit / alone: %.2fx jobs/s, p99 %.2fx\n",
              (static_cast<double>(grouped.jobs) / grouped.seconds) /
                  std::max(1e-9, static_cast<double>(alone.jobs) / alone.seconds),
              grouped.p99_ms / std::max(1e-9, alone.p99_ms));
  std::printf("reads while writing, on the writer (run):  p50 %7.2f ms  p99 %7.2f ms\n",
              grouped.reads_p50_ms, grouped.reads_p99_ms);
  std::printf("reads while writing, on the reader (read): p50 %7.2f ms  p99 %7.2f ms\n",
              read.reads_p50_ms, read.reads_p99_ms);
  return 0;
}
