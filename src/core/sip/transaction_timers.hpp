#pragma once
// The timers of RFC 3261's transactions (§17, Table 4), shared by the client and server
// machines: a machine asks for a timer as a duration, the adapter turns it into a deadline on
// the Scheduler port and feeds the kind back when it fires. A new request for a kind replaces a
// pending one of that kind; a timer that fires in a state where it means nothing is ignored by
// the machine, so the adapter never has to cancel one.

#include <chrono>
#include <cstdint>

namespace ccteams::sip {

struct SipTimers {  // RFC 3261 Table 4 defaults
  std::chrono::milliseconds t1{500};
  std::chrono::milliseconds t2{4000};
  std::chrono::milliseconds t4{5000};
};

enum class TimerKind : std::uint8_t {
  // Client transactions (§17.1).
  a,  // INVITE request retransmission: T1, doubling without a cap (unreliable transports only)
  b,  // INVITE transaction timeout: 64*T1
  d,  // absorb retransmitted final responses after the ACK: 32 s or more (0 on reliable ones)
  e,  // non-INVITE request retransmission: T1 doubling to T2 (unreliable transports only)
  f,  // non-INVITE transaction timeout: 64*T1
  k,  // absorb response retransmissions: T4 (0 on reliable transports)
  // Server transactions (§17.2).
  g,  // INVITE final response retransmission (unreliable transports only)
  h,  // wait for the ACK: 64*T1, then give up
  i,  // absorb ACK retransmissions: T4 (0 on reliable transports)
  j,  // absorb non-INVITE request retransmissions: 64*T1 (0 on reliable transports)
};

struct TimerRequest {
  TimerKind kind;
  std::chrono::milliseconds after;
  friend bool operator==(const TimerRequest&, const TimerRequest&) = default;
};

}  // namespace ccteams::sip
