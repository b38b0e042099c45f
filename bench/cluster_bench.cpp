// cluster_bench: three `ccteams serve` instances with [cluster] on one PostgreSQL, against the
// Graph emulator (issue 16, "Show"). Starts everything itself: a throw-away PostgreSQL
// (scripts/pg-test-cluster.sh), `ccteams graph-emulator`, the three instances, organisation
// Contoso with its Teams connector, presence sync and agents linked to Teams users
// (tests/support/serve_cluster.hpp), and two more organisations so that each instance owns one.
//
//   cluster_bench [--kills 5] [--seconds 3] [--connections 8] [--batch 10]
//
// Prints:
//  * webhook notifications/s, posted by --connections threads for --seconds to one instance,
//    then round-robin to all three (the ratio three/one);
//  * take-over time after kill -9 of Contoso's owner (from the kill to a survivor answering
//    Contoso's agent states 200 instead of 503), p50 and max over --kills kills (the killed
//    instance is started again each time);
//  * acknowledged notifications lost: each notification the webhook answered 202 (posted to any
//    instance, in steady state and during each take-over) must show in the agent's state on the
//    owner (Teams Do not disturb -> Idle, Available -> Available; the emulator's own deliveries
//    are silenced and bulk reads are a minute apart, so nothing else moves it); must be 0;
//  * contacts lost: contacts written before and during each take-over (into a queue no agent
//    serves, as the telephony side would) must all be served by the new owner; must be 0;
//  * API p99 of a cheap authenticated GET (GET /api/v1/auth/session) on the survivors during the
//    take-over windows, beside the p99 outside them.
// Exits 1 when anything was lost, 2 on bad arguments, 3 when the set-up failed. Bounded: every
// wait has a deadline; --kills at most 20, --seconds at most 10.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/pg/pg_db.hpp"
#include "adapters/pg/pg_test_support.hpp"
#include "support/pg_test_cluster.hpp"
#include "support/serve_cluster.hpp"

namespace {

using namespace std::chrono_literals;
using ccteams::testing::ServeCluster;
using SteadyClock = std::chrono::steady_clock;

struct Args {
  int kills = 5;
  double seconds = 3;
  int connections = 8;
  int batch = 10;
};

double ms_since(SteadyClock::time_point t) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

class Bench {
 public:
  Bench(ServeCluster& c, std::string conninfo) : c_(c), conninfo_(std::move(conninfo)) {}

  // ---- webhook throughput ----------------------------------------------------------------

  // Notifications/s acknowledged (202) with `connections` threads posting batches to the
  // instances `to` picks for each post.
  template <class Pick>
  double webhook_rate(const Args& a, Pick to) {
    std::vector<std::string> users;
    for (const auto& agent : c_.agents()) users.push_back(agent.teams_user);
    std::vector<std::string> batch;
    for (int k = 0; k < a.batch; ++k) batch.push_back(users[k % users.size()]);
    const std::string body = c_.notification(batch);
    std::atomic<std::size_t> posts{0}, errors{0};
    std::atomic<std::size_t> counter{0};
    const auto start = SteadyClock::now();
    const auto until = start + std::chrono::duration<double>(a.seconds);
    std::vector<std::thread> threads;
    for (int t = 0; t < a.connections; ++t) {
      threads.emplace_back([&] {
        while (SteadyClock::now() < until) {
          auto r = c_.send(to(counter++), "POST", "/webhooks/graph/notifications", body, "");
          (r && r->status == 202 ? posts : errors)++;
        }
      });
    }
    for (auto& t : threads) t.join();
    const double s = std::chrono::duration<double>(SteadyClock::now() - start).count();
    if (errors > 0) std::printf("  (%zu posts not answered 202)\n", errors.load());
    return static_cast<double>(posts) * a.batch / s;
  }

  // ---- notifications that must be applied -------------------------------------------------

  // Teams presence of agent k changes (toggled), and its notification is posted to instance i
  // until one is acknowledged (as Graph retries a 503) or 5 s passed. Acknowledged: the state
  // the owner must show for it becomes the expectation.
  void change_presence(std::size_t k, std::size_t i) {
    auto& agent = c_.agents()[k];
    const bool dnd = !dnd_[k];
    c_.set_presence(agent, dnd ? "DoNotDisturb" : "Available", dnd ? "DoNotDisturb" : "Available");
    dnd_[k] = dnd;
    const std::string body = c_.notification({agent.teams_user});
    const auto deadline = SteadyClock::now() + 5s;
    while (SteadyClock::now() < deadline) {
      auto r = c_.send(i, "POST", "/webhooks/graph/notifications", body, "");
      if (r && r->status == 202) {
        ++acknowledged_;
        expected_[agent.id] = {dnd ? "Idle" : "Available", acknowledged_};
        return;
      }
      ++refused_;
      std::this_thread::sleep_for(100ms);  // Graph's retry, shortened
    }
  }
  // Every agent's state on the owner matches its last acknowledged notification (15 s at
  // most); the ones that never do are counted lost.
  void check_applied(std::size_t owner) {
    std::map<std::int64_t, std::string> seen;
    ServeCluster::poll_until(15s, [&] {
      auto states = c_.agent_states(owner);
      bool all = true;
      for (const auto& [agent, want] : expected_) {
        const auto it = states.find(agent);
        seen[agent] = it == states.end() ? "?" : std::string(it->second.at("state").as_string());
        all = all && seen[agent] == want.first;
      }
      return all;
    });
    for (const auto& [agent, want] : expected_) {
      if (seen[agent] != want.first) {
        ++lost_notifications_;
        std::printf("  LOST: agent %lld shows %s, its acknowledged notification said %s\n",
                    static_cast<long long>(agent), seen[agent].c_str(), want.first.c_str());
      }
    }
    expected_.clear();  // checked: the next ones start afresh
  }

  // ---- contacts ---------------------------------------------------------------------------

  bool make_parking_queue(std::size_t owner) {
    auto q = c_.as_admin(owner, "POST", "/api/v1/queues", R"({"name":"Parking"})");
    if (!q || q->status != 201) return false;
    parking_ = boost::json::parse(q->body).at("id").as_int64();
    return true;
  }
  // A queued contact written into the database as telephony would; acknowledged once
  // committed.
  void write_contact() {
    auto db = ccteams::store::PgDb::open(conninfo_);
    if (!db) return;
    const std::int64_t id = ccteams::store::testing::pg_query_int(
        **db,
        "INSERT INTO contacts (org_id, queue_id, status, caller, enqueued_at, since, offers, ronas, "
        "end_reason) SELECT id, " +
            std::to_string(parking_) +
            ", 'Queued', '+15550100', 1790000000000, 1790000000000, 0, 0, '' FROM organisations "
            "WHERE name = 'Contoso' RETURNING id");
    if (id > 0) contacts_.push_back(id);
  }
  void check_contacts(std::size_t owner) {
    for (const auto id : contacts_) {
      auto r = c_.as_admin(owner, "GET", "/api/v1/contacts/" + std::to_string(id));
      if (!r || r->status != 200) {
        ++lost_contacts_;
        std::printf("  LOST: contact %lld: %s\n", static_cast<long long>(id),
                    r ? std::to_string(r->status).c_str() : "no answer");
      }
    }
  }

  // ---- API latency ------------------------------------------------------------------------

  void start_sampler() {
    sampler_ = std::thread([this] {
      for (std::size_t n = 0; !stop_sampler_; ++n) {
        const std::size_t i = n % c_.size();
        if (static_cast<int>(i) == victim_.load()) continue;
        const auto t = SteadyClock::now();
        auto r = c_.as_admin(i, "GET", "/api/v1/auth/session");
        const double ms = ms_since(t);
        std::lock_guard lock(mu_);
        if (!r || r->status != 200) {
          ++api_errors_;
        } else {
          (in_window_ ? window_ms_ : outside_ms_).push_back(ms);
        }
        if (i + 1 == c_.size()) std::this_thread::sleep_for(5ms);  // a steady trickle
      }
    });
  }
  void stop_sampling() {
    stop_sampler_ = true;
    if (sampler_.joinable()) sampler_.join();
  }
  void window(bool open, int victim) {
    std::lock_guard lock(mu_);
    in_window_ = open;
    victim_ = victim;
  }

  // ---- one kill ---------------------------------------------------------------------------

  // Kills Contoso's owner, measures the take-over, checks what was acknowledged, restarts the
  // killed instance. nullopt when the survivors never took over (30 s).
  std::optional<double> kill_round() {
    const auto owner = c_.wait_owner(20s);
    if (!owner) return std::nullopt;
    // Steady state: a change posted to every instance, owner or not.
    for (std::size_t i = 0; i < c_.size(); ++i) change_presence(i % c_.agents().size(), i);
    check_applied(*owner);
    for (int k = 0; k < 3; ++k) write_contact();

    window(true, static_cast<int>(*owner));
    const auto killed_at = SteadyClock::now();
    c_.kill(*owner);
    std::optional<std::size_t> next;
    std::size_t posts = 0;
    while (ms_since(killed_at) < 30'000) {
      for (std::size_t i = 0; i < c_.size() && !next; ++i) {
        if (i == *owner) continue;
        auto r = c_.as_admin(i, "GET", "/api/v1/agents/states");
        if (r && r->status == 200) next = i;
      }
      if (next) break;
      // Meanwhile: contacts keep arriving and Teams keeps changing, posted to the survivors.
      write_contact();
      const std::size_t to = (*owner + 1 + posts % 2) % c_.size();
      change_presence(posts % c_.agents().size(), to);
      ++posts;
      std::this_thread::sleep_for(20ms);
    }
    const double took = ms_since(killed_at);
    window(false, static_cast<int>(*owner));
    if (!next) return std::nullopt;
    check_applied(*next);
    check_contacts(*next);
    c_.start(*owner);
    window(false, -1);
    c_.wait_spread(30s);
    return took;
  }

  std::size_t acknowledged() const { return acknowledged_; }
  std::size_t refused() const { return refused_; }
  std::size_t lost_notifications() const { return lost_notifications_; }
  std::size_t lost_contacts() const { return lost_contacts_; }
  std::size_t contacts() const { return contacts_.size(); }
  void print_api() {
    std::lock_guard lock(mu_);
    std::printf("API GET /api/v1/auth/session on the survivors: p99 %.1f ms during take-overs "
                "(%zu requests), p99 %.1f ms outside (%zu requests), p50 %.1f / %.1f ms, "
                "%zu errors\n",
                percentile(window_ms_, 0.99), window_ms_.size(), percentile(outside_ms_, 0.99),
                outside_ms_.size(), percentile(window_ms_, 0.5), percentile(outside_ms_, 0.5),
                api_errors_);
  }

 private:
  ServeCluster& c_;
  std::string conninfo_;
  std::int64_t parking_ = 0;
  std::map<std::size_t, bool> dnd_;
  // agent id -> (state it must show, which acknowledged notification said so)
  std::map<std::int64_t, std::pair<std::string, std::size_t>> expected_;
  std::size_t acknowledged_ = 0, refused_ = 0, lost_notifications_ = 0, lost_contacts_ = 0;
  std::vector<std::int64_t> contacts_;

  std::thread sampler_;
  std::atomic<bool> stop_sampler_{false};
  std::atomic<int> victim_{-1};
  std::mutex mu_;  // guards the samples and in_window_
  bool in_window_ = false;
  std::vector<double> window_ms_, outside_ms_;
  std::size_t api_errors_ = 0;
};

bool parse(int argc, char** argv, Args& a) {
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--kills") == 0 && has_value) {
      a.kills = std::clamp(std::atoi(argv[++i]), 1, 20);
    } else if (std::strcmp(argv[i], "--seconds") == 0 && has_value) {
      a.seconds = std::clamp(std::atof(argv[++i]), 0.5, 10.0);
    } else if (std::strcmp(argv[i], "--connections") == 0 && has_value) {
      a.connections = std::clamp(std::atoi(argv[++i]), 1, 64);
    } else if (std::strcmp(argv[i], "--batch") == 0 && has_value) {
      a.batch = std::clamp(std::atoi(argv[++i]), 1, 100);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--kills N (1-20)] [--seconds S (0.5-10)] [--connections N (1-64)] "
                   "[--batch N (1-100)]\n",
                   argv[0]);
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (!parse(argc, argv, a)) return 2;
  ccteams::testing::PgTestCluster pg(std::string(CCTEAMS_SOURCE_DIR) +
                                     "/scripts/pg-test-cluster.sh");
  if (auto e = pg.start(); !e.empty()) {
    std::fprintf(stderr, "cluster_bench: %s\n", e.c_str());
    return 3;
  }
  const auto work = std::filesystem::temp_directory_path() /
                    ("ccteams-cluster-bench-" + std::to_string(::getpid()));
  ccteams::testing::ServeClusterOptions o;
  o.binary = CCTEAMS_BINARY;
  o.conninfo = pg.dsn();
  o.work_dir = work;
  o.agents = 3;
  o.extra_orgs = 2;
  int rc = 0;
  {
    ServeCluster c(o);
    const auto setup_at = SteadyClock::now();
    if (!c.setup() || !c.silence_emulator_deliveries()) {
      std::fprintf(stderr, "cluster_bench: set-up failed: %s\n", c.error().c_str());
      std::filesystem::remove_all(work);
      return 3;
    }
    std::printf("cluster_bench: 3 instances, 3 organisations, PostgreSQL 15 (fsync off), lease "
                "TTL %lld ms, scan %lld ms; set up in %.1f s\n",
                static_cast<long long>(o.lease_ttl.count()),
                static_cast<long long>(o.scan_every.count()), ms_since(setup_at) / 1000);
    Bench b(c, pg.dsn());
    const auto owner = c.wait_owner(20s);
    if (!owner || !b.make_parking_queue(*owner)) {
      std::fprintf(stderr, "cluster_bench: no owner for Contoso\n");
      return 3;
    }

    const double one = b.webhook_rate(a, [](std::size_t) { return std::size_t{0}; });
    const double three = b.webhook_rate(a, [&](std::size_t n) { return n % c.size(); });
    std::printf("webhook (%d connections, %d notifications per post, %.1f s each): one instance "
                "%.0f notifications/s, three round-robin %.0f notifications/s, ratio %.2f\n",
                a.connections, a.batch, a.seconds, one, three, one > 0 ? three / one : 0.0);

    b.start_sampler();
    std::vector<double> takeovers;
    for (int k = 0; k < a.kills; ++k) {
      auto took = b.kill_round();
      if (!took) {
        std::printf("kill %d: no survivor took over within 30 s\n", k + 1);
        rc = 1;
        break;
      }
      std::printf("kill %d: take-over %.0f ms\n", k + 1, *took);
      takeovers.push_back(*took);
    }
    b.stop_sampling();
    std::printf("take-over after kill -9: p50 %.0f ms, max %.0f ms over %zu kills\n",
                percentile(takeovers, 0.5),
                takeovers.empty() ? 0.0 : *std::max_element(takeovers.begin(), takeovers.end()),
                takeovers.size());
    std::printf("notifications: %zu acknowledged (202), %zu posts refused (503 or no answer, "
                "posted again), lost %zu\n",
                b.acknowledged(), b.refused(), b.lost_notifications());
    std::printf("contacts: %zu written, lost %zu\n", b.contacts(), b.lost_contacts());
    b.print_api();
    if (b.lost_notifications() > 0 || b.lost_contacts() > 0) rc = 1;
  }
  std::filesystem::remove_all(work);
  return rc;
}
