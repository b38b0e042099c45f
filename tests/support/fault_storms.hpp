#pragma once
// Issue 17's Graph fault storms against the running system (chaos_system.hpp), shared by
// tests/fault_storm_test.cpp (brief storms, in CI) and bench/chaos's `storms` mode (longer).
// No GoogleTest here: what goes wrong is collected in the report.
//
// Each storm: the emulator's request counts are reset, the fault starts, the five agents' Teams
// presence keeps changing (one change every presence_every) for `storm`, the fault ends (or is
// repaired, as an admin would), and one final Teams change per agent (to a presence other than
// its last) follows at once; for the notification faults (dropped, duplicated, reordered) the
// final change is made while the fault is still on, the last thing of the storm, so only the
// repair channels can bring it. Oracle (chaos_oracle.hpp): every agent's state is what the
// rules give for its final Teams presence. Measured from the end of the fault (or the repair):
// the time until each agent says so (p50, max), the agents still wrong at the deadline, and the
// Graph and token calls our app made from the storm's start until convergence, from the
// emulator's counts (GET /_emulator/requests): *wasted* are those the emulator refused (429,
// 5xx, 401, 403) or that arrived before a Retry-After it had given our app had elapsed, each
// request once.

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <set>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "support/chaos_oracle.hpp"
#include "support/chaos_system.hpp"

namespace ccteams::testing {

struct StormOptions {
  std::string binary;
  unsigned seed = 1;
  int agents = 5;
  int sync_round_ms = 2000;                       // the bulk-read round (repairs dropped ones)
  std::chrono::milliseconds storm{2000};          // how long each fault lasts
  std::chrono::milliseconds presence_every{100};  // one Teams change this often during it
  int latency_ms = 3000;                          // the latency spike, on every Graph call
  int retry_after_seconds = 2;                    // the 429 storm's Retry-After
  std::chrono::milliseconds converge_deadline{20'000};
  // The demo reads its subscriptions back from Graph this often (--sync-probe-seconds; 180 in
  // service): "subscription deleted" expects a new one within it (plus a keeper pass, 5 s).
  int probe_seconds = 3;
  std::vector<std::string> only;  // names of the storms to run (all when empty)
  std::filesystem::path work_dir;
};

struct StormResult {
  std::string name;
  std::vector<double> converge_ms;
  std::map<std::string, int> by_channel;
  int wrong_states = 0;
  std::uint64_t graph_requests = 0;   // our app's Graph calls, storm start to convergence
  std::uint64_t token_requests = 0;   // its token requests (app and the sync account's)
  std::uint64_t refused = 0;          // 429, 5xx, 401, 403 (Graph and token)
  std::uint64_t before_retry_after = 0;
  std::uint64_t wasted = 0;           // refused or before Retry-After, each once
  std::string note;                   // what the repair took, what the service reported
};

struct StormReport {
  std::vector<StormResult> storms;
  std::vector<std::string> failures;
  std::uint64_t presence_changes = 0;

  int wrong_states() const {
    int n = 0;
    for (const auto& s : storms) n += s.wrong_states;
    return n;
  }

  void print(std::FILE* out, const StormOptions& o) const {
    std::fprintf(out,
                 "fault storms: seed %u, %d agents, storm %lld ms, Teams change every %lld ms, "
                 "bulk-read round %d ms, latency %d ms, Retry-After %d s, deadline %lld ms\n",
                 o.seed, o.agents, static_cast<long long>(o.storm.count()),
                 static_cast<long long>(o.presence_every.count()), o.sync_round_ms, o.latency_ms,
                 o.retry_after_seconds, static_cast<long long>(o.converge_deadline.count()));
    std::fprintf(out,
                 "| storm | converge p50 / max (ms) | wrong states | channel | Graph calls | token "
                 "calls | refused | before Retry-After | wasted | notes |\n"
                 "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (const auto& s : storms) {
      std::string channels;
      for (const auto& [c, n] : s.by_channel) {
        channels += (channels.empty() ? "" : ", ") + c + " " + std::to_string(n);
      }
      std::fprintf(out, "| %s | %.0f / %.0f | %d | %s | %llu | %llu | %llu | %llu | %llu | %s |\n",
                   s.name.c_str(), percentile(s.converge_ms, 0.5), percentile(s.converge_ms, 1.0),
                   s.wrong_states, channels.c_str(),
                   static_cast<unsigned long long>(s.graph_requests),
                   static_cast<unsigned long long>(s.token_requests),
                   static_cast<unsigned long long>(s.refused),
                   static_cast<unsigned long long>(s.before_retry_after),
                   static_cast<unsigned long long>(s.wasted), s.note.c_str());
    }
    std::fprintf(out, "Teams presence changes: %llu; wrong states: %d\n",
                 static_cast<unsigned long long>(presence_changes), wrong_states());
    for (const auto& f : failures) std::fprintf(out, "failure: %s\n", f.c_str());
  }
};

class StormRun {
 public:
  explicit StormRun(StormOptions o)
      : o_(std::move(o)),
        rng_(o_.seed),
        sys_(ChaosSystemOptions{.binary = o_.binary,
                                .agents = o_.agents,
                                .sync_round_ms = o_.sync_round_ms,
                                .presence_every = o_.presence_every,
                                .contact_every = std::chrono::milliseconds(60),
                                .emulator_args = {},
                                .demo_args = {"--sync-probe-seconds",
                                              std::to_string(o_.probe_seconds)},
                                .work_dir = o_.work_dir}) {}

  StormReport run() {
    if (sys_.setup()) {
      for (const auto& storm : storms()) {
        if (!o_.only.empty() &&
            std::find(o_.only.begin(), o_.only.end(), storm.name) == o_.only.end()) {
          continue;
        }
        run_storm(storm);
      }
    }
    std::lock_guard lock(sys_.mu);
    report_.failures = sys_.failures;
    report_.presence_changes = sys_.presence_changes;
    return report_;
  }

 private:
  struct Storm {
    std::string name;
    std::function<bool(StormResult&)> start;
    std::function<bool(StormResult&)> end;  // ends the fault or repairs what it broke
    bool final_during_fault = false;
  };

  bool faults(const boost::json::object& body) {
    auto r = sys_.emulator().call("POST", "/_emulator/faults", boost::json::serialize(body));
    if (!r || r->status != 200) return sys_.fail("faults: " + (r ? r->body : r.error().message));
    return true;
  }
  bool control(const std::string& path, const boost::json::object& body = {}) {
    auto r = sys_.emulator().call("POST", path, boost::json::serialize(body));
    if (!r || r->status / 100 != 2) return sys_.fail(path + ": " + (r ? r->body : r.error().message));
    return true;
  }
  static bool no_op(StormResult&) { return true; }

  std::vector<Storm> storms() {
    const double seconds = static_cast<double>(o_.storm.count()) / 1000.0;
    const std::string app = sys_.emulator().app_id();
    std::vector<Storm> out;
    out.push_back({"429 storm",
                   [this, seconds](StormResult&) {
                     return faults({{"throttleStormSeconds", seconds},
                                    {"throttleStormRetryAfter", o_.retry_after_seconds}});
                   },
                   [this](StormResult&) {
                     return faults({{"throttleStormSeconds", 0}, {"resetThrottling", true}});
                   }});
    out.push_back({"5xx burst", [this](StormResult&) { return faults({{"status5xxRate", 1.0}}); },
                   [this](StormResult&) { return faults({{"status5xxRate", 0}}); }});
    out.push_back({"latency spike",
                   [this](StormResult&) { return faults({{"latencyMs", o_.latency_ms}}); },
                   [this](StormResult&) { return faults({{"latencyMs", 0}}); }});
    // The cached tokens stop working (as after a revocation or their expiry) while Entra's
    // token endpoint answers 503: no new one until the outage ends.
    out.push_back({"token outage",
                   [this](StormResult&) {
                     return faults({{"tokenOutageSeconds", 3600}, {"revokeAccessTokens", true}});
                   },
                   [this](StormResult&) { return faults({{"tokenOutageSeconds", 0}}); }});
    out.push_back({"dropped notifications",
                   [this](StormResult&) { return faults({{"dropNotificationRate", 1.0}}); },
                   [this](StormResult&) { return faults({{"dropNotificationRate", 0}}); }, true});
    out.push_back({"duplicated notifications",
                   [this](StormResult&) { return faults({{"duplicateNotificationRate", 1.0}}); },
                   [this](StormResult&) { return faults({{"duplicateNotificationRate", 0}}); },
                   true});
    out.push_back({"reordered notifications",
                   [this](StormResult&) { return faults({{"reorderNotifications", true}}); },
                   [this](StormResult&) { return faults({{"reorderNotifications", false}}); },
                   true});
    // Graph deletes the subscription and says nothing (as for presence); nothing to repair.
    out.push_back({"subscription deleted",
                   [this](StormResult& r) {
                     const auto subs = sys_.webhook_subscriptions();
                     for (const auto& id : subs) {
                       if (!control("/_emulator/subscriptions/" + id + "/remove")) return false;
                     }
                     removed_ = {subs.begin(), subs.end()};
                     removed_at_ = std::chrono::steady_clock::now();
                     r.note = "removed " + std::to_string(subs.size());
                     return !subs.empty() || sys_.fail("no subscription to delete");
                   },
                   no_op});
    // The tenant's admin revokes consent (the sync account's refresh token dies with it), then
    // grants it again; the ccteams admin sets the connector up again if it noticed, and signs
    // the sync account in again.
    out.push_back({"consent revoked",
                   [this, app](StormResult&) {
                     return control("/_emulator/consent/revoke", {{"clientId", app}});
                   },
                   [this, app](StormResult& r) {
                     if (!control("/_emulator/consent/grant", {{"clientId", app}})) return false;
                     const std::string status = connector_status();
                     r.note = "connector " + status;
                     if (status != "Active") {
                       if (!sys_.set_up_connector()) return false;
                       r.note += ", set up again";
                     }
                     r.note += ", sync account " + sync_account_health();
                     if (!sys_.sign_in_sync_account()) return false;
                     r.note += ", signed in again";
                     return true;
                   }});
    // The sync account's sessions are revoked (its refresh token dies), its access token stops
    // working and Graph asks for the subscription's reauthorisation: presence sync must report
    // that the account needs signing in again; the admin does so.
    out.push_back({"refresh token revoked",
                   [this](StormResult&) {
                     const std::string oid = sys_.emulator().user_id(sys_.admin_upn());
                     if (!control("/_emulator/users/" + oid + "/revoke-sign-in-sessions") ||
                         !faults({{"revokeAccessTokens", true}})) {
                       return false;
                     }
                     for (const auto& id : sys_.webhook_subscriptions()) {
                       control("/_emulator/subscriptions/" + id + "/reauthorization-required");
                     }
                     return true;
                   },
                   [this](StormResult& r) {
                     // Graph's 401 for the cached delegated token makes presence sync refresh
                     // it once; Entra refuses (the sessions are revoked) and the account is
                     // failed at once. Bulk reads (the app's token) converge meanwhile.
                     const auto t0 = std::chrono::steady_clock::now();
                     const bool reported =
                         ChaosSystem::poll_until(std::chrono::seconds(5), [&] {
                           return sync_account_health() == "failed";
                         });
                     const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - t0 + o_.storm)
                                         .count();
                     r.note = reported ? "account reported failed within " +
                                             std::to_string(ms) + " ms of the revocation"
                                       : "account not reported failed (" +
                                             sync_account_health() + ")";
                     if (!reported) sys_.fail("refresh token revoked: " + r.note);
                     if (!sys_.sign_in_sync_account()) return false;
                     r.note += ", signed in again";
                     return true;
                   }});
    return out;
  }

  std::string connector_status() {
    auto r = sys_.send("GET", "/api/v1/connectors/msteams", "", sys_.admin());
    if (!r || r->status != 200) return "unreadable";
    return std::string(boost::json::parse(r->body).at("status").as_string());
  }
  std::string sync_account_health() {
    auto r = sys_.send("GET", "/api/v1/connectors/msteams/sync-accounts", "", sys_.admin());
    if (!r || r->status != 200) return "unreadable";
    const auto v = boost::json::parse(r->body);
    for (const auto& a : v.at("items").as_array()) {
      return std::string(a.at("health").at("state").as_string());
    }
    return "none";
  }

  void churn(std::chrono::milliseconds how_long) {
    sys_.stop = false;
    std::thread changes([this, s = static_cast<unsigned>(rng_())] { sys_.presence_loop(s); });
    std::this_thread::sleep_for(how_long);
    sys_.stop = true;
    changes.join();
  }

  // One Teams change per agent, to a presence other than its last; what the rules give.
  std::map<std::int64_t, ExpectedState> final_changes() {
    std::map<std::int64_t, ExpectedState> want;
    for (auto& a : sys_.agents()) {
      std::pair<std::string, std::string> last;
      {
        std::lock_guard lock(sys_.mu);
        last = sys_.last_presence[a.id];
      }
      for (;;) {
        const bool idle = rng_() % 2 == 0;
        // Not Busy/InACall: a change to it may be our own session's echo (rule 5).
        const auto& p = idle ? kMappedPresences[rng_() % 2]
                             : kUnmappedPresences[rng_() % std::size(kUnmappedPresences)];
        if (last.first == p.first && last.second == p.second) continue;
        sys_.set_presence(a, p.first, p.second);
        want[a.id] = expected_for(p.first, p.second);
        break;
      }
    }
    return want;
  }

  void read_counts(StormResult& r) {
    auto c = sys_.emulator().call("GET", "/_emulator/requests");
    if (!c || c->status != 200) {
      sys_.fail("emulator requests: " + (c ? c->body : c.error().message));
      return;
    }
    const auto v = boost::json::parse(c->body);
    for (const auto& e : v.at("value").as_array()) {
      const auto& o = e.as_object();
      if (o.at("clientId") != sys_.emulator().app_id().c_str()) continue;
      const auto n = [&](const char* k) { return o.at(k).to_number<std::uint64_t>(); };
      (o.at("endpoint") == "token" ? r.token_requests : r.graph_requests) += n("requests");
      r.refused += n("throttled") + n("unavailable") + n("unauthorized");
      r.before_retry_after += n("beforeRetryAfter");
      r.wasted += n("wasted");
    }
  }

  void run_storm(const Storm& storm) {
    StormResult r;
    r.name = storm.name;
    // Quiet before: every agent converged to its last presence (the previous storm's final).
    if (auto reset = sys_.emulator().call("DELETE", "/_emulator/requests");
        !reset || reset->status != 204) {
      sys_.fail(storm.name + ": could not reset the emulator's request counts");
    }
    if (!storm.start(r)) {
      sys_.fail(storm.name + ": the fault did not start");
      report_.storms.push_back(r);
      return;
    }
    churn(o_.storm);
    std::map<std::int64_t, ExpectedState> want;
    if (storm.final_during_fault) want = final_changes();
    if (!storm.end(r)) {
      sys_.fail(storm.name + ": the fault did not end");
      ++r.wrong_states;
    }
    const auto t_end = std::chrono::steady_clock::now();
    if (!storm.final_during_fault) want = final_changes();
    const auto c = measure_convergence(sys_, want, t_end, o_.converge_deadline);
    r.converge_ms = c.ms;
    r.by_channel = c.by_channel;
    for (const auto& [agent, w] : c.wrong) {
      ++r.wrong_states;
      const auto states = sys_.agent_states();
      auto it = states.find(agent);
      sys_.fail(storm.name + ": agent " + std::to_string(agent) + " did not converge to " +
                w.availability + "/" + w.activity + " (" + (w.idle ? "Idle" : "Available") +
                "); it is " +
                (it == states.end() ? std::string("?") : boost::json::serialize(it->second)));
    }
    read_counts(r);
    if (!removed_.empty()) {
      // Presence sync's probe reads its subscriptions back, finds them gone, subscribes again.
      const auto within = std::chrono::seconds(o_.probe_seconds > 0 ? o_.probe_seconds + 10 : 2);
      const bool again = ChaosSystem::poll_until(
          std::max<std::chrono::milliseconds>(
              within - std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - removed_at_),
              std::chrono::milliseconds(500)),
          [&] {
            for (const auto& id : sys_.webhook_subscriptions()) {
              if (!removed_.contains(id)) return true;
            }
            return false;
          });
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - removed_at_)
                          .count();
      r.note += again ? ", subscribed again (seen " + std::to_string(ms) + " ms after the removal)"
                      : ", not subscribed again (bulk reads only)";
      if (!again && o_.probe_seconds > 0) sys_.fail(storm.name + ": not subscribed again");
      removed_.clear();
    }
    report_.storms.push_back(std::move(r));
  }

  StormOptions o_;
  std::mt19937 rng_;
  ChaosSystem sys_;
  StormReport report_;
  std::set<std::string> removed_;  // subscriptions the "subscription deleted" storm removed
  std::chrono::steady_clock::time_point removed_at_{};
};

}  // namespace ccteams::testing
