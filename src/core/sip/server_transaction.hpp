#pragma once
// RFC 3261 §17.2 server transactions as pure state machines: the transport feeds them what
// arrived (a retransmitted request, an ACK), the transaction user (TU) feeds them its responses,
// and the adapter feeds them the timers they asked for. They answer with effects: a response to
// send, timers to (re)start, and whether the transaction is over. No clock, no socket: a timer
// is a duration the adapter turns into a deadline through the Scheduler port, so tests run
// Timer H's 32 s without waiting.
//
// Plain RFC 3261 (no RFC 6026 Accepted state): a 2xx to an INVITE ends the transaction, and the
// TU (the dialog) retransmits the 2xx until the ACK, which arrives outside any transaction.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sip/sip_message.hpp"
#include "core/sip/transaction_timers.hpp"

namespace ccteams::sip {

// What the adapter does after an input, in this order: send `send` (if any) to where the
// request came from (its top Via), start each timer (a new one replaces a pending one of the
// same kind), and forget the transaction when `terminated`. `timed_out`: Timer H fired without
// an ACK; the TU is told (RFC 3261 §17.2.1).
struct TransactionEffects {
  std::optional<SipMessage> send;
  std::vector<TimerRequest> timers;
  bool terminated = false;
  bool timed_out = false;
};

// The transaction a request belongs to (§17.2.3): the top Via's branch and sent-by, and the
// method, with ACK and INVITE sharing one key (an ACK to a non-2xx matches its INVITE). nullopt
// when the top Via has no RFC 3261 branch (RFC 2543 peers are not supported).
struct TransactionKey {
  std::string branch;
  std::string sent_by;
  std::string method;
  friend auto operator<=>(const TransactionKey&, const TransactionKey&) = default;
};
std::optional<TransactionKey> server_transaction_key(const SipMessage& request);

// A response to `request` (§8.2.6.2): its Via values, From, To (with `to_tag` added when To has
// no tag and the status is above 100), Call-ID and CSeq copied; Timestamp copied on 100.
SipMessage make_response(const SipMessage& request, int status, std::string_view to_tag = {},
                         std::string_view reason = {});

class InviteServerTransaction {
 public:
  enum class State : std::uint8_t { proceeding, completed, confirmed, terminated };

  // `invite` is the request that created it; `reliable` for TCP/TLS. The TU should answer at
  // once; start() sends 100 Trying (the TU may not answer within 200 ms: §17.2.1).
  InviteServerTransaction(const SipMessage& invite, bool reliable, SipTimers timers = {});
  TransactionEffects start();

  TransactionEffects on_retransmission();  // the INVITE again: resend the latest response
  TransactionEffects on_response(SipMessage response);  // from the TU
  TransactionEffects on_ack();
  TransactionEffects on_timer(TimerKind kind);  // a timer not valid in the state is ignored

  State state() const { return state_; }
  // The latest response sent (100 after start()); a CANCEL's 200 takes its To tag (§9.2).
  const std::optional<SipMessage>& last_response() const { return last_response_; }

 private:
  SipMessage invite_;
  bool reliable_;
  SipTimers timers_;
  State state_ = State::proceeding;
  std::optional<SipMessage> last_response_;
  std::chrono::milliseconds g_interval_{0};
};

class NonInviteServerTransaction {
 public:
  enum class State : std::uint8_t { trying, proceeding, completed, terminated };

  NonInviteServerTransaction(bool reliable, SipTimers timers = {});
  TransactionEffects on_retransmission();  // absorbed in Trying; the last response afterwards
  TransactionEffects on_response(SipMessage response);
  TransactionEffects on_timer(TimerKind kind);

  State state() const { return state_; }

 private:
  bool reliable_;
  SipTimers timers_;
  State state_ = State::trying;
  std::optional<SipMessage> last_response_;
};

}  // namespace ccteams::sip
