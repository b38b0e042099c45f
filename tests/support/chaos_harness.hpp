#pragma once
// Issue 17's chaos run (the kill loop), shared by bench/chaos (a table, many kills) and
// tests/chaos_test.cpp (bounded, in CI). No GoogleTest here: what goes wrong is collected in
// the report. The running system is chaos_system.hpp, the rules' oracle chaos_oracle.hpp (both
// shared with the fault storms, fault_storms.hpp).
//
// The world: `ccteams graph-emulator` as its own process (it survives every kill: Teams
// presence, consent, sync accounts' tokens, subscriptions and its delivery counts live there),
// and `ccteams demo --graph-emulator <it>` on a fixed port and data folder, which the harness
// kills with SIGKILL and restarts on the same data. The admin sets the Teams connector up in
// the emulator's pages, signs a sync account in (so Graph sends change notifications to the
// demo's webhook), and links the agents to Teams users of the emulator.
//
// One life: agents work (accept, end, wrap up, back to Available after an idle not made by
// sync), a caller adds contacts, and the Teams clients change presence at a steady rate;
// every other life ends in a burst (every agent's presence at once) and the kill lands while
// its notifications arrive; the others end at a random moment. After each kill:
//   - PRAGMA integrity_check on the database file of the dead process;
//   - the restart; every contact answered 201 exists;
//   - invariants, on a snapshot that held still: an agent Reserved or Engaged names an open
//     contact that is theirs; no contact rings for two agents;
//   - the agents finish their contacts with their own commands and Teams shows everyone
//     Available; then one more presence change per agent (to a mapped presence or an unmapped
//     other one) and the time until the agent's state is what the rules give for it (Idle by
//     presence_sync, or Available) and its Teams presence is the new one: time to converge.
// With the bulk-read round long (sync_round_ms, default 60 s), only change notifications can
// converge within the deadline after the first sync. At the end the emulator's delivery counts
// for the demo's webhook (acknowledged 2xx, failed attempts, dropped) and what is left in the
// presence inbox (acknowledged and never processed: lost).

#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/chaos_oracle.hpp"
#include "support/chaos_system.hpp"

namespace ccteams::testing {

struct ChaosOptions {
  std::string binary;  // the ccteams binary
  unsigned seed = 1;
  int kills = 3;
  int agents = 5;
  std::chrono::milliseconds presence_every{100};  // one Teams presence change this often
  std::chrono::milliseconds contact_every{60};    // one customer contact this often
  std::chrono::milliseconds life_min{800};        // a life lasts between these before its kill
  std::chrono::milliseconds life_max{3000};
  int sync_round_ms = 60000;  // the demo's bulk-read round
  std::chrono::milliseconds converge_deadline{20'000};
  std::filesystem::path work_dir;  // data and emulator CA live under it
};

struct ChaosReport {
  int kills = 0;
  int crashes_survived = 0;  // restarts after which every check passed
  std::uint64_t presence_changes = 0;
  std::uint64_t notifications_queued = 0;        // emulator: for the demo's webhook
  std::uint64_t notifications_acknowledged = 0;  // emulator: in a POST answered 2xx
  std::uint64_t notification_failed_posts = 0;   // emulator: POSTs not answered (kills), retried
  std::uint64_t notifications_dropped = 0;       // emulator: given up or dropped as slow
  std::int64_t inbox_left = -1;                  // acknowledged, never processed (lost)
  std::uint64_t contacts_acknowledged = 0;
  std::uint64_t contacts_lost = 0;
  int invariant_violations = 0;
  int integrity_failures = 0;
  int wrong_states = 0;                     // agents not converged by the deadline
  // Agents found idled by presence_sync while Teams shows only our own app session's Busy /
  // In a call, with no contact, after a restart: the session set before the kill was never
  // cleared, and the restarted process mapped it back (rule 5). Counted apart (a finding),
  // and left out of that round's convergence, since Teams keeps showing the session.
  int stale_own_sessions = 0;
  std::vector<double> converge_ms;          // one per agent per restart
  std::map<std::string, int> converged_by;  // teamsPresence.channel of the converged change
  std::vector<std::string> failures;        // what went wrong, in words

  void print(std::FILE* out, const ChaosOptions& o) const {
    std::fprintf(out,
                 "chaos: seed %u, %d kills, %d agents, presence change every %lld ms, contact "
                 "every %lld ms, bulk-read round %d ms\n",
                 o.seed, o.kills, o.agents, static_cast<long long>(o.presence_every.count()),
                 static_cast<long long>(o.contact_every.count()), o.sync_round_ms);
    std::fprintf(out, "| figure | value |\n| --- | --- |\n");
    std::fprintf(out, "| crashes survived | %d of %d |\n", crashes_survived, kills);
    std::fprintf(out, "| Teams presence changes | %llu |\n",
                 static_cast<unsigned long long>(presence_changes));
    std::fprintf(out, "| notifications acknowledged (2xx) / queued by Graph | %llu / %llu |\n",
                 static_cast<unsigned long long>(notifications_acknowledged),
                 static_cast<unsigned long long>(notifications_queued));
    std::fprintf(out, "| notification POSTs failed (retried by Graph) | %llu |\n",
                 static_cast<unsigned long long>(notification_failed_posts));
    std::fprintf(out, "| notifications dropped by Graph | %llu |\n",
                 static_cast<unsigned long long>(notifications_dropped));
    std::fprintf(
        out, "| notifications applied or superseded | %lld |\n",
        inbox_left < 0 ? -1LL : static_cast<long long>(notifications_acknowledged) - inbox_left);
    std::fprintf(out, "| notifications lost (acknowledged, left unprocessed) | %lld |\n",
                 static_cast<long long>(inbox_left));
    std::fprintf(out, "| contacts acknowledged (201) / lost | %llu / %llu |\n",
                 static_cast<unsigned long long>(contacts_acknowledged),
                 static_cast<unsigned long long>(contacts_lost));
    std::fprintf(out, "| invariant violations | %d |\n", invariant_violations);
    std::fprintf(out, "| integrity_check failures | %d |\n", integrity_failures);
    std::fprintf(out, "| wrong states after the deadline (%lld ms) | %d |\n",
                 static_cast<long long>(o.converge_deadline.count()), wrong_states);
    std::fprintf(out, "| agents idled by our own stale Teams session after a restart | %d |\n",
                 stale_own_sessions);
    std::fprintf(out, "| time to converge p50 / max (ms, %zu changes) | %.0f / %.0f |\n",
                 converge_ms.size(), percentile(converge_ms, 0.5), percentile(converge_ms, 1.0));
    std::string channels;
    for (const auto& [c, n] : converged_by) {
      channels += (channels.empty() ? "" : ", ") + c + " " + std::to_string(n);
    }
    std::fprintf(out, "| converged by channel | %s |\n", channels.c_str());
    for (const auto& f : failures) std::fprintf(out, "failure: %s\n", f.c_str());
  }
};

class ChaosRun {
 public:
  explicit ChaosRun(ChaosOptions o)
      : o_(std::move(o)),
        rng_(o_.seed),
        sys_(ChaosSystemOptions{.binary = o_.binary,
                                .agents = o_.agents,
                                .sync_round_ms = o_.sync_round_ms,
                                .presence_every = o_.presence_every,
                                .contact_every = o_.contact_every,
                                .emulator_args = {},
                                .work_dir = o_.work_dir}) {}

  ChaosReport run() {
    if (sys_.setup()) {
      for (int k = 1; k <= o_.kills; ++k) {
        report_.kills = k;
        const std::size_t failures_before = sys_.failure_count();
        if (!life_and_kill(k % 2 == 1) || !check_after_restart(k)) {
          sys_.fail("stopped after kill " + std::to_string(k));
          break;
        }
        if (sys_.failure_count() == failures_before) ++report_.crashes_survived;
      }
      finish();
    }
    std::lock_guard lock(sys_.mu);
    report_.failures = sys_.failures;
    report_.presence_changes = sys_.presence_changes;
    report_.contacts_acknowledged = sys_.contacts_acknowledged;
    return report_;
  }

 private:
  using Json = boost::json::value;
  using Agent = ChaosSystem::Agent;

  // ---- one life ---------------------------------------------------------------------------

  bool life_and_kill(bool burst) {
    sys_.stop = false;
    auto& agents = sys_.agents();
    std::vector<std::thread> workers;
    for (std::size_t i = 0; i < agents.size(); ++i) {
      workers.emplace_back([this, i, s = static_cast<unsigned>(rng_())] { sys_.agent_loop(i, s); });
    }
    workers.emplace_back([this] { sys_.caller_loop(); });
    workers.emplace_back([this, s = static_cast<unsigned>(rng_())] { sys_.presence_loop(s); });
    const auto span = (o_.life_max - o_.life_min).count();
    std::this_thread::sleep_for(o_.life_min + std::chrono::milliseconds(rng_() % (span + 1)));
    if (burst) {
      // Every agent's presence at once; the kill lands while its notifications are stored.
      for (auto& a : agents) sys_.random_presence(a, rng_);
      std::this_thread::sleep_for(std::chrono::milliseconds(50 + rng_() % 350));
    }
    sys_.demo().signal(SIGKILL);
    const bool died = sys_.demo().wait_exit(std::chrono::seconds(10)).has_value();
    sys_.stop = true;
    for (auto& t : workers) t.join();
    if (!died) return sys_.fail("the demo did not die of SIGKILL");
    check_integrity();
    return sys_.start_demo();
  }

  // ---- after a restart --------------------------------------------------------------------

  bool check_after_restart(int kill) {
    const std::string after = " after kill " + std::to_string(kill);
    std::set<std::int64_t> acknowledged;
    {
      std::lock_guard lock(sys_.mu);
      acknowledged = sys_.acknowledged;
      acknowledged.insert(sys_.ended.begin(), sys_.ended.end());  // ended ones must stay too
    }
    for (auto id : acknowledged) {
      auto r = sys_.send("GET", ChaosSystem::contact_path(id), "", sys_.admin());
      if (!r) return sys_.fail("no answer" + after);
      if (r->status == 404) {
        ++report_.contacts_lost;
        sys_.fail("acknowledged contact " + std::to_string(id) + " lost" + after);
      } else if (r->status == 200 &&
                 boost::json::parse(r->body).at("contact").at("state") == "Ended") {
        std::lock_guard lock(sys_.mu);
        sys_.acknowledged.erase(id);  // ended for good: no need to read it again
        sys_.ended.insert(id);
      }
    }
    check_invariants(after);
    if (!drain(after)) return false;
    converge(after);
    return true;
  }

  // Agents Reserved or Engaged name an open contact of theirs; no contact rings for two agents.
  // Read until a snapshot holds still (timers run meanwhile); a violation counts when it is
  // seen in three snapshots in a row.
  void check_invariants(const std::string& after) {
    std::vector<std::string> seen;
    for (int attempt = 0; attempt < 3; ++attempt) {
      seen = invariant_problems();
      if (seen.empty()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (const auto& p : seen) {
      ++report_.invariant_violations;
      sys_.fail(p + after);
    }
  }

  std::vector<std::string> invariant_problems() {
    std::vector<std::string> out;
    auto states = sys_.agent_states();
    if (states.empty()) out.push_back("the agents' states could not be read");
    std::map<std::int64_t, int> ringing;
    for (const auto& [agent, s] : states) {
      const std::string state(s.at("state").as_string());
      if (state != "Reserved" && state != "Engaged") continue;
      const auto cid = s.at("contactId").as_int64();
      if (state == "Reserved") ++ringing[cid];
      auto r = sys_.send("GET", ChaosSystem::contact_path(cid), "", sys_.admin());
      if (!r || r->status != 200) {
        out.push_back("agent " + std::to_string(agent) + " is " + state + " on contact " +
                      std::to_string(cid) + ", which does not exist");
        continue;
      }
      const auto c = boost::json::parse(r->body).at("contact").as_object();
      const bool mine = c.at("agentId").is_int64() && c.at("agentId").as_int64() == agent;
      const bool party = c.at("party").is_object() &&
                         c.at("party").as_object().contains("agentId") &&
                         c.at("party").at("agentId").as_int64() == agent;
      if (c.at("state") == "Ended" || (!mine && !party)) {
        out.push_back("agent " + std::to_string(agent) + " is " + state + " on " +
                      boost::json::serialize(c));
      }
    }
    for (const auto& [cid, n] : ringing) {
      if (n > 1) out.push_back("contact " + std::to_string(cid) + " rings for two agents");
    }
    return out;
  }

  // Teams shows every agent Available; agents finish their contacts with their own commands
  // until nothing is open and everyone is Available (sync-controlled, with no contact).
  bool drain(const std::string& after) {
    for (auto& a : sys_.agents()) sys_.set_presence(a, "Available", "Available");
    stale_.clear();
    std::map<std::int64_t, std::chrono::steady_clock::time_point> stuck_since;
    const bool done = ChaosSystem::poll_until(std::chrono::seconds(40), [&] {
      bool all = true;
      for (const auto& a : sys_.agents()) {
        if (stale_.contains(a.id)) continue;
        auto me = sys_.send("GET", "/api/v1/me", "", a.token);
        if (!me || me->status != 200) return false;
        const auto s = boost::json::parse(me->body).at("state").as_object();
        const std::string state(s.at("state").as_string());
        const auto tp = s.at("teamsPresence");
        const bool teams_available = tp.is_object() && tp.at("availability") == "Available";
        if (state == "Available" && teams_available) continue;
        all = false;
        const std::string session = state == "Idle" && s.at("origin") == "presence_sync"
                                        ? own_session_only(a)
                                        : std::string();
        if (!session.empty()) {
          const auto now = std::chrono::steady_clock::now();
          auto [it, first] = stuck_since.try_emplace(a.id, now);
          // A session is cleared right after a contact: stale only when it stays 5 s.
          if (!first && now - it->second > std::chrono::seconds(5)) {
            stale_.insert(a.id);
            // The same session holds the agent until it expires: counted once.
            if (stale_sessions_.insert(a.teams_user + " " + session).second) {
              ++report_.stale_own_sessions;
            }
          }
          continue;
        }
        if (state == "LoggedOut") {
          sys_.send("POST", "/api/v1/me/session", "", a.token);
        } else if (state == "Idle" && s.at("origin") != "presence_sync") {
          sys_.send("PUT", "/api/v1/me/state", R"({"state":"Available"})", a.token);
        } else if (state == "Reserved") {
          sys_.send("POST", ChaosSystem::contact_path(s.at("contactId").as_int64()) + "/accept", "", a.token);
        } else if (state == "Engaged") {
          sys_.send("POST", ChaosSystem::contact_path(s.at("contactId").as_int64()) + "/end", "", a.token);
        } else if (state == "WrapUp") {
          sys_.send("POST", ChaosSystem::contact_path(s.at("contactId").as_int64()) + "/wrapup", R"({"code":"done"})",
               a.token);
        }
      }
      return all && open_contacts() == 0;
    });
    if (!done) {
      // What each agent shows, and what Teams shows for its user (sessions included).
      std::string states;
      const auto all = sys_.agent_states();
      for (const auto& a : sys_.agents()) {
        auto it = all.find(a.id);
        auto teams = sys_.emulator().call("GET", "/_emulator/users/" + a.teams_user + "/presence");
        states += "\n  " + a.name + ": " +
                  (it == all.end() ? std::string("?") : boost::json::serialize(it->second)) +
                  "; Teams: " + (teams ? teams->body : teams.error().message);
      }
      return sys_.fail("the agents could not finish their contacts" + after + ":" + states);
    }
    return true;
  }

  // Open contacts among the acknowledged ones and the few ids past them (a contact created
  // just before a kill was never answered, yet it waits in the queue).
  std::size_t open_contacts() {
    std::set<std::int64_t> ids;
    {
      std::lock_guard lock(sys_.mu);
      ids = sys_.acknowledged;
      for (std::int64_t id = sys_.max_id + 1; id <= sys_.max_id + 5; ++id) ids.insert(id);
    }
    std::size_t open = 0;
    for (auto id : ids) {
      auto r = sys_.send("GET", ChaosSystem::contact_path(id), "", sys_.admin());
      if (r && r->status == 200 &&
          boost::json::parse(r->body).at("contact").at("state") != "Ended") {
        ++open;
      } else if (r && r->status == 200) {
        std::lock_guard lock(sys_.mu);
        sys_.acknowledged.erase(id);
        sys_.ended.insert(id);
      }
      if (r && r->status == 200) {
        std::lock_guard lock(sys_.mu);
        sys_.max_id = std::max(sys_.max_id, id);
      }
    }
    return open;
  }

  // One more Teams change per agent (every agent is Available): to a mapped presence, which
  // idles them (presence_sync), or an unmapped other one, which leaves them Available. Waits
  // until each agent's state and Teams presence say so.
  void converge(const std::string& after) {
    std::map<std::int64_t, ExpectedState> want;
    const auto t0 = std::chrono::steady_clock::now();
    for (auto& a : sys_.agents()) {
      if (stale_.contains(a.id)) continue;
      const bool idle = rng_() % 2 == 0;
      // Not Busy/InACall: right after a contact that is our own session's echo (rule 5).
      const auto& p = idle ? kMappedPresences[rng_() % 2]
                           : kUnmappedPresences[1 + rng_() % (std::size(kUnmappedPresences) - 1)];
      sys_.set_presence(a, p.first, p.second);
      want[a.id] = expected_for(p.first, p.second);
    }
    auto c = measure_convergence(sys_, want, t0, o_.converge_deadline);
    report_.converge_ms.insert(report_.converge_ms.end(), c.ms.begin(), c.ms.end());
    for (const auto& [channel, n] : c.by_channel) report_.converged_by[channel] += n;
    for (const auto& [agent, w] : c.wrong) {
      ++report_.wrong_states;
      sys_.fail("agent " + std::to_string(agent) + " did not converge to " + w.availability + "/" +
                w.activity + after);
    }
  }

  void check_integrity() {
    sqlite3* db = nullptr;
    const auto path = (sys_.data_dir() / "ccteams.db").string();
    std::string result = "cannot open";
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK &&
          sqlite3_step(st) == SQLITE_ROW) {
        result = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
    if (result != "ok") {
      ++report_.integrity_failures;
      sys_.fail("integrity_check: " + result);
    }
  }

  // When Teams shows Busy / In a call only because of our app's own session (its id is the
  // app's client id) while the user's own client says otherwise: when that session was set;
  // else "".
  std::string own_session_only(const Agent& a) {
    auto r = sys_.emulator().call("GET", "/_emulator/users/" + a.teams_user + "/presence");
    if (!r || r->status != 200) return {};
    const auto v = boost::json::parse(r->body);
    for (const auto& session : v.at("sessions").as_array()) {
      if (session.at("sessionId") == Json(sys_.emulator().app_id()) &&
          session.at("activity") == "InACall" && v.at("clientState").at("activity") != "InACall") {
        return std::string(session.at("lastSet").as_string());
      }
    }
    return {};
  }

  // The emulator's counts for the demo's webhook, and the inbox once the demo has caught up.
  void finish() {
    ChaosSystem::poll_until(std::chrono::seconds(10), [&] { return sys_.inbox_rows() == 0; });
    report_.inbox_left = sys_.inbox_rows();
    if (report_.inbox_left != 0)
      sys_.fail("presence inbox not empty: " + std::to_string(report_.inbox_left));
    auto d = sys_.emulator().call("GET", "/_emulator/notifications/deliveries");
    if (!d || d->status != 200) {
      sys_.fail("emulator deliveries: " + (d ? d->body : d.error().message));
      return;
    }
    const auto deliveries = boost::json::parse(d->body);
    for (const auto& e : deliveries.at("value").as_array()) {
      if (e.at("url").as_string().find("/webhooks/graph/notifications") == std::string::npos) {
        continue;
      }
      report_.notifications_queued += e.at("queued").to_number<std::uint64_t>();
      report_.notifications_acknowledged += e.at("acknowledged").to_number<std::uint64_t>();
      report_.notification_failed_posts += e.at("failedAttempts").to_number<std::uint64_t>();
      report_.notifications_dropped += e.at("droppedAfterRetries").to_number<std::uint64_t>() +
                                       e.at("droppedSlow").to_number<std::uint64_t>();
    }
  }

  ChaosOptions o_;
  std::mt19937 rng_;
  ChaosSystem sys_;
  ChaosReport report_;
  std::set<std::int64_t> stale_;          // agents held idle by our own stale session this round
  std::set<std::string> stale_sessions_;  // "{teams user} {lastSet}" of those sessions
};

}  // namespace ccteams::testing
