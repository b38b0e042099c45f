#include "core/sip/server_transaction.hpp"

#include <algorithm>
#include <utility>

#include "core/sip/sip_headers.hpp"

namespace ccteams::sip {
namespace {

using std::chrono::milliseconds;

TransactionEffects send(const SipMessage& response) {
  TransactionEffects e;
  e.send = response;
  return e;
}

}  // namespace

std::optional<TransactionKey> server_transaction_key(const SipMessage& request) {
  if (!request.is_request) return std::nullopt;
  const auto top = request.header("Via");
  if (!top) return std::nullopt;
  auto via = parse_via(*top);
  if (!via || !has_rfc3261_branch(*via)) return std::nullopt;
  TransactionKey key{std::string(*via->branch()), format_host_port(via->sent_by), request.method};
  if (key.method == "ACK") key.method = "INVITE";
  return key;
}

SipMessage make_response(const SipMessage& request, int status, std::string_view to_tag,
                         std::string_view reason) {
  SipMessage r;
  r.is_request = false;
  r.status_code = status;
  r.reason = std::string(reason);
  for (const auto& h : request.headers) {
    if (h.name == "Via" || h.name == "From" || h.name == "Call-ID" || h.name == "CSeq" ||
        (status == 100 && h.name == "Timestamp")) {
      r.headers.push_back(h);
    } else if (h.name == "To") {
      Header to = h;
      // A tag identifies our side of the dialog; a 100 never carries one it did not get.
      if (status > 100 && !to_tag.empty()) {
        auto addr = parse_name_addr(h.value);
        if (addr && !addr->tag()) to.value += ";tag=" + std::string(to_tag);
      }
      r.headers.push_back(std::move(to));
    }
  }
  return r;
}

InviteServerTransaction::InviteServerTransaction(const SipMessage& invite, bool reliable,
                                                 SipTimers timers)
    : invite_(invite), reliable_(reliable), timers_(timers) {}

TransactionEffects InviteServerTransaction::start() {
  last_response_ = make_response(invite_, 100);
  return send(*last_response_);
}

TransactionEffects InviteServerTransaction::on_retransmission() {
  // Proceeding: resend the latest provisional; Completed: the final response (§17.2.1).
  if ((state_ == State::proceeding || state_ == State::completed) && last_response_) {
    return send(*last_response_);
  }
  return {};
}

TransactionEffects InviteServerTransaction::on_response(SipMessage response) {
  if (state_ != State::proceeding) return {};  // the TU answered twice: nothing more goes out
  const int status = response.status_code;
  last_response_ = std::move(response);
  TransactionEffects e = send(*last_response_);
  if (status < 200) return e;
  if (status < 300) {
    // The TU retransmits the 2xx itself (§13.3.1.4); the transaction is over.
    state_ = State::terminated;
    e.terminated = true;
    return e;
  }
  state_ = State::completed;
  if (!reliable_) {
    g_interval_ = timers_.t1;
    e.timers.push_back({TimerKind::g, g_interval_});
  }
  e.timers.push_back({TimerKind::h, 64 * timers_.t1});
  return e;
}

TransactionEffects InviteServerTransaction::on_ack() {
  if (state_ != State::completed) return {};  // Confirmed absorbs ACK retransmissions
  state_ = State::confirmed;
  TransactionEffects e;
  e.timers.push_back({TimerKind::i, reliable_ ? milliseconds(0) : timers_.t4});
  return e;
}

TransactionEffects InviteServerTransaction::on_timer(TimerKind kind) {
  if (kind == TimerKind::g && state_ == State::completed && !reliable_) {
    g_interval_ = std::min(2 * g_interval_, timers_.t2);
    TransactionEffects e = send(*last_response_);
    e.timers.push_back({TimerKind::g, g_interval_});
    return e;
  }
  if (kind == TimerKind::h && state_ == State::completed) {
    state_ = State::terminated;
    TransactionEffects e;
    e.terminated = true;
    e.timed_out = true;
    return e;
  }
  if (kind == TimerKind::i && state_ == State::confirmed) {
    state_ = State::terminated;
    TransactionEffects e;
    e.terminated = true;
    return e;
  }
  return {};
}

NonInviteServerTransaction::NonInviteServerTransaction(bool reliable, SipTimers timers)
    : reliable_(reliable), timers_(timers) {}

TransactionEffects NonInviteServerTransaction::on_retransmission() {
  if ((state_ == State::proceeding || state_ == State::completed) && last_response_) {
    return send(*last_response_);
  }
  return {};  // Trying: no response yet, the retransmission is absorbed (§17.2.2)
}

TransactionEffects NonInviteServerTransaction::on_response(SipMessage response) {
  if (state_ == State::completed || state_ == State::terminated) return {};
  const int status = response.status_code;
  last_response_ = std::move(response);
  TransactionEffects e = send(*last_response_);
  if (status < 200) {
    state_ = State::proceeding;
    return e;
  }
  state_ = State::completed;
  e.timers.push_back({TimerKind::j, reliable_ ? milliseconds(0) : 64 * timers_.t1});
  return e;
}

TransactionEffects NonInviteServerTransaction::on_timer(TimerKind kind) {
  if (kind != TimerKind::j || state_ != State::completed) return {};
  state_ = State::terminated;
  TransactionEffects e;
  e.terminated = true;
  return e;
}

}  // namespace ccteams::sip
