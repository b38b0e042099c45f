// SipServer as a UAC (RFC 3261 §13.2, §9.1, §15): the calls it places. The UAS side and the
// transports are in sip_server.cpp.

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <optional>
#include <string>

#include "adapters/sip/sip_random.hpp"
#include "adapters/sip/sip_server.hpp"
#include "core/sip/sdp.hpp"
#include "core/sip/sip_headers.hpp"

namespace ccteams::sip {
namespace net = boost::asio;

namespace {

constexpr std::size_t kMaxForks = 16;

// The INVITE's URIs must be SIP URIs we can write (416 for another scheme, 400 otherwise).
std::optional<int> bad_uri(const OutgoingCall& call) {
  for (const std::string* uri : {&call.request_uri, &call.to_uri, &call.from_uri}) {
    if (auto parsed = parse_sip_uri(*uri); !parsed) return parsed.error().status;
  }
  return std::nullopt;
}

}  // namespace

std::string SipServer::place_call(OutgoingCall call, OutgoingCallHandler handler) {
  // 128 random bits: unique without coordination between servers.
  std::string call_id = random_tag() + random_tag() + "@ccteams";
  // Posted, not dispatched: a caller on the strand has the handle before any callback.
  net::post(strand_, [self = shared_from_this(), call_id, call = std::move(call),
                      handler = std::move(handler)]() mutable {
    self->start_outgoing(call_id, std::move(call), std::move(handler));
  });
  return call_id;
}

void SipServer::cancel_call(const std::string& call) {
  net::dispatch(strand_, [self = shared_from_this(), call] { self->cancel_outgoing(call); });
}

void SipServer::start_outgoing(const std::string& call_id, OutgoingCall call,
                               OutgoingCallHandler handler) {
  if (const auto status = bad_uri(call)) {
    if (handler.on_failed) handler.on_failed(call_id, *status);
    return;
  }
  Origin to{call.over_tcp, call.destination, {}};
  if (call.over_tcp) {
    to.tcp = connection_to(call.destination);
    if (to.tcp.expired()) {  // no connection to reuse, and we open none
      if (handler.on_failed) handler.on_failed(call_id, 503);
      return;
    }
  }
  SessionDescription offer = make_offer(call.media, new_sdp_origin(call.media.address));
  SipMessage invite;
  invite.method = "INVITE";
  invite.request_uri = call.request_uri;
  invite.add_header("Via", format_via(new_via(to)));
  invite.add_header("Max-Forwards", "70");
  invite.add_header("From", format_name_addr(NameAddr{
                                call.from_display, call.from_uri, {Param{"tag", random_tag()}}}));
  invite.add_header("To", format_name_addr(NameAddr{{}, call.to_uri, {}}));
  invite.add_header("Call-ID", call_id);
  invite.add_header("CSeq", "1 INVITE");
  invite.add_header("Contact", local_contact(to));
  invite.add_header("Allow", std::string(kSipAllow));
  invite.add_header("Content-Type", "application/sdp");
  invite.body = format_sdp(offer);
  Outgoing& out = outgoing_[call_id];
  out.invite = invite;
  out.to = to;
  out.handler = std::move(handler);
  out.media = std::move(call.media);
  out.offer = std::move(offer);
  const bool started = start_client_transaction(
      invite, to, [this, call_id](const SipMessage& r) { on_outgoing_response(call_id, r); });
  if (!started) {  // the table is full, or the connection closed
    const OutgoingCallHandler told = out.handler;
    end_outgoing(call_id);
    if (told.on_failed) told.on_failed(call_id, 503);
  }
}

void SipServer::on_outgoing_response(const std::string& call_id, const SipMessage& response) {
  const auto it = outgoing_.find(call_id);
  if (it == outgoing_.end()) return;
  Outgoing& out = it->second;
  const int status = response.status_code;
  if (status < 200) {
    out.provisional = true;
    // A CANCEL waits for a provisional (§9.1): the UAS has a transaction to cancel now.
    if (out.cancelled && !out.cancel_sent) send_cancel(call_id);
    if (status > 100 && !out.cancelled && !out.ended && out.handler.on_progress) {
      out.handler.on_progress(call_id, status);
    }
    return;
  }
  if (status < 300) {
    on_outgoing_2xx(call_id, response);
    return;
  }
  // 300-699 (ACKed by the transaction), or the 408 of Timer B, or a 503.
  out.final = true;
  if (out.ended) return;
  const OutgoingCallHandler told = out.handler;
  // After our CANCEL, a timeout means the same as the 487 that did not come.
  const int reported = out.cancelled && status == 408 ? 487 : status;
  end_outgoing(call_id);
  if (told.on_failed) told.on_failed(call_id, reported);
}

void SipServer::on_outgoing_2xx(const std::string& call_id, const SipMessage& response) {
  const auto it = outgoing_.find(call_id);
  if (it == outgoing_.end()) return;
  Outgoing& out = it->second;
  const auto id = dialog_id_of_response(response);
  if (!id) return;  // a 2xx without a To tag makes no dialog: nothing to ACK it in
  const Origin& to = out.to;
  // The answered dialog's 2xx again: its ACK again (§13.2.2.4).
  if (out.dialog && *out.dialog == *id) {
    if (out.ack) send(*out.ack, to);
    return;
  }
  if (const auto fork = out.fork_acks.find(id->remote_tag); fork != out.fork_acks.end()) {
    send(fork->second, to);
    return;
  }
  // Each fork costs an ACK and a BYE transaction: a peer inventing To tags gets a few.
  if (out.fork_acks.size() >= kMaxForks) return;
  // A 2xx must have a Contact (§12.1.2); without one, the Request-URI stands in as the remote
  // target (every request goes to the destination anyway) so that it can be ACKed.
  SipMessage answered = response;
  if (!answered.has_header("Contact"))
    answered.add_header("Contact", "<" + out.invite.request_uri + ">");
  auto dialog = uac_dialog(out.invite, answered);
  if (!dialog) {
    if (out.dialog || out.ended) return;
    const OutgoingCallHandler told = out.handler;
    out.final = true;
    end_outgoing(call_id);
    if (told.on_failed) told.on_failed(call_id, 502);  // an answer we cannot read
    return;
  }
  const SipMessage ack = make_2xx_ack(*dialog, 1, new_via(to));
  send(ack, to);
  if (out.dialog || out.ended) {
    // A second 2xx from another To tag (a fork), or one after the call ended: ACKed, then
    // BYEd, as we keep one dialog per call (§13.2.2.4).
    out.fork_acks.emplace(id->remote_tag, ack);
    send_bye(*dialog, to);
    return;
  }
  out.final = true;
  out.dialog = *id;
  out.ack = ack;
  const OutgoingCallHandler told = out.handler;
  if (out.cancelled) {
    // The 2xx crossed our CANCEL: the callee answered, and we hang up (§15).
    send_bye(*dialog, to);
    end_outgoing(call_id);
    if (told.on_failed) told.on_failed(call_id, 487);
    return;
  }
  auto answer = parse_sdp(response.body);
  auto audio =
      answer ? accept_answer(out.offer, *answer) : SipResult<NegotiatedAudio>(answer.error());
  if (!audio) {
    // The ACK went already; a session we cannot have ends at once (§13.2.2.4).
    send_bye(*dialog, to);
    end_outgoing(call_id);
    if (told.on_failed) told.on_failed(call_id, 488);
    return;
  }
  dialog_media_[*id] = DialogMedia{to, out.media, out.offer.origin, call_id};
  dialogs_.add(std::move(*dialog));
  if (told.on_answered) told.on_answered(call_id, *audio);
}

void SipServer::on_stray_response(const SipMessage& response) {
  const auto cseq_text = response.header("CSeq");
  const auto call_id = response.header("Call-ID");
  if (!cseq_text || !call_id) return;
  const auto cseq = parse_cseq(*cseq_text);
  if (!cseq || cseq->method != "INVITE") return;
  on_outgoing_2xx(std::string(*call_id), response);
}

void SipServer::cancel_outgoing(const std::string& call_id) {
  const auto it = outgoing_.find(call_id);
  if (it == outgoing_.end() || it->second.ended) return;
  Outgoing& out = it->second;
  if (out.dialog) {
    // Answered: the app hangs up.
    if (Dialog* dialog = dialogs_.find(*out.dialog)) send_bye(*dialog, out.to);
    forget_dialog(*out.dialog);
    end_outgoing(call_id);
    return;
  }
  if (out.cancelled || out.final) return;
  out.cancelled = true;
  if (out.provisional) send_cancel(call_id);
}

void SipServer::send_cancel(const std::string& call_id) {
  Outgoing& out = outgoing_.at(call_id);
  out.cancel_sent = true;
  start_client_transaction(make_cancel(out.invite), out.to, [](const SipMessage&) {});
  // The INVITE transaction has no timer once a provisional came: 64*T1 without its final
  // response, the INVITE counts as cancelled (§9.1).
  std::weak_ptr<SipServer> weak = weak_from_this();
  out.timer = scheduler_.schedule(clock_.now() + 64 * timers_.t1, [weak, call_id] {
    if (auto self = weak.lock()) {
      net::post(self->strand_, [self, call_id] { self->on_cancel_timer(call_id); });
    }
  });
}

void SipServer::on_cancel_timer(const std::string& call_id) {
  const auto it = outgoing_.find(call_id);
  if (it == outgoing_.end() || it->second.final || it->second.ended) return;
  it->second.final = true;
  client_transactions_->erase(it->second.invite);
  const OutgoingCallHandler told = it->second.handler;
  end_outgoing(call_id);
  if (told.on_failed) told.on_failed(call_id, 487);
}

void SipServer::end_outgoing(const std::string& call_id) {
  const auto it = outgoing_.find(call_id);
  if (it == outgoing_.end()) return;
  it->second.ended = true;
  // Kept 64*T1 more, so that a 2xx resent or forked late is ACKed (and BYEd), then forgotten.
  std::weak_ptr<SipServer> weak = weak_from_this();
  it->second.timer = scheduler_.schedule(clock_.now() + 64 * timers_.t1, [weak, call_id] {
    if (auto self = weak.lock()) {
      net::post(self->strand_, [self, call_id] { self->on_linger_timer(call_id); });
    }
  });
}

void SipServer::on_linger_timer(const std::string& call_id) {
  const auto it = outgoing_.find(call_id);
  if (it != outgoing_.end() && it->second.ended) outgoing_.erase(it);
}

}  // namespace ccteams::sip
