#pragma once
// The call-setup half of sip_bench: one SipServer places calls (place_call) to another that
// answers each at once (CallHandler: 180 then 200 with the SDP answer); the caller ACKs, and
// on the ACK the callee hangs up (hang_up: BYE, 200). Setup latency is place_call to
// on_answered (INVITE, 180, 200 and the ACK sent), over loopback UDP.

#include <cstddef>

namespace ccteams::bench {

struct CallSetupResult {
  std::size_t placed = 0;
  std::size_t answered = 0;
  std::size_t failed = 0;
  std::size_t ended = 0;   // the callee's BYE reached the caller
  double seconds = 0;      // first INVITE to the last call's end
  double setups_per_second = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  // Live server transactions left at the end: the BYEs' linger 64*T1 (Timer J).
  std::size_t caller_transactions = 0;
  std::size_t callee_transactions = 0;
};

// `calls` calls, at most `in_flight` at a time, both servers on ONE thread; placing stops
// after `max_seconds` and the run gives up 5 s later.
CallSetupResult run_call_setups(std::size_t calls, std::size_t in_flight, double max_seconds);

}  // namespace ccteams::bench
