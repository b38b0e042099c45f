#pragma once
// The presence roles and the subscriptions role for presence-sync unit tests: bulk presence
// reads from a scripted table, setPresence/clearPresence and the subscription calls, each
// recorded with the Clock's time at the call; the next call of a kind can be made to fail
// (fail_next), or every subscription call with a token refused (refuse_token: 401, as for a
// revoked one); drop() deletes a subscription without a word, as Graph may. list_subscriptions
// fails.
// Answers at once, or reads after a simulated latency (set_read_latency). Not thread-safe:
// drive it from one io_context thread.

#include <algorithm>
#include <boost/asio/this_coro.hpp>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "app/alarm.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/graph_presence.hpp"
#include "app/ports/graph_subscriptions.hpp"
#include "app/ports/scheduler.hpp"

namespace ccteams::testing {

class FakePresenceGraph final : public GraphPresenceReader,
                                public GraphPresenceWriter,
                                public GraphSubscriptions {
 public:
  template <class T>
  using Async = GraphAsync<T>;

  enum class Call {
    get_presences,
    set_presence,
    clear_presence,
    create,
    renew,
    reauthorize,
    remove,
    get
  };
  struct Record {
    Call call;
    Timestamp at;
    std::vector<std::string> ids;  // get_presences: the users; create: the subscribed users
    std::string id;                // set/clear: the Teams user; renew/remove: subscription id
    std::optional<std::chrono::seconds> expiration;  // set_presence
    Timestamp until{};                               // create/renew: the expiry asked for
  };

  explicit FakePresenceGraph(const Clock& clock) : clock_(clock) {}

  // ---- scripting
  void set(const std::string& user, std::string availability, std::string activity,
           std::string sequence) {
    presence_[user] = GraphPresence{
        user, std::move(availability), std::move(activity), std::move(sequence), {}, {}, {}};
  }
  // retry_after_seconds > 0: the answer carries Retry-After (a 429's).
  void fail_next(Call call, GraphErrorKind kind, int retry_after_seconds = 0) {
    failures_[call].push_back(Failure{kind, retry_after_seconds});
  }
  // get_presences answers `latency` later on the scheduler's time (waiting on the caller's
  // strand); max_reads_in_flight() tells how many were outstanding at once at most.
  void set_read_latency(Scheduler& scheduler, Millis latency) {
    latency_scheduler_ = &scheduler;
    latency_ = latency;
  }
  std::size_t max_reads_in_flight() const { return max_reads_in_flight_; }
  // Subscription calls presenting this delegated token get 401 from now on.
  void refuse_token(std::string token) { refused_tokens_.push_back(std::move(token)); }
  // Graph deletes the subscription and sends no lifecycle event.
  void drop(const std::string& id) { subscriptions_.erase(id); }

  std::vector<Record> calls(Call call) const {
    std::vector<Record> out;
    for (const auto& r : log_) {
      if (r.call == call) out.push_back(r);
    }
    return out;
  }
  const std::vector<Record>& log() const { return log_; }
  void clear_log() { log_.clear(); }
  // Subscriptions Graph holds now: id -> expiry.
  const std::map<std::string, Timestamp>& subscriptions() const { return subscriptions_; }

  // ---- GraphPresenceReader, GraphPresenceWriter
  Async<std::vector<GraphPresence>> get_presences(std::string,
                                                  std::vector<std::string> ids) override {
    log_.push_back(Record{Call::get_presences, clock_.now(), ids, {}, {}, {}});
    if (latency_scheduler_ != nullptr) {
      max_reads_in_flight_ = std::max(max_reads_in_flight_, ++reads_in_flight_);
      Alarm answer(co_await boost::asio::this_coro::executor, *latency_scheduler_);
      co_await answer.wait_until(clock_.now() + latency_);
      --reads_in_flight_;
    }
    if (auto e = failure(Call::get_presences)) co_return *e;
    std::vector<GraphPresence> out;
    for (const auto& id : ids) {
      if (auto it = presence_.find(id); it != presence_.end()) out.push_back(it->second);
    }
    co_return out;
  }
  Async<void> set_presence(std::string, SetPresenceRequest r) override {
    log_.push_back(Record{Call::set_presence, clock_.now(), {}, r.user_id, r.expiration, {}});
    if (auto e = failure(Call::set_presence)) co_return *e;
    co_return GraphResult<void>{};
  }
  Async<void> clear_presence(std::string, std::string user, std::string) override {
    log_.push_back(Record{Call::clear_presence, clock_.now(), {}, user, {}, {}});
    if (auto e = failure(Call::clear_presence)) co_return *e;
    co_return GraphResult<void>{};
  }

  // ---- GraphSubscriptions
  Async<Subscription> create_subscription(std::string, std::string token,
                                          SubscriptionRequest r) override {
    log_.push_back(Record{Call::create, clock_.now(), r.presence_user_ids, {}, {}, r.expiration});
    if (auto e = failure(Call::create, token)) co_return *e;
    Subscription s;
    s.id = "sub-" + std::to_string(++next_id_);
    s.expiration = r.expiration;
    s.client_state = r.client_state;
    subscriptions_[s.id] = s.expiration;
    co_return s;
  }
  Async<Subscription> renew_subscription(std::string, std::string token, std::string id,
                                         SubscriptionRenewal r) override {
    log_.push_back(Record{Call::renew, clock_.now(), {}, id, {}, r.expiration});
    if (auto e = failure(Call::renew, token)) co_return *e;
    if (!subscriptions_.contains(id)) co_return error(GraphErrorKind::not_found);
    subscriptions_[id] = r.expiration;
    Subscription s;
    s.id = id;
    s.expiration = r.expiration;
    co_return s;
  }
  Async<void> reauthorize_subscription(std::string, std::string token, std::string id) override {
    log_.push_back(Record{Call::reauthorize, clock_.now(), {}, id, {}, {}});
    if (auto e = failure(Call::reauthorize, token)) co_return *e;
    co_return GraphResult<void>{};
  }
  Async<void> delete_subscription(std::string, std::string token, std::string id) override {
    log_.push_back(Record{Call::remove, clock_.now(), {}, id, {}, {}});
    if (auto e = failure(Call::remove, token)) co_return *e;
    if (subscriptions_.erase(id) == 0) co_return error(GraphErrorKind::not_found);
    co_return GraphResult<void>{};
  }
  Async<Subscription> get_subscription(std::string, std::string token, std::string id) override {
    log_.push_back(Record{Call::get, clock_.now(), {}, id, {}, {}});
    if (auto e = failure(Call::get, token)) co_return *e;
    auto it = subscriptions_.find(id);
    if (it == subscriptions_.end()) co_return error(GraphErrorKind::not_found);
    Subscription s;
    s.id = id;
    s.expiration = it->second;
    co_return s;
  }
  Async<SubscriptionsPage> list_subscriptions(std::string, std::string) override {
    co_return error(GraphErrorKind::invalid_request);
  }

 private:
  static GraphError error(GraphErrorKind kind) {
    GraphError e;
    e.kind = kind;
    e.code = "fake";
    return e;
  }
  struct Failure {
    GraphErrorKind kind;
    int retry_after_seconds;
  };
  std::optional<GraphError> failure(Call call, const std::string& token) {
    if (std::find(refused_tokens_.begin(), refused_tokens_.end(), token) != refused_tokens_.end()) {
      return error(GraphErrorKind::unauthorized);
    }
    return failure(call);
  }
  std::optional<GraphError> failure(Call call) {
    auto& q = failures_[call];
    if (q.empty()) return std::nullopt;
    GraphError e = error(q.front().kind);
    e.retry_after_seconds = q.front().retry_after_seconds;
    q.pop_front();
    return e;
  }
  const Clock& clock_;
  std::map<std::string, GraphPresence> presence_;
  std::map<Call, std::deque<Failure>> failures_;
  Scheduler* latency_scheduler_ = nullptr;
  Millis latency_{0};
  std::size_t reads_in_flight_ = 0, max_reads_in_flight_ = 0;
  std::vector<Record> log_;
  std::map<std::string, Timestamp> subscriptions_;
  std::vector<std::string> refused_tokens_;
  int next_id_ = 0;
};

}  // namespace ccteams::testing
