#pragma once
// RFC 3261 §13.3.1.4: the UAS core, not the INVITE transaction, resends its 2xx until the ACK
// arrives: first after T1, the interval doubling up to T2, on every transport (the 2xx ends the
// server transaction, so nothing below resends it). 64*T1 without an ACK: the dialog is
// confirmed anyway, and the UAS SHOULD end the session with BYE. Pure: the adapter sends the
// 2xx once itself, then starts a timer of each `next` it is given and feeds back its firing.

#include <chrono>
#include <optional>

#include "core/sip/transaction_timers.hpp"

namespace ccteams::sip {

class AnswerRetransmission {
 public:
  struct Step {
    bool resend = false;                            // send the 2xx again now
    std::optional<std::chrono::milliseconds> next;  // start the timer again, this long
    bool give_up = false;                           // 64*T1 without an ACK: BYE the call
    friend bool operator==(const Step&, const Step&) = default;
  };

  explicit AnswerRetransmission(SipTimers timers = {}) : timers_(timers) {}
  Step start();     // the 2xx was just sent: the first timer (T1)
  Step on_timer();  // nothing once acked or given up
  void on_ack() { acked_ = true; }
  bool acked() const { return acked_; }

 private:
  SipTimers timers_;
  std::chrono::milliseconds interval_{0};  // the timer running now
  std::chrono::milliseconds elapsed_{0};   // since the 2xx was first sent, at its end
  bool acked_ = false;
  bool done_ = false;
};

}  // namespace ccteams::sip
