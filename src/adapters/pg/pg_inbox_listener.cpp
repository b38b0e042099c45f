#include "adapters/pg/pg_inbox_listener.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

#include "adapters/pg/pg_inbox_wake.hpp"
#include "adapters/pg/pg_presence_sync_sql.hpp"

namespace ccteams::store {
namespace {

struct Finish {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using ConnHandle = std::unique_ptr<PGconn, Finish>;

struct ClearResult {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using ResultHandle = std::unique_ptr<PGresult, ClearResult>;

struct FreeNotify {
  void operator()(PGnotify* n) const noexcept { PQfreemem(n); }
};
using NotifyHandle = std::unique_ptr<PGnotify, FreeNotify>;

std::string trimmed(const char* message) {
  std::string s = message != nullptr ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Defaults for a connection that waits, silent, for hours: without them a peer that vanished
// (a failover, a cut network) is noticed after the OS's two hours of keepalive idle. Given
// before "dbname", so a DSN that sets them wins (libpq keeps the last value of a keyword).
constexpr const char* kKeepaliveKeys[] = {"connect_timeout", "keepalives", "keepalives_idle",
                                          "keepalives_interval", "keepalives_count",
                                          "tcp_user_timeout"};
constexpr const char* kKeepaliveValues[] = {"5", "1", "10", "5", "3", "30000"};

}  // namespace

PgInboxListener::PgInboxListener(PgInboxListenerOptions options,
                                 PgInboxListenerCallbacks callbacks)
    : options_(std::move(options)), callbacks_(std::move(callbacks)) {
  if (::pipe2(stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    // Without the pipe stop() could not interrupt a wait: run without a listener (the owners
    // still read their inbox at start) rather than hang at shutdown.
    spdlog::error("store: inbox listener: pipe2 failed (errno {}); owners are not woken",
                  errno);
    return;
  }
  thread_ = std::thread([this] { run(); });
}

PgInboxListener::~PgInboxListener() {
  stop();
  for (int fd : stop_pipe_) {
    if (fd >= 0) ::close(fd);
  }
}

void PgInboxListener::stop() {
  if (!stopping_.exchange(true) && stop_pipe_[1] >= 0) {
    const char byte = 1;
    (void)!::write(stop_pipe_[1], &byte, 1);
  }
  if (thread_.joinable()) thread_.join();
}

bool PgInboxListener::wait(int fd, int for_ms) {
  pollfd fds[2] = {{stop_pipe_[0], POLLIN, 0}, {fd, POLLIN, 0}};
  const nfds_t n = fd >= 0 ? 2 : 1;
  for (;;) {
    const int r = ::poll(fds, n, for_ms);
    if (r < 0 && errno == EINTR) continue;
    return !stopping_.load() && (fds[0].revents & POLLIN) == 0;
  }
}

void PgInboxListener::run() {
  Millis retry = options_.first_retry;
  while (!stopping_.load()) {
    if (session()) {
      retry = options_.first_retry;  // it was up: try again at once
      continue;
    }
    if (!wait(-1, static_cast<int>(retry.count()))) break;
    retry = std::min(retry * 2, options_.max_retry);
  }
}

bool PgInboxListener::session() {
  std::vector<const char*> keys(std::begin(kKeepaliveKeys), std::end(kKeepaliveKeys));
  std::vector<const char*> values(std::begin(kKeepaliveValues), std::end(kKeepaliveValues));
  keys.push_back("dbname");
  values.push_back(options_.conninfo.c_str());
  if (!options_.password.empty()) {
    keys.push_back("password");
    values.push_back(options_.password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  ConnHandle conn(PQconnectdbParams(keys.data(), values.data(), 1));
  if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
    // libpq's message names the host and the reason, never the password.
    spdlog::warn("store: inbox listener: cannot connect: {}",
                 conn ? trimmed(PQerrorMessage(conn.get())) : "out of memory");
    return false;
  }
  PQsetNoticeProcessor(
      conn.get(),
      [](void*, const char* message) { spdlog::debug("store: inbox listener: {}", trimmed(message)); },
      nullptr);
  {
    const std::string listen(pg_presence_sync_sql::kListenInbox);
    ResultHandle r(PQexec(conn.get(), listen.c_str()));
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      spdlog::warn("store: inbox listener: LISTEN failed: {}",
                   trimmed(r ? PQresultErrorMessage(r.get()) : PQerrorMessage(conn.get())));
      return false;
    }
  }
  backend_pid_ = PQbackendPID(conn.get());
  connections_.fetch_add(1);
  listening_ = true;
  spdlog::info("store: inbox listener: listening on {}", kInboxChannel);
  // LISTEN is in effect (its autocommit returned): whatever is notified from now on reaches
  // us, and what was notified before is read back by the caller.
  if (callbacks_.connected) callbacks_.connected();
  const int fd = PQsocket(conn.get());
  bool up = fd >= 0;
  while (up && wait(fd, -1)) {
    // Notifications already absorbed never make the socket readable again: drain them all.
    up = PQconsumeInput(conn.get()) == 1 && PQstatus(conn.get()) == CONNECTION_OK;
    while (NotifyHandle n{PQnotifies(conn.get())}) {
      if (std::string_view(n->relname) != kInboxChannel) continue;
      notifications_.fetch_add(1);
      std::size_t skipped = 0;
      auto orgs = parse_inbox_wake(n->extra != nullptr ? n->extra : "", &skipped);
      if (skipped > 0) {
        spdlog::warn("store: inbox listener: {} unreadable part(s) in a wake-up payload",
                     skipped);
      }
      if (!orgs.empty() && callbacks_.notified) callbacks_.notified(std::move(orgs));
    }
    // Anything else the server sends unasked (a termination notice) is read and dropped.
    while (up && PQisBusy(conn.get()) == 0) {
      ResultHandle r(PQgetResult(conn.get()));
      if (!r) break;
    }
  }
  listening_ = false;
  backend_pid_ = 0;
  if (!stopping_.load()) {
    spdlog::warn("store: inbox listener: connection lost ({}); reconnecting",
                 trimmed(PQerrorMessage(conn.get())));
    if (callbacks_.lost) callbacks_.lost();
  }
  return true;
}

}  // namespace ccteams::store
