#pragma once
// Simulated customers for `ccteams demo`: callers arrive at random intervals in the demo
// organisation's queues and hang up if nobody answers within their patience. Off with
// `ccteams demo --simulation off`, so tests see a still organisation.

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include "app/contact_center.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/scheduler.hpp"

namespace ccteams {

struct DemoCallerOptions {
  Millis min_interval = std::chrono::seconds(6);   // between two arrivals
  Millis max_interval = std::chrono::seconds(20);
  Millis patience = std::chrono::seconds(90);      // an unanswered caller hangs up after this
  std::uint32_t seed = 1;
};

// Thread-safety: start() and stop() from any thread; callbacks run on the scheduler's threads
// and start the calls on the organisation's strand.
class DemoCallers {
 public:
  DemoCallers(ContactCenter& center, Scheduler& scheduler, const Clock& clock, OrgId org,
              std::vector<QueueId> queues, DemoCallerOptions options = {});
  ~DemoCallers();  // stops

  void start();
  void stop();
  int callers_so_far() const;
  // Hang-ups the contact center refused for another reason than "answered meanwhile" (the
  // store failing, say); each is logged too.
  int hangup_failures() const;

 private:
  void schedule_next();
  void arrive();
  // On the organisation's strand (new_contact / abandon run there).
  boost::asio::awaitable<void> call(QueueId queue, std::string caller);
  boost::asio::awaitable<void> hang_up(ContactId id);

  ContactCenter& center_;
  Scheduler& scheduler_;
  const Clock& clock_;
  OrgId org_;
  std::vector<QueueId> queues_;
  DemoCallerOptions options_;
  mutable std::mutex mu_;
  std::mt19937 rng_;
  bool running_ = false;
  int callers_ = 0;
  int hangup_failures_ = 0;
  std::unique_ptr<TimerHandle> next_;
  std::vector<std::unique_ptr<TimerHandle>> hangups_;
};

}  // namespace ccteams
