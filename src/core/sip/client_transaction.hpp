#pragma once
// RFC 3261 §17.1 client transactions as pure state machines, the mirror of
// server_transaction.hpp: the transaction user (TU) hands over a request, the transport feeds
// in the responses that match it (client_transaction_key), the adapter feeds in the timers it
// was asked for. Effects come out: a request to (re)send to the transaction's destination,
// a response to pass up to the TU, timers, and the end. No clock and no socket: tests run
// Timer B's 32 s and its seven INVITE sends without waiting.
//
// Plain RFC 3261 (no RFC 6026 Accepted state): a 2xx to an INVITE ends the transaction; the
// TU acknowledges it (and every retransmission of it) with an ACK of its own (§13.2.2.4,
// dialog.hpp), which goes to the transport without a transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/sip/sip_message.hpp"
#include "core/sip/transaction_timers.hpp"

namespace ccteams::sip {

// What the adapter does after an input, in this order: send `send` (if any) to the
// transaction's destination (over the transport the request went on), pass `deliver` (if any)
// to the TU, start each timer (a new one replaces a pending one of the same kind), and forget
// the transaction when `terminated`. `timed_out`: Timer B or F fired before a final response;
// the TU takes it as a 408 (§8.1.3.1). `transport_failed`: the same after a transport error
// (§17.1.4), taken as a 503.
struct ClientEffects {
  std::optional<SipMessage> send;
  std::optional<SipMessage> deliver;
  std::vector<TimerRequest> timers;
  bool terminated = false;
  bool timed_out = false;
  bool transport_failed = false;
};

// The client transaction a response belongs to (§17.1.3): the top Via's branch and the CSeq
// method (a CANCEL's responses are not its INVITE's). For the request that created it, the
// same key. nullopt without a top Via with an RFC 3261 branch, or without a CSeq.
struct ClientTransactionKey {
  std::string branch;
  std::string method;
  friend auto operator<=>(const ClientTransactionKey&, const ClientTransactionKey&) = default;
};
std::optional<ClientTransactionKey> client_transaction_key(const SipMessage& message);

// The ACK the INVITE client transaction sends for a 300-699 (§17.1.1.3): the INVITE's
// Request-URI, Call-ID, From, single top Via (the same branch) and Route headers, the
// response's To (with its tag), CSeq with the INVITE's number and method ACK, Max-Forwards 70,
// no body.
SipMessage make_non2xx_ack(const SipMessage& invite, const SipMessage& response);
// The CANCEL of an INVITE we sent (§9.1): the INVITE's Request-URI, Call-ID, From, To, single
// top Via (the same branch: the UAS matches it to the INVITE's transaction) and Route headers,
// CSeq with the INVITE's number and method CANCEL, Max-Forwards 70, no body. It runs in a
// non-INVITE client transaction of its own (its key has method CANCEL).
SipMessage make_cancel(const SipMessage& invite);

class InviteClientTransaction {
 public:
  enum class State : std::uint8_t { calling, proceeding, completed, terminated };

  // `invite` as the TU built it (its top Via carries a fresh z9hG4bK branch); `reliable` for
  // TCP/TLS.
  InviteClientTransaction(SipMessage invite, bool reliable, SipTimers timers = {});
  // Sends the INVITE; Timer A (UDP only) and Timer B.
  ClientEffects start();

  ClientEffects on_response(SipMessage response);  // one that matched the key
  ClientEffects on_timer(TimerKind kind);          // one not valid in the state is ignored
  ClientEffects on_transport_error();

  State state() const { return state_; }
  const SipMessage& request() const { return invite_; }

 private:
  SipMessage invite_;
  bool reliable_;
  SipTimers timers_;
  State state_ = State::calling;
  std::optional<SipMessage> ack_;  // sent for the final non-2xx, resent on its retransmissions
  std::chrono::milliseconds a_interval_{0};
};

class NonInviteClientTransaction {
 public:
  enum class State : std::uint8_t { trying, proceeding, completed, terminated };

  // Any request but INVITE and ACK (an ACK has no transaction).
  NonInviteClientTransaction(SipMessage request, bool reliable, SipTimers timers = {});
  // Sends the request; Timer E (UDP only) and Timer F.
  ClientEffects start();

  ClientEffects on_response(SipMessage response);
  ClientEffects on_timer(TimerKind kind);
  ClientEffects on_transport_error();

  State state() const { return state_; }
  const SipMessage& request() const { return request_; }

 private:
  SipMessage request_;
  bool reliable_;
  SipTimers timers_;
  State state_ = State::trying;
  std::chrono::milliseconds e_interval_{0};
};

}  // namespace ccteams::sip
