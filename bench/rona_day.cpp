// rona_day: how many RONA (ring, no answer) a contact-center day has with and without presence
// sync, replayed on simulated time through the real core: the agent state machine
// (core/agent_state.hpp, DESIGN.md's presence rules), the router (core/routing.hpp) and the
// default presence mapping. The day and its activity model are described, with the figures, in
// docs/rona-day.md.
//
// One day is generated once from the seed (customers' arrivals and handling times, every
// agent's Teams meetings, calls and presentations, and which agents forget to set themselves
// idle) and run four ways that differ only in how Teams presence reaches the agent's state:
//   sync off         agents set themselves idle by hand, or forget to
//   12 s sync        the vendor's figure: each agent's presence is read every 12 s
//   10 s poll        an 8x8-style poll every 10 s
//   ccteams          each change arrives after a delay drawn from what presence_bench measured
//                    (a log-normal through its p50 and p99; --ccteams-p50-ms, --ccteams-p99-ms)
// It prints, for each way: contacts, RONA per agent-hour, customers' extra waiting caused by RONA
// (the time they rang at an agent who was not there), and ccteams' reduction against each.
//
// Usage: rona_day [--agents N] [--days D] [--seed S] [--ccteams-p50-ms X] [--ccteams-p99-ms Y]
//                 [--forget P] [--rona-timeout S]

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "core/agent_state.hpp"
#include "core/presence.hpp"
#include "core/routing.hpp"

namespace {

using namespace ccteams;
using std::chrono::milliseconds;
using std::chrono::seconds;

// ---- parameters (docs/rona-day.md explains each) ----
struct Params {
  int agents = 200;
  int days = 5;
  unsigned seed = 7;
  double hours = 10;           // 08:00 to 18:00: arrivals stop at the end, work finishes
  double occupancy = 0.85;     // offered load at the peak hour, of the agents' capacity
  double handle_mean_s = 300;  // customer conversation, log-normal
  double handle_sigma = 0.6;
  int wrap_up_s = 30;                         // desktop profile
  int rona_timeout_s = 15;                    // desktop profile (the product's default)
  double answer_min_s = 2, answer_max_s = 8;  // an agent at the desk answers after this
  double meetings_per_day = 1.5;              // scheduled Teams meetings (Busy/InAConferenceCall)
  double presenting_share = 0.15;             // of meetings: presenting (DoNotDisturb/Presenting)
  double calls_per_day = 3;  // ad-hoc Teams calls (Busy/InACall), exponential length
  double call_mean_s = 240;
  double forget = 0.3;          // sync off: share of activities the agent forgets to mark
  double mark_late_max_s = 60;  // sync off: an ad-hoc call is marked idle 5..this s late
  double back_max_s = 120;      // sync off: Available again 10..this s after the activity
  double notice_max_s = 60;     // after a RONA: Available again 10..this s after noticing
  double ccteams_p50_ms = 350;  // presence_bench: a change to the agent's state (see docs)
  double ccteams_p99_ms = 1100;
  std::int64_t ccteams_round_ms = 1000;  // and every user read again each round (bulk reads)
  std::int64_t session_lag_ms = 1000;    // our setPresence/clearPresence reaching Graph
};

// Arrival curve: share of the peak rate in each hour from 08:00 (a two-peak working day).
constexpr double kHourlyShape[] = {0.45, 0.8, 1.0, 0.9, 0.6, 0.75, 0.95, 0.85, 0.6, 0.4};

enum class TeamsKind : std::uint8_t { meeting, presenting, call };

struct TeamsActivity {
  std::int64_t start_ms;
  std::int64_t length_ms;
  TeamsKind kind;
  bool forgotten;       // sync off: the agent does not mark it
  double mark_late_s;   // sync off, calls: how late the agent marks it
  double back_after_s;  // sync off: how long after the end the agent is Available again
};

struct Customer {
  std::int64_t arrival_ms;
  std::int64_t handle_ms;
};

struct Day {
  std::vector<Customer> customers;
  std::vector<std::vector<TeamsActivity>> activities;  // per agent, by start
};

std::int64_t ms_of(double s) { return static_cast<std::int64_t>(s * 1000.0); }

Day make_day(const Params& p, std::mt19937_64& rng) {
  Day day;
  const double day_s = p.hours * 3600;
  std::uniform_real_distribution<double> u01(0, 1);
  // Teams activities first: they reduce the capacity the arrival rate is sized for.
  day.activities.resize(static_cast<std::size_t>(p.agents));
  double busy_share = 0;
  for (auto& list : day.activities) {
    std::poisson_distribution<int> meetings(p.meetings_per_day);
    std::poisson_distribution<int> calls(p.calls_per_day);
    const int m = meetings(rng);
    for (int i = 0; i < m; ++i) {
      // On a half hour from 08:30 to 17:00, 30 min (70 %) or 60 min.
      const int slot = 1 + static_cast<int>(u01(rng) * 17);
      const double length = u01(rng) < 0.7 ? 1800 : 3600;
      const auto kind = u01(rng) < p.presenting_share ? TeamsKind::presenting : TeamsKind::meeting;
      list.push_back({ms_of(slot * 1800.0), ms_of(length), kind, u01(rng) < p.forget, 0,
                      10 + u01(rng) * (p.back_max_s - 10)});
    }
    const int c = calls(rng);
    std::exponential_distribution<double> call_len(1.0 / p.call_mean_s);
    for (int i = 0; i < c; ++i) {
      list.push_back({ms_of(u01(rng) * (day_s - 600)), ms_of(std::max(20.0, call_len(rng))),
                      TeamsKind::call, u01(rng) < p.forget, 5 + u01(rng) * (p.mark_late_max_s - 5),
                      10 + u01(rng) * (p.back_max_s - 10)});
    }
    std::sort(list.begin(), list.end(),
              [](const auto& a, const auto& b) { return a.start_ms < b.start_ms; });
    // Overlaps: a later activity starts after the earlier one ends.
    for (std::size_t i = 1; i < list.size(); ++i) {
      const auto end = list[i - 1].start_ms + list[i - 1].length_ms;
      if (list[i].start_ms < end) list[i].start_ms = end;
    }
    for (const auto& a : list) busy_share += static_cast<double>(a.length_ms) / ms_of(day_s);
  }
  busy_share /= p.agents;
  // Customers: a non-homogeneous Poisson process (thinning) sized so that the peak hour offers
  // `occupancy` of the capacity left by the Teams activities.
  const double per_agent_s = p.handle_mean_s + p.wrap_up_s + (p.answer_min_s + p.answer_max_s) / 2;
  const double peak_rate = p.occupancy * p.agents * (1 - busy_share) / per_agent_s;
  std::exponential_distribution<double> gap(peak_rate);
  const double mu = std::log(p.handle_mean_s) - p.handle_sigma * p.handle_sigma / 2;
  std::lognormal_distribution<double> handle(mu, p.handle_sigma);
  for (double t = gap(rng); t < day_s; t += gap(rng)) {
    const auto hour = static_cast<std::size_t>(t / 3600);
    if (u01(rng) > kHourlyShape[std::min<std::size_t>(hour, std::size(kHourlyShape) - 1)]) continue;
    day.customers.push_back({ms_of(t), ms_of(std::max(20.0, handle(rng)))});
  }
  return day;
}

// ---- one run of the day ----
enum class Way { sync_off, poll_12s, poll_10s, ccteams };
const char* way_name(Way w) {
  switch (w) {
    case Way::sync_off:
      return "sync off";
    case Way::poll_12s:
      return "12 s sync (vendor)";
    case Way::poll_10s:
      return "10 s poll (8x8-style)";
    case Way::ccteams:
      return "ccteams";
  }
  return "?";
}

struct Figures {
  std::size_t contacts = 0;
  std::size_t answered = 0;
  std::size_t rona = 0;
  std::size_t rona_in_echo_window = 0;  // the agent's Teams call began < 2 min after a contact
  double rona_wait_s = 0;               // customers' ringing at absent agents
  std::size_t customers_with_rona = 0;
  std::vector<double> waits_s;
  double agent_hours = 0;
};

constexpr IdleCodeId kRona{1};
constexpr IdleCodeId kManual{2};
const DefaultMappingCodes kCodes{IdleCodeId{10}, IdleCodeId{11}, IdleCodeId{12}, IdleCodeId{13}};
constexpr QueueId kQueue{1};

Presence presence_of(TeamsKind k) {
  switch (k) {
    case TeamsKind::meeting:
      return make_presence(Availability::busy, Activity::in_a_conference_call);
    case TeamsKind::presenting:
      return make_presence(Availability::do_not_disturb, Activity::presenting);
    case TeamsKind::call:
      return make_presence(Availability::busy, Activity::in_a_call);
  }
  return make_presence(Availability::available, Activity::available);
}
Presence free_presence() { return make_presence(Availability::available, Activity::available); }

class Run {
 public:
  Run(const Params& p, const Day& day, Way way, unsigned seed)
      : p_(p), day_(day), way_(way), rng_(seed), mapping_(default_presence_mapping(kCodes)) {
    const double sigma = std::log(p.ccteams_p99_ms / p.ccteams_p50_ms) / 2.326;
    delay_ = std::lognormal_distribution<double>(std::log(p.ccteams_p50_ms), sigma);
  }

  Figures go() {
    agents_.resize(static_cast<std::size_t>(p_.agents));
    for (int a = 0; a < p_.agents; ++a) {
      auto& ag = agents_[static_cast<std::size_t>(a)];
      ag.state = logged_out_agent(UserId{a}, std::nullopt);
      ag.own = ag.teams = free_presence();
      at(0, [this, a] { command(a, Login{}); });
      if (way_ != Way::sync_off) at(0, [this, a] { command(a, SyncEnabled{}); });
      if (way_ != Way::sync_off) {
        const std::int64_t period = way_ == Way::poll_12s   ? 12'000
                                    : way_ == Way::poll_10s ? 10'000
                                                            : p_.ccteams_round_ms;
        std::uniform_int_distribution<std::int64_t> phase(0, period - 1);
        schedule_poll(a, phase(rng_), period);
      }
      for (const auto& act : day_.activities[static_cast<std::size_t>(a)]) {
        at(act.start_ms, [this, a, act] { activity_starts(a, act); });
      }
    }
    for (std::size_t c = 0; c < day_.customers.size(); ++c) {
      at(day_.customers[c].arrival_ms, [this, c] {
        table_.enqueue(ContactId{static_cast<std::int64_t>(c)}, kQueue, now_ts());
        route();
      });
    }
    const std::int64_t end = ms_of(p_.hours * 3600);
    while (!events_.empty()) {
      auto e = events_.top();
      events_.pop();
      now_ = e.at;
      if (now_ > end + ms_of(3 * 3600.0)) break;  // a day never needs three hours of overtime
      e.run();
    }
    f_.contacts = day_.customers.size();
    f_.agent_hours = p_.agents * p_.hours;
    return f_;
  }

 private:
  struct Event {
    std::int64_t at;
    std::uint64_t seq;
    std::function<void()> run;
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  struct Agent {
    AgentState state;
    Presence own;                          // what the user's own Teams clients show
    bool session = false;                  // our app's Busy/InACall session, as Graph has it
    Presence teams;                        // what Graph shows: the aggregate of both
    std::optional<TeamsActivity> busy;     // the activity the agent is in (cannot answer)
    std::uint64_t seq = 0;                 // Graph's sequenceNumber
    std::int64_t delivered_until = 0;      // ccteams: deliveries stay in order
    std::uint64_t delivered_seq = 0;       // the newest sequenceNumber handed to the core
    std::int64_t cleared_ms = -1'000'000;  // when our Teams session was last cleared
    std::vector<TeamsActivity> deferred;   // meetings that started during a contact
  };

  void at(std::int64_t when, std::function<void()> fn) {
    events_.push({when, next_seq_++, std::move(fn)});
  }
  Timestamp now_ts() const { return from_unix_millis(1'790'000'000'000 + now_); }
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng_);
  }

  // Applies an event to the agent through the core and carries out its effects.
  bool command(int a, const AgentEvent& ev) {
    auto& ag = agents_[static_cast<std::size_t>(a)];
    auto t = apply(ag.state, ev, now_ts());
    if (!t) return false;
    ag.state = std::move(t->state);
    for (const auto& eff : t->effects) {
      if (const auto* r = std::get_if<StartRonaTimer>(&eff)) {
        const auto contact = r->contact;
        at(now_ + p_.rona_timeout_s * 1000LL, [this, a, contact] { rona(a, contact); });
      } else if (const auto* w = std::get_if<StartWrapUpTimer>(&eff)) {
        const auto contact = w->contact;
        at(now_ + p_.wrap_up_s * 1000LL, [this, a, contact] { command(a, WrapUpDone{contact}); });
      } else if (std::holds_alternative<SetTeamsBusy>(eff)) {
        session(a, true);
      } else if (std::holds_alternative<ClearTeamsBusy>(eff)) {
        ag.cleared_ms = now_;
        session(a, false);
      } else if (const auto* q = std::get_if<RequeueContact>(&eff)) {
        const auto& c = day_.customers[static_cast<std::size_t>(q->contact.value)];
        table_.enqueue(q->contact, kQueue, from_unix_millis(1'790'000'000'000 + c.arrival_ms));
      }
    }
    if (ag.state.status == AgentStatus::available) {
      table_.agent_available(UserId{a}, {kQueue}, ag.state.since.value_or(now_ts()));
    } else {
      table_.agent_unavailable(UserId{a});
    }
    route();
    return true;
  }

  void route() {
    for (const auto& offer : table_.take_offers()) {
      const int a = static_cast<int>(offer.agent.value);
      if (!command(a, Offer{offer.contact, seconds{p_.rona_timeout_s}})) {
        const auto& c = day_.customers[static_cast<std::size_t>(offer.contact.value)];
        table_.enqueue(offer.contact, kQueue, from_unix_millis(1'790'000'000'000 + c.arrival_ms));
        continue;
      }
      ring_started_[offer.contact.value] = now_;
      if (!agents_[static_cast<std::size_t>(a)].busy) {
        const auto contact = offer.contact;
        at(now_ + ms_of(uniform(p_.answer_min_s, p_.answer_max_s)),
           [this, a, contact] { answer(a, contact); });
      }
    }
  }

  void answer(int a, ContactId contact) {
    auto& ag = agents_[static_cast<std::size_t>(a)];
    if (ag.state.status != AgentStatus::reserved || ag.state.contact != contact) return;
    if (!command(a, Accept{contact})) return;
    const auto& c = day_.customers[static_cast<std::size_t>(contact.value)];
    const double wait = static_cast<double>(now_ - c.arrival_ms) / 1000.0;
    f_.answered++;
    f_.waits_s.push_back(wait);
    at(now_ + c.handle_ms, [this, a, contact] {
      command(a, ContactEnded{contact, seconds{p_.wrap_up_s}});
      start_deferred(a);  // a meeting that began during the call is joined in the wrap-up
    });
  }

  void rona(int a, ContactId contact) {
    auto& ag = agents_[static_cast<std::size_t>(a)];
    if (ag.state.status != AgentStatus::reserved || ag.state.contact != contact) return;
    f_.rona++;
    if (ag.busy && ag.busy->kind == TeamsKind::call && ag.busy->start_ms >= ag.cleared_ms &&
        ag.busy->start_ms - ag.cleared_ms < kOwnSessionEchoWindow.count()) {
      f_.rona_in_echo_window++;  // rule 5 took the agent's Teams call for our own session
    }
    f_.rona_wait_s += static_cast<double>(now_ - ring_started_[contact.value]) / 1000.0;
    if (rona_customers_.insert(contact.value).second) f_.customers_with_rona++;
    command(a, RonaTimeout{contact, kRona});
    // The agent notices once free again (now, or when the activity ends) and comes back.
    if (!ag.busy) at(now_ + ms_of(uniform(10, p_.notice_max_s)), [this, a] { back_from_rona(a); });
  }

  void back_from_rona(int a) {
    auto& ag = agents_[static_cast<std::size_t>(a)];
    if (ag.busy || ag.state.status != AgentStatus::idle) return;
    if (ag.state.origin == IdleOrigin::rona) command(a, SetAvailable{});
  }

  // Teams presence changes; how it reaches the agent's state depends on the way.
  // The user's own presence changed; Graph's aggregate follows.
  void teams_changes(int a, Presence p) {
    agents_[static_cast<std::size_t>(a)].own = p;
    aggregate(a);
  }

  // Graph's presence of the user: our session's Busy/InACall, unless the user's own presence
  // ranks higher (DoNotDisturb), else the user's own. Every change gets a new sequenceNumber;
  // ccteams hears of it by a change notification after a delay (and by its bulk reads).
  void aggregate(int a) {
    auto& ag = agents_[static_cast<std::size_t>(a)];
    Presence p = ag.own;
    if (ag.session && ag.own.availability != Availability::do_not_disturb) {
      p = own_session_presence();
    }
    if (p == ag.teams) return;
    ag.teams = p;
    ++ag.seq;
    if (way_ != Way::ccteams) return;  // sync off: nothing; polls: read at their ticks
    const auto delivered = std::max(ag.delivered_until, now_ + ms_of(delay_(rng_) / 1000.0));
    ag.delivered_until = delivered;
    const auto seq = ag.seq;
    at(delivered, [this, a, p, seq] { deliver(a, p, seq); });
  }

  // Our outbound writer's setPresence / clearPresence: Graph has it after a round trip.
  void session(int a, bool on) {
    at(now_ + p_.session_lag_ms, [this, a, on] {
      agents_[static_cast<std::size_t>(a)].session = on;
      aggregate(a);
      if (!on && way_ != Way::sync_off) command(a, TeamsBusyCleared{now_ts()});
    });
  }

  void deliver(int a, const Presence& p, std::uint64_t seq) {
    auto& ag = agents_[static_cast<std::size_t>(a)];
    if (seq <= ag.delivered_seq) return;  // the core drops it too (stale or duplicate)
    ag.delivered_seq = seq;
    char stamp[24];
    std::snprintf(stamp, sizeof stamp, "%016llu", static_cast<unsigned long long>(seq));
    ObservedPresence seen{p, now_ts(), PresenceChannel::notification, stamp};
    command(a, presence_changed(seen, mapping_));
  }

  void schedule_poll(int a, std::int64_t when, std::int64_t period) {
    at(when, [this, a, when, period] {
      // Each read is handed to the core unless it was seen already (the same sequenceNumber,
      // which the core drops as a duplicate).
      const auto& ag = agents_[static_cast<std::size_t>(a)];
      deliver(a, ag.teams, ag.seq);
      if (now_ < ms_of(p_.hours * 3600)) schedule_poll(a, when + period, period);
    });
  }

  void activity_starts(int a, const TeamsActivity& act) {
    auto& ag = agents_[static_cast<std::size_t>(a)];
    if (ag.busy) return;
    const auto s = ag.state.status;
    if (s == AgentStatus::reserved || s == AgentStatus::engaged) {
      // A Teams call is declined during a customer's; a meeting is joined late, in the wrap-up.
      if (act.kind != TeamsKind::call) ag.deferred.push_back(act);
      return;
    }
    begin(a, act, act.length_ms);
  }

  void begin(int a, const TeamsActivity& act, std::int64_t length_ms) {
    auto& ag = agents_[static_cast<std::size_t>(a)];
    ag.busy = act;
    teams_changes(a, presence_of(act.kind));
    if (way_ == Way::sync_off && !act.forgotten) {
      // Meetings are marked as the agent leaves for them; an ad-hoc call a little late.
      const double late = act.kind == TeamsKind::call ? act.mark_late_s : 0;
      at(now_ + ms_of(late), [this, a] { mark_idle(a); });
    }
    at(now_ + length_ms, [this, a, act] { activity_ends(a, act); });
  }

  // Sync off: the agent sets Idle by hand, as soon as the desktop lets them (not in wrap-up).
  void mark_idle(int a) {
    auto& g = agents_[static_cast<std::size_t>(a)];
    if (!g.busy) return;
    if (g.state.status == AgentStatus::available) {
      command(a, SetIdle{kManual});
    } else if (g.state.status == AgentStatus::wrap_up) {
      at(now_ + 1000, [this, a] { mark_idle(a); });
    }
  }

  void activity_ends(int a, const TeamsActivity& act) {
    auto& ag = agents_[static_cast<std::size_t>(a)];
    ag.busy.reset();
    teams_changes(a, free_presence());
    const auto s = ag.state.status;
    if (s == AgentStatus::idle && ag.state.origin == IdleOrigin::rona) {
      at(now_ + ms_of(uniform(10, p_.notice_max_s)), [this, a] { back_from_rona(a); });
    } else if (s == AgentStatus::idle && ag.state.origin == IdleOrigin::manual) {
      at(now_ + ms_of(act.back_after_s), [this, a] {
        auto& g = agents_[static_cast<std::size_t>(a)];
        if (!g.busy && g.state.status == AgentStatus::idle &&
            g.state.origin == IdleOrigin::manual) {
          command(a, SetAvailable{});
        }
      });
    }
    start_deferred(a);
  }

  // A meeting that began while the agent was on a customer's call, if enough of it is left.
  void start_deferred(int a) {
    auto& ag = agents_[static_cast<std::size_t>(a)];
    while (!ag.deferred.empty() && !ag.busy && ag.state.status != AgentStatus::reserved &&
           ag.state.status != AgentStatus::engaged) {
      const auto act = ag.deferred.front();
      ag.deferred.erase(ag.deferred.begin());
      const auto left = act.start_ms + act.length_ms - now_;
      if (left > 60'000) begin(a, act, left);
    }
  }

  const Params& p_;
  const Day& day_;
  Way way_;
  std::mt19937_64 rng_;
  PresenceMapping mapping_;
  std::lognormal_distribution<double> delay_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::uint64_t next_seq_ = 0;
  std::int64_t now_ = 0;
  std::vector<Agent> agents_;
  RoutingTable table_;
  std::map<std::int64_t, std::int64_t> ring_started_;
  std::set<std::int64_t> rona_customers_;
  Figures f_;
};

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

bool arg(int& i, int argc, char** argv, const char* name, double& out) {
  if (std::strcmp(argv[i], name) != 0 || i + 1 >= argc) return false;
  out = std::atof(argv[++i]);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Params p;
  for (int i = 1; i < argc; ++i) {
    double v = 0;
    if (arg(i, argc, argv, "--agents", v))
      p.agents = static_cast<int>(v);
    else if (arg(i, argc, argv, "--days", v))
      p.days = static_cast<int>(v);
    else if (arg(i, argc, argv, "--seed", v))
      p.seed = static_cast<unsigned>(v);
    else if (arg(i, argc, argv, "--ccteams-p50-ms", v))
      p.ccteams_p50_ms = v;
    else if (arg(i, argc, argv, "--ccteams-p99-ms", v))
      p.ccteams_p99_ms = v;
    else if (arg(i, argc, argv, "--forget", v))
      p.forget = v;
    else if (arg(i, argc, argv, "--rona-timeout", v))
      p.rona_timeout_s = static_cast<int>(v);
    else {
      std::fprintf(stderr,
                   "usage: rona_day [--agents N] [--days D] [--seed S] [--ccteams-p50-ms X] "
                   "[--ccteams-p99-ms Y] [--forget P] [--rona-timeout S]\n");
      return 2;
    }
  }
  if (p.agents < 1 || p.days < 1 || p.ccteams_p50_ms <= 0 || p.ccteams_p99_ms < p.ccteams_p50_ms ||
      p.forget < 0 || p.forget > 1 || p.rona_timeout_s < 5) {
    std::fprintf(stderr,
                 "rona_day: bad parameters (agents, days >= 1; 0 < p50 <= p99; "
                 "0 <= forget <= 1; rona timeout >= 5 s)\n");
    return 2;
  }
  std::printf(
      "rona_day: %d agents, %d simulated days of %.0f h, seed %u; RONA timeout %d s, "
      "wrap-up %d s, %.0f %% of Teams activities forgotten with sync off;\n"
      "ccteams' delay: log-normal p50 %.0f ms p99 %.0f ms\n",
      p.agents, p.days, p.hours, p.seed, p.rona_timeout_s, p.wrap_up_s, p.forget * 100,
      p.ccteams_p50_ms, p.ccteams_p99_ms);
  const Way ways[] = {Way::sync_off, Way::poll_12s, Way::poll_10s, Way::ccteams};
  Figures total[4];
  std::mt19937_64 rng(p.seed);
  for (int d = 0; d < p.days; ++d) {
    const Day day = make_day(p, rng);
    for (int w = 0; w < 4; ++w) {
      Run run(p, day, ways[w], p.seed * 1000 + static_cast<unsigned>(d));
      auto f = run.go();
      total[w].contacts += f.contacts;
      total[w].answered += f.answered;
      total[w].rona += f.rona;
      total[w].rona_in_echo_window += f.rona_in_echo_window;
      total[w].rona_wait_s += f.rona_wait_s;
      total[w].customers_with_rona += f.customers_with_rona;
      total[w].agent_hours += f.agent_hours;
      total[w].waits_s.insert(total[w].waits_s.end(), f.waits_s.begin(), f.waits_s.end());
    }
  }
  std::printf("\n%-22s %9s %9s %7s %8s %12s %14s %13s %12s\n", "way", "contacts", "answered",
              "RONA", "in echo", "RONA/agent-h", "RONA wait s/h", "hit by RONA", "wait p90 s");
  for (int w = 0; w < 4; ++w) {
    const auto& f = total[w];
    std::printf("%-22s %9zu %9zu %7zu %8zu %12.4f %14.1f %12.2f%% %12.1f\n", way_name(ways[w]),
                f.contacts, f.answered, f.rona, f.rona_in_echo_window, f.rona / f.agent_hours,
                f.rona_wait_s / (p.hours * p.days),
                100.0 * static_cast<double>(f.customers_with_rona) /
                    static_cast<double>(std::max<std::size_t>(f.contacts, 1)),
                percentile(f.waits_s, 0.9));
  }
  std::printf("\nccteams against each (RONA, and customers' ringing at absent agents):\n");
  for (int w = 0; w < 3; ++w) {
    const double r =
        total[w].rona == 0 ? 0 : 1.0 - static_cast<double>(total[3].rona) / total[w].rona;
    const double s =
        total[w].rona_wait_s == 0 ? 0 : 1.0 - total[3].rona_wait_s / total[w].rona_wait_s;
    std::printf(
        "  vs %-22s %5.1f %% fewer RONA, %5.1f %% less ringing at absent agents"
        " (%.1f s of it per simulated hour saved)\n",
        way_name(ways[w]), r * 100, s * 100,
        (total[w].rona_wait_s - total[3].rona_wait_s) / (p.hours * p.days));
  }
  return 0;
}
