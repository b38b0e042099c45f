#pragma once
// The directory and presence-reader roles for directory tests: a scripted tenant's users with
// paged /users, the users delta query (a change log with versioned tokens, @removed entries,
// resyncRequired for expired tokens) and bulk presence reads. With set_latency, every call first
// waits on the Scheduler's (simulated) time, so that a test can act while a sync waits for
// Graph. Not thread-safe: drive it from one io_context thread.

#include <boost/asio/this_coro.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "app/alarm.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/graph_directory.hpp"
#include "app/ports/graph_presence.hpp"
#include "app/ports/scheduler.hpp"

namespace ccteams::testing {

class FakeDirectoryGraph final : public GraphDirectory, public GraphPresenceReader {
 public:
  template <class T>
  using Async = GraphAsync<T>;

  // ---- scripting
  void put(GraphUser u) {
    users_[u.id] = u;
    log_.push_back({++version_, u.id, false});
  }
  void remove(const std::string& id) {
    users_.erase(id);
    log_.push_back({++version_, id, true});
  }
  void disable(const std::string& id) {
    users_[id].account_enabled = false;
    log_.push_back({++version_, id, false});
  }
  void set_presence(const std::string& id, std::string availability, std::string activity) {
    presence_[id] = {id, std::move(availability), std::move(activity), {}, {}, {}, {}};
  }
  // Every delta token issued so far stops working (Graph: resyncRequired).
  void expire_tokens() { ++generation_; }
  void fail_presence(bool on) { presence_fails_ = on; }
  // Every call from now on answers `latency` of scheduler's time after it was made.
  void set_latency(Scheduler& scheduler, const Clock& clock, Millis latency) {
    scheduler_ = &scheduler;
    clock_ = &clock;
    latency_ = latency;
  }

  int page_size = 2;  // small, so that every test crosses pages
  int list_calls = 0, delta_start_calls = 0, delta_calls = 0, presence_calls = 0;
  std::size_t presence_ids_read = 0;

  // ---- GraphDirectory, GraphPresenceReader
  Async<UsersPage> list_users(std::string, int) override {
    ++list_calls;
    co_await answer_later();
    co_return list_page(0);
  }
  Async<UsersPage> users_page(std::string, std::string link) override {
    co_await answer_later();
    if (link.rfind("list:", 0) == 0) co_return list_page(std::stoul(link.substr(5)));
    if (link.rfind("start:", 0) == 0) co_return start_page(std::stoul(link.substr(6)));
    if (link.rfind("delta:", 0) == 0) {
      ++delta_calls;
      const auto colon = link.find(':', 6);
      const int gen = std::stoi(link.substr(6, colon - 6));
      const int since = std::stoi(link.substr(colon + 1));
      if (gen != generation_) {
        GraphError e;
        e.kind = GraphErrorKind::resync_required;
        e.http_status = 410;
        e.code = "resyncRequired";
        co_return e;
      }
      UsersPage p;
      std::set<std::string> seen;
      for (auto it = log_.rbegin(); it != log_.rend() && it->version > since; ++it) {
        if (!seen.insert(it->id).second) continue;
        if (it->removed || !users_.contains(it->id)) {
          p.removed.push_back({it->id, RemovalReason::deleted, "deleted"});
        } else {
          p.users.push_back(users_.at(it->id));
        }
      }
      p.delta_link = delta_link();
      co_return p;
    }
    co_return bad();
  }
  Async<UsersPage> users_delta_start(std::string) override {
    ++delta_start_calls;
    co_await answer_later();
    co_return start_page(0);
  }
  Async<std::vector<GraphPresence>> get_presences(std::string,
                                                  std::vector<std::string> ids) override {
    ++presence_calls;
    presence_ids_read += ids.size();
    co_await answer_later();
    if (presence_fails_) {
      GraphError e;
      e.kind = GraphErrorKind::unavailable;
      e.http_status = 503;
      co_return e;
    }
    std::vector<GraphPresence> out;
    for (const auto& id : ids) {
      auto it = presence_.find(id);
      if (it != presence_.end()) {
        out.push_back(it->second);
      } else {
        out.push_back({id, "Available", "Available", {}, {}, {}, {}});
      }
    }
    co_return out;
  }

 private:
  struct Change {
    int version;
    std::string id;
    bool removed;
  };
  boost::asio::awaitable<void> answer_later() {
    if (scheduler_ == nullptr) co_return;
    auto strand = co_await boost::asio::this_coro::executor;
    Alarm alarm(strand, *scheduler_);
    co_await alarm.wait_until(clock_->now() + latency_);
  }
  static GraphError bad() {
    GraphError e;
    e.kind = GraphErrorKind::invalid_request;
    e.code = "notSupportedByFake";
    return e;
  }
  std::vector<GraphUser> slice(std::size_t from) const {
    std::vector<GraphUser> out;
    std::size_t i = 0;
    for (const auto& [id, u] : users_) {
      if (i >= from && out.size() < static_cast<std::size_t>(page_size)) out.push_back(u);
      ++i;
    }
    return out;
  }
  UsersPage list_page(std::size_t from) const {
    UsersPage p;
    p.users = slice(from);
    if (from + p.users.size() < users_.size()) {
      p.next_link = "list:" + std::to_string(from + p.users.size());
    }
    return p;
  }
  UsersPage start_page(std::size_t from) const {
    UsersPage p;
    p.users = slice(from);
    if (from + p.users.size() < users_.size()) {
      p.next_link = "start:" + std::to_string(from + p.users.size());
    } else {
      p.delta_link = delta_link();
    }
    return p;
  }

  std::string delta_link() const {
    return "delta:" + std::to_string(generation_) + ":" + std::to_string(version_);
  }

  std::map<std::string, GraphUser> users_;
  std::map<std::string, GraphPresence> presence_;
  std::vector<Change> log_;
  int version_ = 0;
  int generation_ = 0;
  bool presence_fails_ = false;
  Scheduler* scheduler_ = nullptr;
  const Clock* clock_ = nullptr;
  Millis latency_{0};
};

}  // namespace ccteams::testing
