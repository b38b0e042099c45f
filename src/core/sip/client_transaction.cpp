#include "core/sip/client_transaction.hpp"

#include <algorithm>
#include <utility>

#include "core/sip/sip_headers.hpp"

namespace ccteams::sip {
namespace {

using std::chrono::milliseconds;

ClientEffects ended(bool timed_out, bool transport_failed) {
  ClientEffects e;
  e.terminated = true;
  e.timed_out = timed_out;
  e.transport_failed = transport_failed;
  return e;
}

}  // namespace

std::optional<ClientTransactionKey> client_transaction_key(const SipMessage& message) {
  const auto top = message.header("Via");
  const auto cseq_text = message.header("CSeq");
  if (!top || !cseq_text) return std::nullopt;
  auto via = parse_via(*top);
  auto cseq = parse_cseq(*cseq_text);
  if (!via || !cseq || !has_rfc3261_branch(*via)) return std::nullopt;
  // An ACK for a non-2xx carries the INVITE's branch and is part of the INVITE's transaction.
  std::string method = cseq->method == "ACK" ? std::string("INVITE") : cseq->method;
  return ClientTransactionKey{std::string(*via->branch()), std::move(method)};
}

namespace {

// A request on the INVITE's own hop (the ACK of a non-2xx, §17.1.1.3; a CANCEL, §9.1): the
// INVITE's Request-URI, single top Via (the same branch), From, Call-ID and Route headers, `to`
// as To, CSeq with the INVITE's number and `method`, Max-Forwards 70, no body.
SipMessage same_hop_request(const SipMessage& invite, std::string_view method,
                            std::optional<std::string_view> to) {
  SipMessage m;
  m.method = std::string(method);
  m.request_uri = invite.request_uri;
  if (const auto via = invite.header("Via")) m.add_header("Via", std::string(*via));
  for (const auto& h : invite.headers) {
    if (h.name == "From" || h.name == "Call-ID" || h.name == "Route") m.headers.push_back(h);
  }
  if (to) m.add_header("To", std::string(*to));
  std::uint32_t number = 0;
  if (const auto cseq_text = invite.header("CSeq")) {
    if (auto cseq = parse_cseq(*cseq_text)) number = cseq->number;
  }
  m.add_header("CSeq", format_cseq(CSeq{number, std::string(method)}));
  m.add_header("Max-Forwards", "70");
  return m;
}

}  // namespace

SipMessage make_non2xx_ack(const SipMessage& invite, const SipMessage& response) {
  return same_hop_request(invite, "ACK", response.header("To"));
}

SipMessage make_cancel(const SipMessage& invite) {
  return same_hop_request(invite, "CANCEL", invite.header("To"));
}

InviteClientTransaction::InviteClientTransaction(SipMessage invite, bool reliable, SipTimers timers)
    : invite_(std::move(invite)), reliable_(reliable), timers_(timers) {}

ClientEffects InviteClientTransaction::start() {
  ClientEffects e;
  e.send = invite_;
  if (!reliable_) {
    a_interval_ = timers_.t1;
    e.timers.push_back({TimerKind::a, a_interval_});
  }
  e.timers.push_back({TimerKind::b, 64 * timers_.t1});
  return e;
}

ClientEffects InviteClientTransaction::on_response(SipMessage response) {
  const int status = response.status_code;
  ClientEffects e;
  if (state_ == State::calling || state_ == State::proceeding) {
    if (status < 200) {
      // Any provisional stops the retransmissions (Timer A is ignored from now on) and Timer B:
      // the callee may ring for minutes (§17.1.1.2).
      state_ = State::proceeding;
      e.deliver = std::move(response);
      return e;
    }
    if (status < 300) {
      // The TU acknowledges a 2xx itself, end to end (§13.2.2.4).
      state_ = State::terminated;
      e.deliver = std::move(response);
      e.terminated = true;
      return e;
    }
    state_ = State::completed;
    ack_ = make_non2xx_ack(invite_, response);
    e.send = *ack_;
    e.deliver = std::move(response);
    e.timers.push_back({TimerKind::d, reliable_ ? milliseconds(0) : milliseconds(32000)});
    return e;
  }
  // Completed: a retransmitted final response means our ACK was lost; it goes again, and the
  // TU heard the response once already (§17.1.1.2).
  if (state_ == State::completed && status >= 300) e.send = *ack_;
  return e;
}

ClientEffects InviteClientTransaction::on_timer(TimerKind kind) {
  if (kind == TimerKind::a && state_ == State::calling && !reliable_) {
    a_interval_ *= 2;  // no T2 cap for INVITE requests
    ClientEffects e;
    e.send = invite_;
    e.timers.push_back({TimerKind::a, a_interval_});
    return e;
  }
  if (kind == TimerKind::b && state_ == State::calling) {
    state_ = State::terminated;
    return ended(/*timed_out=*/true, false);
  }
  if (kind == TimerKind::d && state_ == State::completed) {
    state_ = State::terminated;
    return ended(false, false);
  }
  return {};
}

ClientEffects InviteClientTransaction::on_transport_error() {
  if (state_ != State::calling && state_ != State::proceeding) return {};
  state_ = State::terminated;
  return ended(false, /*transport_failed=*/true);
}

NonInviteClientTransaction::NonInviteClientTransaction(SipMessage request, bool reliable,
                                                       SipTimers timers)
    : request_(std::move(request)), reliable_(reliable), timers_(timers) {}

ClientEffects NonInviteClientTransaction::start() {
  ClientEffects e;
  e.send = request_;
  if (!reliable_) {
    e_interval_ = timers_.t1;
    e.timers.push_back({TimerKind::e, e_interval_});
  }
  e.timers.push_back({TimerKind::f, 64 * timers_.t1});
  return e;
}

ClientEffects NonInviteClientTransaction::on_response(SipMessage response) {
  if (state_ != State::trying && state_ != State::proceeding) return {};  // absorbed
  ClientEffects e;
  if (response.status_code < 200) {
    state_ = State::proceeding;
  } else {
    state_ = State::completed;
    e.timers.push_back({TimerKind::k, reliable_ ? milliseconds(0) : timers_.t4});
  }
  e.deliver = std::move(response);
  return e;
}

ClientEffects NonInviteClientTransaction::on_timer(TimerKind kind) {
  if (kind == TimerKind::e && !reliable_ &&
      (state_ == State::trying || state_ == State::proceeding)) {
    // Trying: T1 doubling to T2; Proceeding: every T2 (§17.1.2.2).
    e_interval_ = state_ == State::trying ? std::min(2 * e_interval_, timers_.t2) : timers_.t2;
    ClientEffects e;
    e.send = request_;
    e.timers.push_back({TimerKind::e, e_interval_});
    return e;
  }
  if (kind == TimerKind::f && (state_ == State::trying || state_ == State::proceeding)) {
    state_ = State::terminated;
    return ended(/*timed_out=*/true, false);
  }
  if (kind == TimerKind::k && state_ == State::completed) {
    state_ = State::terminated;
    return ended(false, false);
  }
  return {};
}

ClientEffects NonInviteClientTransaction::on_transport_error() {
  if (state_ != State::trying && state_ != State::proceeding) return {};
  state_ = State::terminated;
  return ended(false, /*transport_failed=*/true);
}

}  // namespace ccteams::sip
