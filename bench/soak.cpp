// soak: a bounded run of the real binary, `ccteams demo` (issue 17), at a steady load, to show
// that nothing accumulates: resident memory, open file descriptors, the presence inbox's backlog
// and the database stay flat. Not in CI (20-30 minutes); docs/reliability.md has its figures.
//
// The load, all through the demo's real front doors:
//   * Teams presence changes of the agents' Teams users, posted to the embedded emulator (its
//     control API, in batches every 100 ms); Graph's side delivers them as change notifications
//     to the demo's webhook (one sync account, one subscription), which stores and applies them;
//   * customer contacts (POST /api/v1/demo/contacts) that the agents, one thread each, accept,
//     end and wrap up over the API, and that presence sync idles and returns as Teams says;
//   * directory searches (GET /api/v1/directory/teams-users?q=...) over the emulated tenant's
//     users, by the agents.
// Every sample (default each 60 s) prints: VmRSS, open fds, the inbox backlog (notifications
// stored and not yet processed, the presence-sync status' inboxAwaiting), the database's size
// on disk (with its WAL), and the work done since the start. The end prints first/last/max of each and judges its drift: the
// floor (minimum) of the last third of the samples against the floor of the first third (the
// first sample is after a minute of warm-up); the exit status is 1 when one grew past its
// allowance (RSS 10 % + 8 MiB, fds 8, backlog 200). The database is reported, not
// judged: it keeps every contact and 24 hours of events, so it grows with the work.
// Usage: soak [minutes (default 25)] [--agents N (20)] [--changes-per-s N (40)]
//             [--contact-every-ms N (250)] [--searches-per-s N (20)] [--sample-s N (60)]
//             [--directory-users N (5000)]

#include <boost/json.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "demo_driver.hpp"

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using ccteams::bench::DemoProcess;
using ccteams::bench::die;

struct Options {
  double minutes = 25;
  int agents = 20;
  int changes_per_s = 40;
  int contact_every_ms = 250;
  int searches_per_s = 20;
  int sample_s = 60;
  int directory_users = 5000;
};

struct Work {
  std::atomic<std::uint64_t> changes{0}, contacts{0}, contacts_refused{0}, searches{0},
      searches_failed{0}, agent_calls_failed{0};
};

struct Sample {
  double minute = 0;
  double rss_mib = 0;
  std::size_t fds = 0;
  double backlog = 0;  // notifications stored, not yet processed (the status' inboxAwaiting)
  double db_mib = 0;
  double stored = 0;  // notifications stored so far
  std::uint64_t contacts = 0, searches = 0;
};

double db_mib(const fs::path& data) {
  std::uintmax_t bytes = 0;
  std::error_code ec;
  for (fs::directory_iterator it(data, ec), end; !ec && it != end; it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (name.find(".db") != std::string::npos) bytes += fs::file_size(it->path(), ec);
  }
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

// One agent: takes what is offered, talks a little, ends, wraps up; back to Available when it
// went Idle by itself (not when presence sync idled it: Teams says when to come back).
void agent_loop(const DemoProcess& demo, const std::string& token, unsigned seed,
                const std::atomic<bool>& stop, Work& work) {
  std::mt19937 rng(seed);
  auto act = [&](const std::string& method, const std::string& target, const std::string& body) {
    const auto r = demo.call(method, target, token, body);
    if (r.status / 100 != 2 && r.status != 409) ++work.agent_calls_failed;  // 409: a race lost
  };
  while (!stop) {
    const auto me = demo.call("GET", "/api/v1/me", token);
    if (me.status != 200) {
      ++work.agent_calls_failed;
      std::this_thread::sleep_for(100ms);
      continue;
    }
    const auto s = json::parse(me.body).at("state").as_object();
    const std::string state(s.at("state").as_string());
    const auto contact = [&] {
      return "/api/v1/contacts/" + std::to_string(s.at("contactId").as_int64());
    };
    if (state == "LoggedOut") {
      act("POST", "/api/v1/me/session", "");
    } else if (state == "Idle" && !(s.at("origin").is_string() &&
                                    s.at("origin").as_string() == "presence_sync")) {
      act("PUT", "/api/v1/me/state", R"({"state":"Available"})");
    } else if (state == "Reserved") {
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 300));
      act("POST", contact() + "/accept", "");
    } else if (state == "Engaged") {
      std::this_thread::sleep_for(std::chrono::milliseconds(200 + rng() % 800));
      act("POST", contact() + "/end", "");
    } else if (state == "WrapUp") {
      act("POST", contact() + "/wrapup", R"({"code":"done"})");
    } else {
      std::this_thread::sleep_for(50ms);
    }
  }
}

// Teams changes of the agents' users: mostly presences rules leave alone, one in five Do not
// disturb / Presenting (the agent is idled until the next change).
void presence_loop(const DemoProcess& demo, const std::vector<std::string>& users,
                   int per_second, const std::atomic<bool>& stop, Work& work) {
  static constexpr std::pair<const char*, const char*> kPresences[] = {
      {"Available", "Available"}, {"Away", "Away"},          {"BeRightBack", "BeRightBack"},
      {"Available", "Available"}, {"DoNotDisturb", "Presenting"}};
  std::mt19937 rng(17);
  const int per_tick = std::max(1, per_second / 10);
  auto tick = Clock::now();
  while (!stop) {
    json::array changes;
    for (int i = 0; i < per_tick; ++i) {
      const auto& [availability, activity] = kPresences[rng() % std::size(kPresences)];
      changes.push_back(json::object{{"id", users[rng() % users.size()]},
                                     {"availability", availability},
                                     {"activity", activity}});
    }
    auto r = demo.emulator("POST", "/_emulator/presence",
                           json::serialize(json::object{{"changes", std::move(changes)}}));
    if (!r || r->status != 200) die("emulator presence: " + (r ? r->body : r.error().message));
    work.changes += static_cast<std::uint64_t>(per_tick);
    tick += 100ms;
    std::this_thread::sleep_until(tick);
  }
}

void caller_loop(const DemoProcess& demo, const std::string& admin, std::int64_t queue,
                 int every_ms, const std::atomic<bool>& stop, Work& work) {
  const std::string body = R"({"queueId":)" + std::to_string(queue) + R"(,"caller":"+15550100"})";
  auto tick = Clock::now();
  while (!stop) {
    const auto r = demo.call("POST", "/api/v1/demo/contacts", admin, body);
    ++(r.status == 201 ? work.contacts : work.contacts_refused);
    tick += std::chrono::milliseconds(every_ms);
    std::this_thread::sleep_until(tick);
  }
}

void search_loop(const DemoProcess& demo, const std::string& token, int per_second,
                 const std::atomic<bool>& stop, Work& work) {
  static constexpr const char* kQueries[] = {"a", "an", "jo", "mar", "sa", "ch", "li", "da",
                                             "el", "ro", "ke", "mi", "st", "be", "al"};
  std::mt19937 rng(29);
  const auto every = std::chrono::microseconds(1'000'000 / std::max(1, per_second));
  auto tick = Clock::now();
  while (!stop) {
    const auto r = demo.call(
        "GET",
        std::string("/api/v1/directory/teams-users?limit=25&q=") + kQueries[rng() % std::size(kQueries)],
        token);
    ++(r.status == 200 ? work.searches : work.searches_failed);
    tick += every;
    std::this_thread::sleep_until(tick);
  }
}

Sample sample(const DemoProcess& demo, const std::string& admin, Clock::time_point t0,
              const Work& work) {
  const std::string m = demo.metrics(admin);
  Sample s;
  s.minute = std::chrono::duration<double>(Clock::now() - t0).count() / 60;
  s.rss_mib = ccteams::bench::rss_of(demo.pid()).now_mib;
  s.fds = ccteams::bench::open_fds(demo.pid());
  s.stored = ccteams::bench::counter_value(
      m, "graph_webhook_notifications_stored_total{endpoint=\"notifications\"} ");
  s.backlog = demo.sync_status(admin).at("inboxAwaiting").to_number<double>();
  s.db_mib = db_mib(demo.data());
  s.contacts = work.contacts;
  s.searches = work.searches;
  return s;
}

void print_sample(const Sample& s) {
  std::printf("  %6.1f  %8.1f  %5zu  %8.0f  %8.1f  %10.0f  %8llu  %9llu\n", s.minute, s.rss_mib,
              s.fds, s.backlog, s.db_mib, s.stored, static_cast<unsigned long long>(s.contacts),
              static_cast<unsigned long long>(s.searches));
  std::fflush(stdout);
}

int parse_int(int argc, char** argv, int& i) {
  if (i + 1 >= argc) die(std::string(argv[i]) + " needs a value");
  return std::atoi(argv[++i]);
}

}  // namespace

int main(int argc, char** argv) {
  ccteams::bench::set_program_name("soak");
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--agents") o.agents = parse_int(argc, argv, i);
    else if (arg == "--changes-per-s") o.changes_per_s = parse_int(argc, argv, i);
    else if (arg == "--contact-every-ms") o.contact_every_ms = parse_int(argc, argv, i);
    else if (arg == "--searches-per-s") o.searches_per_s = parse_int(argc, argv, i);
    else if (arg == "--sample-s") o.sample_s = parse_int(argc, argv, i);
    else if (arg == "--directory-users") o.directory_users = parse_int(argc, argv, i);
    else if (!arg.empty() && arg[0] != '-') o.minutes = std::atof(arg.c_str());
    else die("unknown option " + arg);
  }
  if (o.minutes <= 0 || o.agents < 1 || o.agents > 1000 || o.changes_per_s < 10 ||
      o.contact_every_ms < 10 || o.searches_per_s < 1 || o.sample_s < 5 ||
      o.directory_users < o.agents + 50) {
    die("usage: soak [minutes > 0] [--agents 1..1000] [--changes-per-s >= 10] "
        "[--contact-every-ms >= 10] [--searches-per-s >= 1] [--sample-s >= 5] "
        "[--directory-users >= agents + 50]");
  }
  std::printf("soak: %.1f minutes, %d agents, %d Teams changes/s, a contact every %d ms, %d "
              "directory searches/s over %d users, a sample every %d s\n",
              o.minutes, o.agents, o.changes_per_s, o.contact_every_ms, o.searches_per_s,
              o.directory_users, o.sample_s);
  const DemoProcess demo({.binary = CCTEAMS_BINARY, .agents = o.agents,
                          .emulator_users = o.directory_users});
  const std::string admin = demo.login("admin");
  const std::string domain = demo.connect_teams(admin);
  const auto users = demo.agent_teams_users(admin, o.agents);
  // Presence sync watches the agents who are logged in.
  std::vector<std::string> tokens;
  for (int i = 1; i <= o.agents; ++i) {
    tokens.push_back(demo.login("agent" + std::to_string(i)));
    const auto r = demo.call("POST", "/api/v1/me/session", tokens.back());
    if (r.status != 200) die("log in: " + r.body);
  }
  demo.sign_in_sync_account(admin, "soak-sync@" + domain);
  if (!ccteams::bench::wait_until(
          [&] {
            const auto s = demo.sync_status(admin);
            return s.at("running").as_bool() &&
                   s.at("subscriptions").at("count").as_int64() >= 1 &&
                   s.at("firstSync").at("pending").as_int64() == 0;
          },
          120s)) {
    die("presence sync did not start with a subscription: " +
        json::serialize(demo.sync_status(admin)));
  }
  // The directory mirror, for the searches.
  std::string last_answer;
  if (!ccteams::bench::wait_until(
          [&] {
            const auto r = demo.call("GET", "/api/v1/directory/teams-users?limit=1&q=a", admin);
            last_answer = std::to_string(r.status) + " " + r.body;
            return r.status == 200 && !json::parse(r.body).at("items").as_array().empty();
          },
          120s)) {
    die("the directory mirror stayed empty: " + last_answer);
  }
  // Agents' queue: the first queue of agent1.
  std::int64_t queue = 0;
  const auto agents = json::parse(demo.call("GET", "/api/v1/agents", admin).body);
  for (const auto& a : agents.at("items").as_array()) {
    if (a.at("username").as_string() == "agent1" && !a.at("queueIds").as_array().empty()) {
      queue = a.at("queueIds").as_array().front().as_int64();
    }
  }
  if (queue == 0) die("agent1 is in no queue");

  Work work;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    threads.emplace_back(agent_loop, std::cref(demo), std::cref(tokens[i]),
                         static_cast<unsigned>(i + 1), std::cref(stop), std::ref(work));
  }
  threads.emplace_back(presence_loop, std::cref(demo), std::cref(users), o.changes_per_s,
                       std::cref(stop), std::ref(work));
  threads.emplace_back(caller_loop, std::cref(demo), std::cref(admin), queue, o.contact_every_ms,
                       std::cref(stop), std::ref(work));
  threads.emplace_back(search_loop, std::cref(demo), std::cref(tokens.front()), o.searches_per_s,
                       std::cref(stop), std::ref(work));

  std::printf("  minute  RSS (MiB)   fds   backlog   db (MiB)      stored  contacts   searches\n");
  const auto t0 = Clock::now();
  const auto end = t0 + std::chrono::duration_cast<Clock::duration>(
                            std::chrono::duration<double>(o.minutes * 60));
  std::vector<Sample> samples;
  for (auto next = t0 + std::chrono::seconds(o.sample_s); next <= end;
       next += std::chrono::seconds(o.sample_s)) {
    std::this_thread::sleep_until(next);
    samples.push_back(sample(demo, admin, t0, work));
    print_sample(samples.back());
  }
  stop = true;
  for (auto& t : threads) t.join();
  if (samples.size() < 2) die("too short: fewer than two samples");

  const Sample& first = samples.front();
  const Sample& last = samples.back();
  auto max_of = [&](auto field) {
    double m = 0;
    for (const auto& s : samples) m = std::max(m, static_cast<double>(s.*field));
    return m;
  };
  // The floor of a third of the samples: a leak raises the floor, while a sample that lands on
  // a burst of connections or notifications in flight only raises the maximum.
  const std::size_t third = std::max<std::size_t>(1, samples.size() / 3);
  auto floor_of = [&](auto field, bool at_end) {
    const auto from = at_end ? samples.end() - static_cast<std::ptrdiff_t>(third) : samples.begin();
    double m = static_cast<double>((*from).*field);
    for (auto it = from; it != from + static_cast<std::ptrdiff_t>(third); ++it) {
      m = std::min(m, static_cast<double>((*it).*field));
    }
    return m;
  };
  struct Judged {
    const char* what;
    double first, last, max, floor_start, floor_end, allowance;
  };
  auto judge = [&](const char* what, auto field, double allowance) {
    return Judged{what,
                  static_cast<double>(first.*field),
                  static_cast<double>(last.*field),
                  max_of(field),
                  floor_of(field, false),
                  floor_of(field, true),
                  allowance};
  };
  const Judged judged[] = {
      judge("resident memory (MiB)", &Sample::rss_mib, first.rss_mib * 0.10 + 8),
      judge("open file descriptors", &Sample::fds, 8),
      judge("inbox backlog (stored, unprocessed)", &Sample::backlog, 200),
  };
  const double minutes = last.minute - first.minute;
  std::printf("\nfrom minute %.1f to minute %.1f (%.1f minutes; floors over the first and the "
              "last %zu samples):\n",
              first.minute, last.minute, minutes, third);
  std::printf("  %-36s %9s %9s %9s %11s %11s %9s %9s\n", "figure", "first", "last", "max",
              "floor start", "floor end", "drift", "allowed");
  bool flat = true;
  for (const auto& j : judged) {
    const double drift = j.floor_end - j.floor_start;
    const bool ok = drift <= j.allowance;
    flat = flat && ok;
    std::printf("  %-36s %9.1f %9.1f %9.1f %11.1f %11.1f %+9.1f %9.1f%s\n", j.what, j.first,
                j.last, j.max, j.floor_start, j.floor_end, drift, j.allowance,
                ok ? "" : "  GREW");
  }
  // Not judged: the database keeps what it is meant to keep, every contact, and the event log
  // for 24 hours (contact_center.hpp, event_retention), so it grows with the work done.
  const double contacts_added = static_cast<double>(last.contacts - first.contacts);
  std::printf("  %-36s %9.1f %9.1f %9.1f %11s %11s %+9.1f %9s (%.1f KiB per contact; the "
              "event log keeps 24 h, contacts are kept)\n",
              "database with WAL (MiB)", first.db_mib, last.db_mib, max_of(&Sample::db_mib), "-",
              "-", last.db_mib - first.db_mib, "-",
              contacts_added > 0 ? (last.db_mib - first.db_mib) * 1024 / contacts_added : 0.0);
  const double total_min = last.minute;
  std::printf("  work: %llu Teams changes, %.0f notifications stored (%.1f/s), %llu contacts "
              "(%llu refused), %llu searches (%llu failed), %llu agent calls failed\n",
              static_cast<unsigned long long>(work.changes.load()), last.stored,
              last.stored / (total_min * 60),
              static_cast<unsigned long long>(work.contacts.load()),
              static_cast<unsigned long long>(work.contacts_refused.load()),
              static_cast<unsigned long long>(work.searches.load()),
              static_cast<unsigned long long>(work.searches_failed.load()),
              static_cast<unsigned long long>(work.agent_calls_failed.load()));
  std::printf("soak: %s\n", flat ? "flat" : "something grew (see GREW above)");
  return flat ? 0 : 1;
}
