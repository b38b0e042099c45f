// webhook_bench: how many Graph change notifications per second the webhook acknowledges when
// each 202 waits for a durable SQLite commit (WAL, synchronous=FULL, group commit), against a
// trivial route on the same server that answers 202 without storing (presence_bench_webhook.hpp).
//
//   webhook_bench [--seconds 3] [--batch 10] [--connections 16] [--posts 0] [--threads 1]
//                 [--dir PATH]
//
// --seconds and --posts bound each route's run (whichever comes first; --posts 0: time only);
// --dir puts the temp database on another file system (the default is the system temp dir;
// a tmpfs there would make the fsyncs free and the figure meaningless).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <spdlog/spdlog.h>

#include "presence_bench_webhook.hpp"

namespace {

void print(const char* name, const ccteams::bench::RouteFigures& f) {
  std::printf("%-8s %10.0f notifications/s  %8.0f posts/s  p50 %7.2f ms  p99 %7.2f ms  "
              "posts %zu  errors %zu\n",
              name, f.notifications_per_s,
              f.seconds > 0 ? static_cast<double>(f.posts) / f.seconds : 0.0, f.p50_ms, f.p99_ms,
              f.posts, f.errors);
}

}  // namespace

int main(int argc, char** argv) {
  ccteams::bench::WebhookLoad load;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--seconds") == 0 && has_value) {
      load.seconds = std::clamp(std::atof(argv[++i]), 0.2, 10.0);
    } else if (std::strcmp(argv[i], "--batch") == 0 && has_value) {
      load.batch_size = static_cast<std::size_t>(std::clamp(std::atoi(argv[++i]), 1, 500));
    } else if (std::strcmp(argv[i], "--connections") == 0 && has_value) {
      load.concurrency = std::clamp(std::atoi(argv[++i]), 1, 1000);
    } else if (std::strcmp(argv[i], "--posts") == 0 && has_value) {
      load.max_posts = static_cast<std::size_t>(std::max(0, std::atoi(argv[++i])));
    } else if (std::strcmp(argv[i], "--threads") == 0 && has_value) {
      load.server_threads = std::clamp(std::atoi(argv[++i]), 1, 16);
    } else if (std::strcmp(argv[i], "--dir") == 0 && has_value) {
      load.directory = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: %s [--seconds S (0.2-10)] [--batch N (1-500)] [--connections N "
                   "(1-1000)] [--posts N (0: no limit)] [--threads N (1-16)] [--dir PATH]\n",
                   argv[0]);
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);  // the server's start and stop lines are not figures

  std::printf("webhook_bench: %d keep-alive connections, %zu notifications per post, "
              "%.1f s%s per route, %d server thread(s)\n",
              load.concurrency, load.batch_size, load.seconds,
              load.max_posts ? " or the post limit" : "", load.server_threads);
  auto f = ccteams::bench::measure_webhook(load);
  if (!f) {
    std::fprintf(stderr, "webhook_bench failed: %s\n", f.error().message.c_str());
    return 1;
  }
  print("trivial", f->trivial);
  print("durable", f->durable);
  std::printf("ratio durable/trivial: %.2f\n", f->ratio);
  std::printf("stored and read back: %zu notifications in %llu commits (%.1f posts per commit), "
              "synchronous=%s\n",
              f->notifications, static_cast<unsigned long long>(f->commits),
              f->commits ? static_cast<double>(f->durable.posts) / static_cast<double>(f->commits)
                         : 0.0,
              f->synchronous_full ? "FULL" : "NORMAL (not durable on power loss)");
  return 0;
}
