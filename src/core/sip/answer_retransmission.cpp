#include "core/sip/answer_retransmission.hpp"

#include <algorithm>

namespace ccteams::sip {

AnswerRetransmission::Step AnswerRetransmission::start() {
  interval_ = timers_.t1;
  elapsed_ = interval_;
  return Step{false, interval_, false};
}

AnswerRetransmission::Step AnswerRetransmission::on_timer() {
  if (acked_ || done_ || interval_.count() == 0) return {};
  const auto deadline = 64 * timers_.t1;
  if (elapsed_ >= deadline) {
    done_ = true;
    return Step{false, std::nullopt, true};
  }
  // The next interval doubles up to T2; the last one is cut short so that the give-up falls
  // exactly at 64*T1.
  interval_ = std::min({2 * interval_, timers_.t2, deadline - elapsed_});
  elapsed_ += interval_;
  return Step{true, interval_, false};
}

}  // namespace ccteams::sip
