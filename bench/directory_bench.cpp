// directory_bench: the Teams directory index (core/directory.hpp) at 100,000 users, and the
// same data and queries through SQLite FTS5 prefix search, in the same run (issue 7).
//
// Data: 100,000 generated users (deterministic seed): common and international given names and
// surnames (accents included), a third of surnames built from syllables so the vocabulary is
// as varied as a real tenant's, 25 departments (among them "Billing") and 30 job titles.
// Prints plain figures:
//   * build: time to upsert every user (tokenising, folding, E.164 normalisation included);
//   * memory: bytes per user of the index (glibc mallinfo2 delta, stored users included);
//   * search: p50/p99 latency of a fixed mix of queries (name prefixes, full names, "billing",
//     infix, filters), first page of 25, in process, per kind and overall;
//   * the same for an in-memory SQLite FTS5 table over the same users (unicode61 tokenizer with
//     diacritics removed, prefix indexes 2 and 3, ORDER BY rank LIMIT 25; FTS5 has no infix, so
//     infix words are sent as prefixes there), and the ratio FTS5 / index.
//   * over HTTP: the same mix through GET /api/v1/directory/teams-users on our real HTTP server
//     (loopback, one keep-alive connection, bearer auth, one server thread), with the
//     DirectoryService loaded with the same users and showUserDetails on (presence from an
//     in-process fake Graph, so the figure is ours, not Graph's), each search run on the
//     organisation's strand as in serve: wall time p50/p99 per request, client included (the
//     access log's lines are not written, to keep this output readable);
//   * a delta round of 1,000 users (changed, new, removed, disabled) applied to the index in
//     the slices DirectorySync uses (kDirectoryDeltaSlice), a search between two slices as on
//     the organisation's strand: the whole round's CPU time and the longest slice, which is
//     how long a search can wait behind it;
//   * resident memory (RSS) of the process with the users generated and the index built.
// Each figure is printed beside its target (issue 18). Every query's first page and total are
// compared with the contract written the slow way (directory_test_support.hpp), before and
// after the delta: the bench exits non-zero on a wrong result, never on a missed target (the
// machine is shared and noisy).
// Usage: directory_bench [rounds]   (default 100 rounds of the query mix; about a minute)

#include <malloc.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapters/crypto/crypto_token_source.hpp"
#include "adapters/http/api/directory_api.hpp"
#include "adapters/http/http_server.hpp"
#include "adapters/http/router.hpp"
#include "adapters/store/sqlite_store.hpp"
#include "app/asio_scheduler.hpp"
#include "app/auth_service.hpp"
#include "app/directory_service.hpp"
#include "app/org_actors.hpp"
#include "app/system_clock.hpp"
#include "app/testing/fake_directory_graph.hpp"
#include "app/testing/fakes.hpp"
#include "app/testing/in_memory_directory_store.hpp"
#include "app/testing/run_awaitable.hpp"
#include "app/testing/test_store.hpp"
#include "app/user_service.hpp"
#include "core/directory.hpp"
#include "core/directory_test_support.hpp"
#include "core/directory_text.hpp"

namespace {

using ccteams::DirectoryIndex;
using ccteams::DirectoryQuery;
using ccteams::TeamsUser;
using Clock = std::chrono::steady_clock;

constexpr int kUsers = 100'000;
constexpr std::size_t kPageSize = 25;

// Word lists, '|'-separated so that multi-word entries (departments, titles) fit.
constexpr const char* kGivenNamesText =
    "James|Mary|John|Patricia|Robert|Jennifer|Michael|Linda|William|Elizabeth|David|Barbara|"
    "Richard|Susan|Joseph|Jessica|Thomas|Sarah|Charles|Karen|Christopher|Nancy|Daniel|Lisa|"
    "Matthew|Betty|Anthony|Margaret|Mark|Sandra|Donald|Ashley|Steven|Kimberly|Paul|Emily|Andrew|"
    "Donna|Joshua|Michelle|Kenneth|Dorothy|Kevin|Carol|Brian|Amanda|George|Melissa|Edward|"
    "Deborah|Ronald|Stephanie|Timothy|Rebecca|Jason|Laura|Jeffrey|Sharon|Ryan|Cynthia|Jacob|"
    "Kathleen|Gary|Amy|Nicholas|Shirley|Eric|Angela|Jonathan|Helen|Stephen|Anna|Larry|Brenda|"
    "Justin|Pamela|Scott|Nicole|Brandon|Emma|Benjamin|Samantha|Samuel|Katherine|Gregory|"
    "Christine|Alexander|Debra|Frank|Rachel|Patrick|Catherine|Raymond|Carolyn|Jack|Janet|Dennis|"
    "Ruth|Jerry|Maria|Tyler|Heather|Aaron|Diane|José|Virginia|Adam|Julie|Henry|Joyce|Nathan|"
    "Victoria|Douglas|Olivia|Zachary|Kelly|Peter|Christina|Kyle|Lauren|Walter|Joan|Ethan|Evelyn|"
    "Jeremy|Judith|Harold|Megan|Keith|Cheryl|Christian|Andrea|Roger|Hannah|Noah|Martha|Gerald|"
    "Jacqueline|Carl|Frances|Terry|Gloria|Sean|Ann|Austin|Teresa|Arthur|Kathryn|Lawrence|Sara|"
    "Jesse|Janice|Dylan|Jean|Bryan|Alice|Joe|Madison|Jordan|Doris|Billy|Abigail|Bruce|Julia|"
    "Albert|Judy|Gabriel|Denise|Logan|Amber|Alan|Marilyn|Juan|Beverly|Wayne|Danielle|Roy|"
    "Theresa|Ralph|Sophia|Randy|Marie|Eugene|Diana|Vincent|Brittany|Russell|Natalie|Elijah|"
    "Isabella|Louis|Charlotte|Philip|Alexis|Johnny|Kayla|Søren|Łukasz|François|Jürgen|Zoë|Björn|"
    "Ángel|Chloé|Émile|Håkan|Małgorzata|Renée|Inès|Sven|Giulia|Matteo|Yuki|Hiroshi|Priya|Arjun|"
    "Wei|Mei|Olga|Dmitri|Fatima|Omar|Aisha|Mohammed|Ayşe|Mehmet|Ştefan|Ioana|Siobhán|Seán";
constexpr const char* kSurnamesText =
    "Smith|Johnson|Williams|Brown|Jones|Garcia|Miller|Davis|Rodriguez|Martinez|Hernandez|Lopez|"
    "Gonzalez|Wilson|Anderson|Thomas|Taylor|Moore|Jackson|Martin|Lee|Perez|Thompson|White|"
    "Harris|Sanchez|Clark|Ramirez|Lewis|Robinson|Walker|Young|Allen|King|Wright|Scott|Torres|"
    "Nguyen|Hill|Flores|Green|Adams|Nelson|Baker|Hall|Rivera|Campbell|Mitchell|Carter|Roberts|"
    "Gomez|Phillips|Evans|Turner|Diaz|Parker|Cruz|Edwards|Collins|Reyes|Stewart|Morris|Morales|"
    "Murphy|Cook|Rogers|Gutierrez|Ortiz|Morgan|Cooper|Peterson|Bailey|Reed|Kelly|Howard|Ramos|"
    "Kim|Cox|Ward|Richardson|Watson|Brooks|Chavez|Wood|James|Bennett|Gray|Mendoza|Ruiz|Hughes|"
    "Price|Alvarez|Castillo|Sanders|Patel|Myers|Long|Ross|Foster|Jimenez|Powell|Jenkins|Perry|"
    "Russell|Sullivan|Bell|Coleman|Butler|Henderson|Barnes|Fisher|Vasquez|Simmons|Romero|Jordan|"
    "Patterson|Alexander|Hamilton|Graham|Reynolds|Griffin|Wallace|Moreno|West|Cole|Hayes|Bryant|"
    "Herrera|Gibson|Ellis|Tran|Medina|Aguilar|Stevens|Murray|Ford|Castro|Marshall|Owens|Harrison|"
    "Fernandez|McDonald|Woods|Washington|Kennedy|Wells|Vargas|Henry|Chen|Freeman|Webb|Tucker|"
    "Guzman|Burns|Crawford|Olson|Simpson|Porter|Hunter|Gordon|Mendez|Silva|Shaw|Snyder|Mason|"
    "Dixon|Muñoz|Hunt|Hicks|Holmes|Palmer|Wagner|Black|Robertson|Boyd|Rose|Stone|Salazar|Fox|"
    "Warren|Mills|Meyer|Rice|Schmidt|Garza|Daniels|Ferguson|Nichols|Stephens|Soto|Weaver|Ryan|"
    "Gardner|Payne|Grant|Dunn|Spencer|Hawkins|Arnold|Pierce|Hansen|Peters|Santos|Hart|Bradley|"
    "Knight|Elliott|Cunningham|Duncan|Armstrong|Hudson|Carroll|Lane|Riley|Andrews|Alvarado|Ray|"
    "Delgado|Berry|Perkins|Hoffman|Johnston|Matthews|Peña|Richards|Willis|Carpenter|Lawrence|"
    "Müller|Schröder|Kowalski|Nowak|Wiśniewski|Dubois|Lefèvre|Jørgensen|Østergaard|Åberg|"
    "Lindström|Nilsson|Rossi|Bianchi|Ferrari|Yamamoto|Tanaka|Suzuki|Sato|Kumar|Sharma|Singh|"
    "Gupta|Ivanov|Petrov|Öztürk|Yılmaz|Popescu|Ionescu|O'Brien|O'Connor|MacLeod|van der Berg|"
    "de la Cruz|Strøm|Ó Súilleabháin";
// Syllables for the surnames no list holds (a real tenant's long tail).
constexpr const char* kHeadText =
    "Kal|Ber|Mon|Tre|Vel|Har|Lin|Ost|Dra|Fen|Gal|Hol|Isa|Jor|Kre|Lom|Mar|Nor|Pal|Quin|Ros|Sal|"
    "Tor|Ul|Van|Wes|Yar|Zel|Bro|Cas";
constexpr const char* kMidText = "a|e|i|o|u|en|an|ar|el|or|ven|sto|ri|la|mo|ne|ta|ber|dal|ko";
constexpr const char* kTailText =
    "berg|son|ström|ley|ford|ton|wick|man|stein|ez|ini|ovic|sky|ard|ett|oux|ani|ier|holm|dorf";
constexpr const char* kDepartmentsText =
    "Billing|Billing Operations|Customer Support|Technical Support|Sales|Inside Sales|Marketing|"
    "Finance|Accounts Payable|Accounts Receivable|Legal|Human Resources|IT|Engineering|"
    "Product Management|Procurement|Logistics|Recherche & Développement|Facilities|Security|"
    "Compliance|Customer Success|Training|Quality Assurance|Executive Office";
constexpr const char* kTitlesText =
    "Billing Specialist|Billing Analyst|Billing Manager|Support Engineer|Senior Support Engineer|"
    "Team Lead|Account Executive|Account Manager|Sales Representative|Marketing Manager|"
    "Financial Analyst|Accountant|Legal Counsel|Paralegal|HR Business Partner|Recruiter|"
    "Software Engineer|Senior Software Engineer|Product Manager|Buyer|Logistics Coordinator|"
    "Researcher|Facilities Manager|Security Analyst|Compliance Officer|Customer Success Manager|"
    "Trainer|QA Engineer|Director|Vice President";

std::vector<std::string> split(const char* text) {
  std::vector<std::string> out;
  std::string current;
  for (const char* p = text; *p != 0; ++p) {
    if (*p == '|') {
      out.push_back(current);
      current.clear();
    } else {
      current.push_back(*p);
    }
  }
  out.push_back(current);
  return out;
}

// splitmix64: the same users on every machine and standard library (std distributions are not
// specified bit for bit).
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  const std::string& pick(const std::vector<std::string>& items) {
    return items[next() % items.size()];
  }
  bool chance(int percent) { return static_cast<int>(next() % 100) < percent; }
};

std::string ascii_mail_part(const std::string& name) {
  std::string out;
  for (const std::string& t : ccteams::directory_tokens(name)) {
    if (!out.empty()) out += '.';
    out += t;
  }
  return out;
}

std::vector<TeamsUser> generate_users() {
  const auto given = split(kGivenNamesText);
  const auto surnames = split(kSurnamesText);
  const auto head = split(kHeadText);
  const auto mid = split(kMidText);
  const auto tail = split(kTailText);
  const auto departments = split(kDepartmentsText);
  const auto titles = split(kTitlesText);
  Rng rng{20261124};
  std::vector<TeamsUser> users;
  users.reserve(kUsers);
  std::map<std::string, int> mail_count;
  for (int i = 0; i < kUsers; ++i) {
    TeamsUser u;
    char id[40];
    std::snprintf(id, sizeof id, "%08x-0000-4000-8000-%012d", static_cast<unsigned>(rng.next()), i);
    u.id = id;
    u.given_name = rng.pick(given);
    if (rng.chance(33)) {
      u.surname = rng.pick(head) + rng.pick(mid) + rng.pick(tail);
    } else {
      u.surname = rng.pick(surnames);
      if (rng.chance(8)) u.surname += "-" + rng.pick(surnames);
    }
    u.display_name = u.given_name + ' ' + u.surname;
    std::string local = ascii_mail_part(u.given_name) + '.' + ascii_mail_part(u.surname);
    const int n = mail_count[local]++;
    if (n > 0) local += std::to_string(n + 1);
    u.mail = local + "@contoso.com";
    u.user_principal_name = u.mail;
    u.department = rng.pick(departments);
    u.job_title = rng.pick(titles);
    const auto phone = rng.next() % 100;
    if (phone < 80) {
      char number[32];
      std::snprintf(number, sizeof number, "+1 425 555 %04d", static_cast<int>(rng.next() % 10000));
      u.business_phones = {number};
    } else if (phone < 90) {
      u.business_phones = {"ext. " + std::to_string(1000 + rng.next() % 9000)};
    }
    users.push_back(std::move(u));
  }
  return users;
}

struct BenchQuery {
  const char* kind;
  const char* text;
  const char* department;
  const char* job_title;
};

// The fixed mix; every kind has several queries so one lucky word does not decide its figure.
constexpr std::array<BenchQuery, 20> kQueries = {{
    {"name prefix", "jo", "", ""},
    {"name prefix", "mar", "", ""},
    {"name prefix", "sm", "", ""},
    {"name prefix", "gar", "", ""},
    {"name prefix", "mül", "", ""},
    {"name prefix", "jo sm", "", ""},
    {"full name", "maria garcia", "", ""},
    {"full name", "john smith", "", ""},
    {"full name", "søren jørgensen", "", ""},
    {"department", "billing", "", ""},
    {"department", "billing spec", "", ""},
    {"department", "support", "", ""},
    {"infix", "ander", "", ""},
    {"infix", "stro", "", ""},
    {"infix", "berg", "", ""},
    {"infix", "vento", "", ""},
    {"filtered", "an", "Billing", ""},
    {"filtered", "", "Billing", ""},
    {"filtered", "sup", "", "Support Engineer"},
    {"filtered", "ma", "Sales", "Account Executive"},
}};

std::size_t heap_in_use() { return mallinfo2().uordblks; }

// Issue 18's targets, printed beside the figures.
constexpr double kTargetP99Us = 500;
constexpr double kTargetHttpP99Us = 2000;
constexpr double kTargetBytesPerUser = 571;
constexpr double kTargetDeltaMs = 50;
constexpr int kDeltaUsers = 1000;

const char* verdict(bool met) { return met ? "ok" : "MISSED"; }

double rss_mb() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long pages = 0;
  unsigned long resident = 0;
  const int n = std::fscanf(f, "%lu %lu", &pages, &resident);
  std::fclose(f);
  return n == 2 ? static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6
                : 0;
}

// Thread CPU time: the 2 cores of the build machine are shared, and wall time then mostly
// measures the neighbours. Wall time is printed beside it.
double thread_cpu_us() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

struct Stopwatch {
  Clock::time_point wall = Clock::now();
  double cpu = thread_cpu_us();
  double wall_us() const {
    return std::chrono::duration<double, std::micro>(Clock::now() - wall).count();
  }
  double cpu_us() const { return thread_cpu_us() - cpu; }
};

struct Latencies {
  std::map<std::string, std::vector<double>> by_kind;  // CPU microseconds
  std::vector<double> all_cpu;
  std::vector<double> all_wall;
  void add(const char* kind, const Stopwatch& w) {
    const double cpu = w.cpu_us();
    const double wall = w.wall_us();
    by_kind[kind].push_back(cpu);
    all_cpu.push_back(cpu);
    all_wall.push_back(wall);
  }
};

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const auto i = std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())));
  return v[i];
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "directory_bench: %s\n", what.c_str());
  std::exit(1);
}

struct SqliteClose {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteClose>;
using StmtHandle = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

constexpr const char* kFtsCreate =
    "CREATE VIRTUAL TABLE people USING fts5(uid UNINDEXED, display_name, given_name, surname, "
    "mail_local, job_title, department, dept_key UNINDEXED, title_key UNINDEXED, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')";
constexpr const char* kFtsInsert =
    "INSERT INTO people (uid, display_name, given_name, surname, mail_local, job_title, "
    "department, dept_key, title_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
// The filters are exact on the folded value, as in the index; FTS narrows by column first.
constexpr const char* kFtsSearch =
    "SELECT uid FROM people WHERE people MATCH ?1 AND (?2 = '' OR dept_key = ?2) AND "
    "(?3 = '' OR title_key = ?3) ORDER BY rank LIMIT 25";
constexpr const char* kFtsCount =
    "SELECT count(*) FROM people WHERE people MATCH ?1 AND (?2 = '' OR dept_key = ?2) AND "
    "(?3 = '' OR title_key = ?3)";

void exec(sqlite3* db, const char* sql) {
  char* message = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message != nullptr ? message : "?";
    sqlite3_free(message);
    fail(std::string("sqlite: ") + text);
  }
}

StmtHandle prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) {
    fail(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
  }
  return StmtHandle(raw);
}

void bind_str(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

std::string joined(const std::vector<std::string>& tokens) {
  std::string out;
  for (const std::string& t : tokens) out += (out.empty() ? "" : " ") + t;
  return out;
}

// (Not "bind": an rvalue std::string argument would make ADL pick std::bind, silently.)
// The FTS5 expression of a bench query: every word a prefix (AND), a filter a column phrase.
std::string fts_match(const BenchQuery& q) {
  std::string expr;
  const auto add = [&](const std::string& term) { expr += (expr.empty() ? "" : " AND ") + term; };
  for (const std::string& w : ccteams::directory_tokens(q.text)) add("\"" + w + "\"*");
  if (*q.department != 0) add("department : \"" + ccteams::directory_fold(q.department) + "\"");
  if (*q.job_title != 0) add("job_title : \"" + ccteams::directory_fold(q.job_title) + "\"");
  return expr;
}

struct FtsFigures {
  Latencies latencies;
  std::vector<std::size_t> totals;
  double build_cpu_us = 0;
  double build_wall_us = 0;
  std::size_t bytes = 0;
};

FtsFigures run_fts(const std::vector<TeamsUser>& users, int rounds) {
  FtsFigures f;
  const std::size_t heap_before = heap_in_use();
  sqlite3* raw = nullptr;
  if (sqlite3_open(":memory:", &raw) != SQLITE_OK) fail("sqlite open");
  SqliteHandle db(raw);
  exec(db.get(), kFtsCreate);
  const Stopwatch build;
  exec(db.get(), "BEGIN");
  {
    StmtHandle insert = prepare(db.get(), kFtsInsert);
    for (const TeamsUser& u : users) {
      sqlite3_reset(insert.get());
      bind_str(insert.get(), 1, u.id);
      bind_str(insert.get(), 2, u.display_name);
      bind_str(insert.get(), 3, u.given_name);
      bind_str(insert.get(), 4, u.surname);
      bind_str(insert.get(), 5, joined(ccteams::directory_mail_tokens(u.mail)));
      bind_str(insert.get(), 6, u.job_title);
      bind_str(insert.get(), 7, u.department);
      bind_str(insert.get(), 8, ccteams::directory_fold(u.department));
      bind_str(insert.get(), 9, ccteams::directory_fold(u.job_title));
      if (sqlite3_step(insert.get()) != SQLITE_DONE) fail(sqlite3_errmsg(db.get()));
    }
  }
  exec(db.get(), "COMMIT");
  f.build_cpu_us = build.cpu_us();
  f.build_wall_us = build.wall_us();
  f.bytes = heap_in_use() - heap_before;

  StmtHandle search = prepare(db.get(), kFtsSearch);
  StmtHandle count = prepare(db.get(), kFtsCount);
  const auto bind_query = [](sqlite3_stmt* s, const BenchQuery& q) {
    sqlite3_reset(s);
    bind_str(s, 1, fts_match(q));
    bind_str(s, 2, ccteams::directory_fold(q.department));
    bind_str(s, 3, ccteams::directory_fold(q.job_title));
  };
  f.totals.resize(kQueries.size());
  for (std::size_t q = 0; q < kQueries.size(); ++q) {
    bind_query(count.get(), kQueries[q]);
    if (sqlite3_step(count.get()) != SQLITE_ROW) {
      fail(std::string(sqlite3_errmsg(db.get())) + " in " + fts_match(kQueries[q]));
    }
    f.totals[q] = static_cast<std::size_t>(sqlite3_column_int64(count.get(), 0));
  }
  for (int round = 0; round < rounds; ++round) {
    for (const BenchQuery& q : kQueries) {
      const Stopwatch watch;
      bind_query(search.get(), q);  // building the expression is part of the work, as ours
      std::vector<std::string> ids;
      int rc = SQLITE_ROW;
      while ((rc = sqlite3_step(search.get())) == SQLITE_ROW) {
        ids.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(search.get(), 0)));
      }
      f.latencies.add(q.kind, watch);
      if (rc != SQLITE_DONE) fail(sqlite3_errmsg(db.get()));
    }
  }
  return f;
}


// ---- over HTTP --------------------------------------------------------------------------------

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

std::string url_encode(const std::string& s) {
  return boost::urls::encode(s, boost::urls::unreserved_chars);
}

std::string http_target(const BenchQuery& q) {
  std::string t = "/api/v1/directory/teams-users?limit=" + std::to_string(kPageSize);
  if (*q.text != 0) t += "&q=" + url_encode(q.text);
  if (*q.department != 0) t += "&department=" + url_encode(q.department);
  if (*q.job_title != 0) t += "&jobTitle=" + url_encode(q.job_title);
  return t;
}

struct HttpFigures {
  std::vector<double> wall_us;
  std::size_t presence_calls = 0;
};

HttpFigures run_http(const std::vector<TeamsUser>& users, int rounds) {
  using namespace ccteams;
  HttpFigures f;
  auto sqlite = SqliteStore::open(":memory:");
  if (!sqlite) fail("store: " + sqlite.error().message);
  SystemClock clock;
  CryptoTokenSource tokens;
  testing::PlainHasher hasher;
  AuthService auth(**sqlite, hasher, tokens, clock, AuthOptions{});
  testing::InlineWorkers workers;
  UserService accounts(**sqlite, workers, hasher, clock, 1);
  auto org = testing::run_awaitable(accounts.ensure_org("Bench"));
  if (!org) fail("org: " + org.error().message);
  if (!testing::run_awaitable(
          accounts.create(org->id, NewUser{"agent", "pw", "Agent", RoleSet{Role::agent}}))) {
    fail("user");
  }
  auto login = testing::run_awaitable(auth.login("agent", "pw", "127.0.0.1", workers));
  if (!login) fail("login: " + login.error().message);

  testing::InMemoryDirectoryStore mirror;
  std::vector<DirectoryUser> rows;
  rows.reserve(users.size());
  for (const TeamsUser& u : users) rows.push_back(make_directory_user(u));
  if (!mirror.replace_all(org->id, rows, {"tid", "delta:0:0", clock.now(), rows.size()})) {
    fail("mirror");
  }
  testing::FakeDirectoryGraph graph;
  const OrgId org_id = org->id;
  boost::asio::io_context ioc;
  // The organisation's strand runs on the server's one thread, as in serve.
  OrgActors actors(ioc.get_executor());
  AsioScheduler scheduler(ioc);
  // The mirror's jobs run on the organisation's strand (one thread): nothing shares it.
  testing::TestStore mirror_port(testing::TestStores{.directory = &mirror});
  DirectoryService directory(
      actors, mirror_port, graph, clock, scheduler,
      [](OrgId) -> boost::asio::awaitable<Result<ActiveConnector>> {
        co_return ActiveConnector{"tid", true, true, {}};
      },
      [org_id]() -> boost::asio::awaitable<Result<std::vector<OrgId>>> {
        co_return std::vector<OrgId>{org_id};
      });
  http::Router router;
  http::DirectoryApiContext ctx{auth, directory};
  http::register_directory_routes(router, ctx);
  http::ServerOptions options;
  options.access_log_name = "directory-bench-access";
  // Registered first, so that the server takes this one: its lines would bury the figures.
  auto quiet = std::make_shared<spdlog::logger>(options.access_log_name);
  quiet->set_level(spdlog::level::warn);
  spdlog::register_logger(quiet);
  http::HttpServer server(ioc, router, options);
  auto port = server.listen("127.0.0.1", 0);
  if (!port) fail("listen: " + port.error().message);
  server.start();
  std::thread io([&ioc] { ioc.run(); });

  {
    boost::asio::io_context client_ioc;
    beast::tcp_stream stream(client_ioc);
    stream.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), *port));
    beast::flat_buffer buffer;
    const auto get = [&](const std::string& target) {
      bhttp::request<bhttp::empty_body> req{bhttp::verb::get, target, 11};
      req.set(bhttp::field::host, "127.0.0.1");
      req.set(bhttp::field::authorization, "Bearer " + login->token);
      req.keep_alive(true);
      bhttp::write(stream, req);
      bhttp::response<bhttp::string_body> res;
      bhttp::read(stream, buffer, res);
      if (res.result_int() != 200) fail("HTTP " + std::to_string(res.result_int()) + ": " + res.body());
      return res.body().size();
    };
    for (const BenchQuery& q : kQueries) get(http_target(q));  // loads the mirror, warms up
    for (int round = 0; round < rounds; ++round) {
      for (const BenchQuery& q : kQueries) {
        const std::string target = http_target(q);
        const Stopwatch watch;
        get(target);
        f.wall_us.push_back(watch.wall_us());
      }
    }
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  }
  server.shutdown(std::chrono::milliseconds(100), [] {});
  ioc.stop();
  io.join();
  f.presence_calls = static_cast<std::size_t>(graph.presence_calls);
  return f;
}

}  // namespace

// ---- results and the delta round --------------------------------------------------------------

DirectoryQuery directory_query(const BenchQuery& q) {
  DirectoryQuery query;
  query.text = q.text;
  query.department = q.department;
  query.job_title = q.job_title;
  query.limit = kPageSize;
  return query;
}

// Every query's first page, matches and total against the contract written the slow way.
void check_against_reference(const DirectoryIndex& index,
                             const std::vector<ccteams::directory_test::ReferenceUser>& reference,
                             const char* when) {
  for (const BenchQuery& q : kQueries) {
    const DirectoryQuery query = directory_query(q);
    auto page = index.search(query);
    if (!page) fail("search failed: " + page.error().message);
    const auto want = ccteams::directory_test::reference_search(reference, query, true);
    std::vector<std::string> ids;
    std::vector<ccteams::DirectoryMatch> matches;
    for (const auto& h : page->items) {
      ids.push_back(h.user.user.id);
      matches.push_back(h.match);
    }
    if (ids != want.ids || matches != want.matches || page->total != want.total) {
      fail(std::string("wrong result ") + when + " for \"" + q.text + "\" (" + q.department + "/" +
           q.job_title + "): total " + std::to_string(page->total) + ", expected " +
           std::to_string(want.total));
    }
  }
}

struct DeltaFigures {
  double cpu_ms = 0;
  double wall_ms = 0;
  double longest_slice_ms = 0;  // CPU
  std::size_t slices = 0;
  std::vector<double> search_between_us;  // CPU
};

// A delta round of kDeltaUsers users: 600 changed (a new job title and department, every third
// renamed too), 200 new, 100 deleted and 100 disabled; users and reference follow it.
DeltaFigures run_delta(DirectoryIndex& index, std::vector<TeamsUser>& users,
                       std::vector<ccteams::directory_test::ReferenceUser>& reference) {
  const auto departments = split(kDepartmentsText);
  const auto titles = split(kTitlesText);
  Rng rng{20261207};
  std::vector<TeamsUser> round;
  std::vector<std::string> deleted;
  for (int i = 0; i < 600; ++i) {
    TeamsUser u = users[rng.next() % users.size()];
    u.department = rng.pick(departments);
    u.job_title = rng.pick(titles);
    if (i % 3 == 0) {
      u.surname = "Delta" + std::to_string(i);
      u.display_name = u.given_name + ' ' + u.surname;
    }
    round.push_back(std::move(u));
  }
  for (int i = 0; i < 200; ++i) {
    TeamsUser u = users[rng.next() % users.size()];
    u.id = "delta-new-" + std::to_string(i);
    u.surname = "Newhire" + std::to_string(i);
    u.display_name = u.given_name + ' ' + u.surname;
    round.push_back(std::move(u));
  }
  for (int i = 0; i < 200; ++i) {
    TeamsUser u = users[rng.next() % users.size()];
    if (i % 2 == 0) {
      deleted.push_back(u.id);
    } else {
      u.account_enabled = false;
      round.push_back(std::move(u));
    }
  }

  DeltaFigures f;
  const Stopwatch whole;
  double cpu = 0;
  std::size_t applied = 0;
  Stopwatch slice;
  const auto end_slice = [&] {
    const double ms = slice.cpu_us() / 1e3;
    cpu += ms;
    f.longest_slice_ms = std::max(f.longest_slice_ms, ms);
    ++f.slices;
    // What the strand runs between two slices: a search sees the index half changed.
    const Stopwatch watch;
    if (!index.search(directory_query(kQueries[9]))) fail("search during the delta failed");
    f.search_between_us.push_back(watch.cpu_us());
    slice = Stopwatch{};
  };
  for (const TeamsUser& u : round) {
    if (!index.upsert(u)) fail("delta upsert refused");
    if (++applied % ccteams::kDirectoryDeltaSlice == 0) end_slice();
  }
  for (const std::string& id : deleted) {
    index.remove(id);
    if (++applied % ccteams::kDirectoryDeltaSlice == 0) end_slice();
  }
  if (applied % ccteams::kDirectoryDeltaSlice != 0) end_slice();
  f.cpu_ms = cpu;
  f.wall_ms = whole.wall_us() / 1e3;

  // The mirror after the round, for the reference.
  std::map<std::string, TeamsUser> by_id;
  for (TeamsUser& u : users) by_id.emplace(u.id, std::move(u));
  for (const TeamsUser& u : round) by_id[u.id] = u;
  for (const std::string& id : deleted) by_id.erase(id);
  users.clear();
  reference.clear();
  for (auto& [id, u] : by_id) {
    if (!u.account_enabled) {
      if (index.find(id) != nullptr) fail("a disabled user is still in the index");
      continue;
    }
    reference.push_back(ccteams::directory_test::reference_user(u));
    users.push_back(std::move(u));
  }
  for (const std::string& id : deleted) {
    if (index.find(id) != nullptr) fail("a deleted user is still in the index");
  }
  if (index.size() != users.size()) fail("the index size does not follow the delta");
  return f;
}

int main(int argc, char** argv) {
  // 100 rounds: 300-500 searches per kind, so that a p99 is not just the slowest one or two.
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 100;
  const std::vector<TeamsUser> users = generate_users();

  const std::size_t heap_before = heap_in_use();
  auto* index = new DirectoryIndex();
  const Stopwatch build;
  for (const TeamsUser& u : users) {
    if (!index->upsert(u)) fail("upsert refused a generated user");
  }
  const double build_us = build.cpu_us();
  const double build_wall_us = build.wall_us();
  const std::size_t index_bytes = heap_in_use() - heap_before;
  const double bytes_per_user = static_cast<double>(index_bytes) / kUsers;
  std::printf("index build: %d users in %.0f ms CPU (%.0f ms wall; %.2f us CPU per user), "
              "%zu distinct tokens\n",
              kUsers, build_us / 1e3, build_wall_us / 1e3, build_us / kUsers,
              index->distinct_token_count());
  std::printf(
      "index memory: %.0f bytes per user (%.1f MB in all, the stored users included); "
      "target <= %.0f: %s\n",
      bytes_per_user, static_cast<double>(index_bytes) / 1e6, kTargetBytesPerUser,
      verdict(bytes_per_user <= kTargetBytesPerUser));
  std::printf("resident memory (RSS): %.1f MB (the generated users and the index)\n", rss_mb());

  Latencies ours;
  std::vector<std::size_t> totals(kQueries.size());
  for (int round = 0; round < rounds; ++round) {
    for (std::size_t q = 0; q < kQueries.size(); ++q) {
      const DirectoryQuery query = directory_query(kQueries[q]);
      const Stopwatch watch;
      auto page = index->search(query);
      ours.add(kQueries[q].kind, watch);
      if (!page) fail("search failed: " + page.error().message);
      totals[q] = page->total;
      if (round == 0 && std::string(kQueries[q].text) == "billing" &&
          (page->items.empty() || page->items[0].user.user.department != "Billing")) {
        fail("\"billing\" did not put a Billing user first");
      }
    }
  }
  std::vector<TeamsUser> mirror = users;
  std::vector<ccteams::directory_test::ReferenceUser> reference;
  reference.reserve(mirror.size());
  for (const TeamsUser& u : mirror) reference.push_back(ccteams::directory_test::reference_user(u));
  check_against_reference(*index, reference, "at 100,000 users");
  const DeltaFigures delta = run_delta(*index, mirror, reference);
  check_against_reference(*index, reference, "after the delta round");
  const FtsFigures fts = run_fts(users, rounds);

  std::printf("search in process (%d rounds of %zu queries, first page of %zu; CPU time):\n",
              rounds, kQueries.size(), kPageSize);
  std::printf("  %-12s %8s %12s %12s %12s %12s %8s  %s\n", "kind", "searches", "index p50",
              "index p99", "fts5 p50", "fts5 p99", "p50 x", "index p99 target");
  for (const auto& [kind, v] : ours.by_kind) {
    const auto& f = fts.latencies.by_kind.at(kind);
    const double p99 = percentile(v, 0.99);
    std::printf("  %-12s %8zu %9.1f us %9.1f us %9.1f us %9.1f us %7.1fx  <= %.0f us: %s\n",
                kind.c_str(), v.size(), percentile(v, 0.5), p99, percentile(f, 0.5),
                percentile(f, 0.99),
                percentile(f, 0.5) / percentile(v, 0.5), kTargetP99Us,
                verdict(p99 <= kTargetP99Us));
  }
  const double p50 = percentile(ours.all_cpu, 0.5);
  const double p99 = percentile(ours.all_cpu, 0.99);
  const double f50 = percentile(fts.latencies.all_cpu, 0.5);
  const double f99 = percentile(fts.latencies.all_cpu, 0.99);
  std::printf("  %-12s %8zu %9.1f us %9.1f us %9.1f us %9.1f us %7.1fx\n", "all",
              ours.all_cpu.size(), p50, p99, f50, f99, f50 / p50);
  std::printf("  %-12s %8zu %9.1f us %9.1f us %9.1f us %9.1f us   (wall time, shared machine)\n",
              "all (wall)", ours.all_wall.size(), percentile(ours.all_wall, 0.5), percentile(ours.all_wall, 0.99),
              percentile(fts.latencies.all_wall, 0.5), percentile(fts.latencies.all_wall, 0.99));
  std::printf("matches per query (index / fts5):");
  for (std::size_t q = 0; q < kQueries.size(); ++q) {
    std::printf(" \"%s%s%s\" %zu/%zu", kQueries[q].text, *kQueries[q].department ? " +dept" : "",
                *kQueries[q].job_title ? " +title" : "", totals[q], fts.totals[q]);
  }
  std::printf("\nsqlite fts5: build %.0f ms CPU (%.0f ms wall), %.0f bytes per user\n",
              fts.build_cpu_us / 1e3, fts.build_wall_us / 1e3,
              static_cast<double>(fts.bytes) / kUsers);
  std::printf("ratio fts5 / index: p50 %.1fx, p99 %.1fx, build %.1fx, memory %.2fx\n", f50 / p50,
              f99 / p99, fts.build_cpu_us / build_us,
              static_cast<double>(fts.bytes) / static_cast<double>(index_bytes));
  std::printf(
      "results: every query's first page, matches and total equal the reference's, "
      "before and after the delta round\n");
  const double search_between = percentile(delta.search_between_us, 0.99);
  std::printf(
      "delta round of %d users (%d changed, %d new, %d deleted, %d disabled) in %zu "
      "slices of %zu: %.1f ms CPU (%.1f ms wall), longest slice %.2f ms CPU; target "
      "<= %.0f ms: %s; a search between two slices (\"%s\") p99 %.1f us\n",
      kDeltaUsers, 600, 200, 100, 100, delta.slices, ccteams::kDirectoryDeltaSlice, delta.cpu_ms,
      delta.wall_ms, delta.longest_slice_ms, kTargetDeltaMs,
      verdict(delta.cpu_ms <= kTargetDeltaMs), kQueries[9].text, search_between);
  delete index;
  const HttpFigures web = run_http(users, rounds);
  const double h50 = percentile(web.wall_us, 0.5);
  const double h99 = percentile(web.wall_us, 0.99);
  std::printf("search over HTTP (GET /api/v1/directory/teams-users, loopback keep-alive, same mix, "
              "%zu requests; wall time, client included): p50 %.1f us, p99 %.1f us "
              "(in-process index p50 %.1f us wall; %zu presence reads to the fake Graph)\n",
              web.wall_us.size(), h50, h99, percentile(ours.all_wall, 0.5), web.presence_calls);
  std::printf("over HTTP p99 target <= %.0f us: %s\n", kTargetHttpP99Us,
              verdict(h99 <= kTargetHttpP99Us));
  std::printf(
      "resident memory (RSS) at the end: %.1f MB (the index freed, FTS5 closed, the "
      "service's mirror loaded)\n",
      rss_mb());
  return 0;
}
