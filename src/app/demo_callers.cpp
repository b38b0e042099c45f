#include "app/demo_callers.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>

#include "app/log_escaped.hpp"

namespace ccteams {

DemoCallers::DemoCallers(ContactCenter& center, Scheduler& scheduler, const Clock& clock,
                         OrgId org, std::vector<QueueId> queues, DemoCallerOptions options)
    : center_(center),
      scheduler_(scheduler),
      clock_(clock),
      org_(org),
      queues_(std::move(queues)),
      options_(options),
      rng_(options.seed) {}

DemoCallers::~DemoCallers() { stop(); }

void DemoCallers::start() {
  std::lock_guard lock(mu_);
  if (running_ || queues_.empty()) return;
  running_ = true;
  schedule_next();
}

void DemoCallers::stop() {
  std::unique_lock lock(mu_);
  running_ = false;
  auto next = std::move(next_);
  auto hangups = std::move(hangups_);
  lock.unlock();
  // Cancelled outside the lock: a callback that is already running may be waiting for it.
  if (next) next->cancel();
  for (auto& h : hangups) h->cancel();
}

int DemoCallers::callers_so_far() const {
  std::lock_guard lock(mu_);
  return callers_;
}

void DemoCallers::schedule_next() {
  std::uniform_int_distribution<std::int64_t> gap(options_.min_interval.count(),
                                                  options_.max_interval.count());
  next_ = scheduler_.schedule(clock_.now() + Millis{gap(rng_)}, [this] { arrive(); });
}

void DemoCallers::arrive() {
  QueueId queue;
  std::string caller;
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    std::uniform_int_distribution<std::size_t> pick(0, queues_.size() - 1);
    std::uniform_int_distribution<int> line(100, 199);
    queue = queues_[pick(rng_)];
    caller = "+1425555" + std::to_string(line(rng_)).substr(0, 3) + "0";
    ++callers_;
  }
  // The call itself runs on the organisation's strand; this timer callback only starts it.
  boost::asio::co_spawn(center_.actors().strand(org_), call(queue, std::move(caller)),
                        LogEscaped{"demo callers: a caller"});
}

boost::asio::awaitable<void> DemoCallers::call(QueueId queue, std::string caller) {
  auto contact = co_await center_.new_contact(org_, queue, caller);
  std::lock_guard lock(mu_);
  if (!running_) co_return;
  if (!contact) {
    spdlog::warn("demo caller could not call queue {}: {}", queue.value, contact.error().message);
  } else {
    const ContactId id = contact->id;
    // Hangs up only if still waiting or ringing; once answered, abandon is refused and ignored.
    hangups_.push_back(scheduler_.schedule(clock_.now() + options_.patience, [this, id] {
      boost::asio::co_spawn(center_.actors().strand(org_), hang_up(id),
                            LogEscaped{"demo callers: a hang-up"});
    }));
    if (hangups_.size() > 256) hangups_.erase(hangups_.begin());  // long past their patience
  }
  schedule_next();
}

boost::asio::awaitable<void> DemoCallers::hang_up(ContactId id) {
  auto r = co_await center_.abandon(org_, id);
  if (r) co_return;
  // conflict: answered (or ended) meanwhile, the expected case. Anything else is counted.
  if (r.error().code == Errc::conflict) {
    spdlog::debug("demo caller of contact {} did not hang up: {}", id.value, r.error().message);
    co_return;
  }
  std::lock_guard lock(mu_);
  ++hangup_failures_;
  spdlog::warn("demo caller of contact {} could not hang up: {}", id.value, r.error().message);
}

int DemoCallers::hangup_failures() const {
  std::lock_guard lock(mu_);
  return hangup_failures_;
}

}  // namespace ccteams
