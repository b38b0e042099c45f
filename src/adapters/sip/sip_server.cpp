#include "adapters/sip/sip_server.hpp"

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <string>

#include "adapters/sip/sip_random.hpp"
#include "adapters/sip/sip_tcp_connection.hpp"
#include "core/sip/sdp.hpp"
#include "core/sip/sip_headers.hpp"

namespace ccteams::sip {
namespace net = boost::asio;
using net::ip::tcp;
using net::ip::udp;

namespace {

// Where a UDP response goes (RFC 3261 §18.2.2, RFC 3581 §4): the top Via's received (or
// sent-by host when it is an address) and rport (or sent-by port); the packet's source address
// when the Via names a host we would have to resolve.
udp::endpoint response_endpoint(const Via& via, const net::ip::address& from_address,
                                std::uint16_t from_port) {
  const HostPort target = udp_response_target(via);
  std::string host = target.host;
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  return udp::endpoint(ec ? from_address : address, target.port.value_or(from_port));
}

// The request at the head of a stream that could not be framed, so that one missing its
// Content-Length or too large can still be answered (§18.3); nullopt when that is not one.
std::optional<SipMessage> unframed_request(std::string_view buffer, std::size_t max_bytes) {
  auto m = parse_sip_head(buffer, max_bytes);
  if (!m || !m->is_request || !validate_sip_message(*m)) return std::nullopt;
  return std::move(*m);
}

struct SdpAnswer {
  SipMessage ok;
  NegotiatedAudio audio;
};

// The 200 to an INVITE (or re-INVITE) with the answer to its SDP offer (RFC 3264 §6) written
// with `origin`, or why there is none: 488 without an offer (an offerless INVITE, §13.2.1, is
// not supported yet) or without a common codec, 400 for an unreadable one.
SipResult<SdpAnswer> answer_with_sdp(const SipMessage& invite, const MediaConfig& media,
                                     std::string_view to_tag, const SdpOrigin& origin) {
  const auto type = invite.header("Content-Type");
  const std::string_view media_type = type ? type->substr(0, type->find(';')) : "";
  if (invite.body.empty() || !iequals(media_type, "application/sdp")) {
    return SipParseError{488,
                         "Not Acceptable Here (no SDP offer; offerless INVITEs are not "
                         "supported yet)"};
  }
  auto offer = parse_sdp(invite.body);
  if (!offer) return offer.error();
  auto answer = answer_offer(*offer, media, origin);
  if (!answer) return answer.error();
  SipMessage ok = make_response(invite, 200, to_tag);
  ok.add_header("Content-Type", "application/sdp");
  ok.body = format_sdp(answer->sdp);
  return SdpAnswer{std::move(ok), answer->audio};
}

// An offer refused: the error's status and reason; a 488 SHOULD say why in a Warning (305:
// incompatible media format, §21.4.26).
SipMessage refuse_offer(const SipMessage& invite, const SipParseError& error,
                        std::string_view to_tag, const std::string& host) {
  SipMessage refused = make_response(invite, error.status, to_tag, error.reason);
  if (refused.status_code == 488) {
    refused.add_header("Warning", "305 " + host + " \"Incompatible media format\"");
  }
  return refused;
}

}  // namespace

SipMessage default_answer(const SipMessage& request, std::string_view to_tag) {
  if (request.method == "OPTIONS") {
    SipMessage r = make_response(request, 200, to_tag);
    r.add_header("Allow", std::string(kSipAllow));
    r.add_header("Accept", "application/sdp");
    return r;
  }
  if (request.method == "INVITE") return make_response(request, 404, to_tag);
  // A CANCEL whose INVITE transaction exists is answered by the server itself (200).
  if (request.method == "BYE" || request.method == "CANCEL") {
    return make_response(request, 481, to_tag);
  }
  SipMessage r = make_response(request, 405, to_tag);
  r.add_header("Allow", std::string(kSipAllow));
  return r;
}

std::shared_ptr<SipServer> SipServer::create(net::io_context& io, Clock& clock,
                                             Scheduler& scheduler, RequestHandler handler,
                                             SipTimers timers, SipServerLimits limits) {
  auto server =
      std::make_shared<SipServer>(io, clock, scheduler, std::move(handler), timers, limits);
  std::weak_ptr<SipServer> weak = server;
  SipServer* raw = server.get();
  server->client_transactions_ = std::make_unique<ClientTransactionTable>(
      clock, scheduler, timers,
      [raw](const SipMessage& m, const udp::endpoint& to, bool reliable) {
        if (!reliable) {
          raw->send_udp(m, to);
        } else if (auto c = raw->connection_to(to)) {
          raw->send(m, Origin{true, {}, c});
        }
      },
      // A timer may fire while the server goes away: only a live server's strand runs it.
      [weak](std::function<void()> fn) {
        if (auto self = weak.lock()) {
          net::post(self->strand_, [self, fn = std::move(fn)] { fn(); });
        }
      });
  return server;
}

void SipServer::send_request(SipMessage request, udp::endpoint to, ResponseHandler on_response) {
  net::dispatch(strand_, [self = shared_from_this(), request = std::move(request), to,
                          on_response = std::move(on_response)]() mutable {
    request.headers.insert(request.headers.begin(), Header{"Via", format_via(self->new_via({}))});
    if (!request.has_header("Max-Forwards")) request.add_header("Max-Forwards", "70");
    if (!self->client_transactions_->start(request, to, on_response)) {
      on_response(make_response(request, 503));  // the table is full
    }
  });
}

SipServer::SipServer(net::io_context& io, Clock& clock, Scheduler& scheduler,
                     RequestHandler handler, SipTimers timers, SipServerLimits limits)
    : strand_(net::make_strand(io)),
      socket_(strand_),
      acceptor_(strand_),
      clock_(clock),
      scheduler_(scheduler),
      handler_(std::move(handler)),
      timers_(timers),
      limits_(limits) {}

Result<udp::endpoint> SipServer::start_udp(const udp::endpoint& at) {
  boost::system::error_code ec;
  socket_.open(at.protocol(), ec);
  if (!ec) socket_.bind(at, ec);
  if (ec) {
    return make_error(Errc::unavailable, "cannot bind SIP UDP " + at.address().to_string() + ":" +
                                             std::to_string(at.port()) + ": " + ec.message());
  }
  const udp::endpoint bound = socket_.local_endpoint(ec);
  net::dispatch(strand_, [self = shared_from_this()] { self->receive_next(); });
  return bound;
}

Result<tcp::endpoint> SipServer::start_tcp(const tcp::endpoint& at) {
  boost::system::error_code ec;
  acceptor_.open(at.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(at, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(Errc::unavailable, "cannot listen on SIP TCP " + at.address().to_string() +
                                             ":" + std::to_string(at.port()) + ": " + ec.message());
  }
  const tcp::endpoint bound = acceptor_.local_endpoint(ec);
  net::dispatch(strand_, [self = shared_from_this()] { self->accept_next(); });
  return bound;
}

// Where a phone that registered can be reached: the address its responses go to (RFC 3581
// received/rport) over UDP, its connection's peer over TCP.
BindingSource SipServer::binding_source(const Origin& origin) {
  if (origin.reliable) {
    const auto c = origin.tcp.lock();
    if (!c) return BindingSource{"TCP", {}, 0};
    return BindingSource{"TCP", c->remote().address().to_string(), c->remote().port()};
  }
  return BindingSource{"UDP", origin.udp.address().to_string(), origin.udp.port()};
}

HostPort SipServer::local_address(const Origin& origin) const {
  boost::system::error_code ec;
  net::ip::address address;
  std::uint16_t port = 0;
  if (origin.reliable) {
    if (auto c = origin.tcp.lock()) {
      address = c->local().address();
      port = c->local().port();
    }
  } else {
    const udp::endpoint local = socket_.local_endpoint(ec);
    address = local.address();
    port = local.port();
  }
  HostPort hp{address.to_string(), port};
  if (address.is_v6()) hp.host = "[" + hp.host + "]";
  return hp;
}

std::string SipServer::local_contact(const Origin& origin) const {
  return "<sip:" + format_host_port(local_address(origin)) +
         (origin.reliable ? ";transport=tcp>" : ">");
}

Via SipServer::new_via(const Origin& origin) const {
  Via via{origin.reliable ? "TCP" : "UDP", local_address(origin), {}};
  // Unique over space and time (§8.1.1.7): the cookie and 64 random bits.
  set_param(via.params, "branch", "z9hG4bK" + random_tag());
  if (!origin.reliable) set_param(via.params, "rport", std::nullopt);
  return via;
}

void SipServer::answer_call(DialogId id) {
  net::dispatch(strand_,
                [self = shared_from_this(), id = std::move(id)] { self->answer_ringing(id); });
}

void SipServer::reject_call(DialogId id, int status) {
  net::dispatch(strand_, [self = shared_from_this(), id = std::move(id), status] {
    self->refuse_ringing(id, status);
  });
}

void SipServer::stop() {
  net::dispatch(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->socket_.close(ignored);
    self->acceptor_.close(ignored);
    // close() calls back into connections_ (the closed callback): iterate over a copy.
    const auto connections = self->connections_;
    for (const auto& c : connections) c->close();
    self->transactions_.clear();
    self->client_transactions_->clear();
    self->ringing_.clear();
    self->answered_.clear();
    self->dialogs_ = DialogTable{};
    self->dialog_media_.clear();
    self->outgoing_.clear();
  });
}

void SipServer::receive_next() {
  socket_.async_receive_from(
      net::buffer(buffer_), from_,
      net::bind_executor(strand_,
                         [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                           if (ec == net::error::operation_aborted || !self->socket_.is_open())
                             return;
                           // Other errors (an ICMP port unreachable reported on the socket) end
                           // nothing.
                           if (!ec) {
                             self->on_message(std::string_view(self->buffer_.data(), n),
                                              self->from_.address(), self->from_.port(), nullptr);
                           }
                           self->receive_next();
                         }));
}

void SipServer::accept_next() {
  acceptor_.async_accept(
      strand_, [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !self->acceptor_.is_open()) return;
        if (!ec) {
          self->on_connection(std::make_shared<SipTcpConnection>(std::move(socket),
                                                                 self->limits_.max_message_bytes));
        }
        self->accept_next();
      });
}

void SipServer::on_connection(std::shared_ptr<SipTcpConnection> connection) {
  const auto address = connection->remote().address();
  // Over a limit the connection is closed at once, unread: a peer opening connections in a
  // loop costs us an accept and a close each, nothing that grows.
  if (connections_.size() >= limits_.max_connections ||
      connections_from_[address] >= limits_.max_connections_per_address) {
    if (connections_from_[address] == 0) connections_from_.erase(address);
    connection->close();
    return;
  }
  connections_.insert(connection);
  ++connections_from_[address];
  std::weak_ptr<SipServer> weak_server = weak_from_this();
  std::weak_ptr<SipTcpConnection> weak = connection;
  SipTcpConnection::Callbacks callbacks;
  callbacks.activity = [weak_server, weak] {
    auto self = weak_server.lock();
    auto c = weak.lock();
    if (self && c) self->touch(c);
  };
  callbacks.message = [weak_server, weak](std::string_view data) {
    auto self = weak_server.lock();
    auto c = weak.lock();
    if (self && c) self->on_message(data, c->remote().address(), c->remote().port(), c);
  };
  callbacks.framing_error = [weak_server, weak](const SipParseError& error,
                                                std::string_view buffer) {
    auto self = weak_server.lock();
    auto c = weak.lock();
    if (self && c) self->on_framing_error(c, error, buffer);
  };
  callbacks.closed = [weak_server, weak, address] {
    auto self = weak_server.lock();
    if (!self) return;
    if (auto c = weak.lock()) self->connections_.erase(c);
    if (--self->connections_from_[address] == 0) self->connections_from_.erase(address);
  };
  connection->start(std::move(callbacks));
  touch(connection);
}

void SipServer::touch(const std::shared_ptr<SipTcpConnection>& connection) {
  std::weak_ptr<SipServer> weak_server = weak_from_this();
  std::weak_ptr<SipTcpConnection> weak = connection;
  connection->last_activity = clock_.now();
  // The scheduler runs callbacks on its own thread: the connection is touched on the strand.
  // A new deadline replaces the old one (its handle cancels it).
  connection->idle_timer =
      scheduler_.schedule(clock_.now() + limits_.tcp_idle_timeout, [weak_server, weak] {
        if (auto self = weak_server.lock()) {
          net::post(self->strand_, [self, weak] { self->on_idle_timer(weak); });
        }
      });
}

void SipServer::on_idle_timer(const std::weak_ptr<SipTcpConnection>& connection) {
  // A timer that fired just before touch() replaced it may still arrive: the connection is
  // idle only if nothing moved since.
  auto c = connection.lock();
  if (c && clock_.now() >= c->last_activity + limits_.tcp_idle_timeout) c->close();
}

void SipServer::on_framing_error(const std::shared_ptr<SipTcpConnection>& connection,
                                 const SipParseError& error, std::string_view buffer) {
  // The connection closes after this; a request whose head was readable learns why.
  auto request = unframed_request(buffer, limits_.max_message_bytes);
  if (!request || request->method == "ACK") return;
  connection->send(serialize(make_response(*request, error.status, random_tag(), error.reason)));
}

void SipServer::on_message(std::string_view data, const net::ip::address& from_address,
                           std::uint16_t from_port, const std::shared_ptr<SipTcpConnection>& tcp) {
  ParseOptions options;
  options.stream = tcp != nullptr;
  options.max_bytes = limits_.max_message_bytes;
  auto parsed = parse_sip_structure(data, options);
  if (!parsed) return;  // unparsable: nothing to answer to
  if (!parsed->is_request) {
    // To the client transaction it matches; a stray or malformed one is dropped (§18.1.2).
    // A 2xx no transaction takes may be a placed call's, resent or forked (§13.2.2.4).
    if (!validate_sip_message(*parsed)) return;
    std::optional<SipMessage> success;
    if (parsed->status_code / 100 == 2) success = *parsed;
    if (!client_transactions_->on_response(std::move(*parsed)) && success) {
      on_stray_response(*success);
    }
    return;
  }
  SipMessage& request = *parsed;
  auto top = std::find_if(request.headers.begin(), request.headers.end(),
                          [](const Header& h) { return h.name == "Via"; });
  if (top == request.headers.end()) return;
  auto via = parse_via(top->value);
  if (!via) return;
  stamp_received(*via, from_address.to_string(), from_port);
  top->value = format_via(*via);
  Origin origin;
  origin.reliable = tcp != nullptr;
  origin.tcp = tcp;
  if (!tcp) origin.udp = response_endpoint(*via, from_address, from_port);

  if (auto valid = validate_sip_message(request); !valid) {
    // Answered statelessly (§8.2): a malformed request creates no transaction.
    if (request.method != "ACK") {
      send(make_response(request, valid.error().status, random_tag(), valid.error().reason),
           origin);
    }
    return;
  }
  const auto key = server_transaction_key(request);
  if (!key) return;  // RFC 2543 peers (no magic cookie) are not supported
  const auto it = transactions_.find(*key);
  if (request.method == "ACK") {
    // An ACK to a non-2xx ends its INVITE transaction; one to a 2xx (a branch of its own)
    // belongs to a dialog, and one that matches neither is dropped.
    auto* ist =
        it == transactions_.end() ? nullptr : std::get_if<InviteServerTransaction>(&it->second.tx);
    if (ist != nullptr) {
      apply(*key, ist->on_ack());
    } else {
      in_dialog(request);
    }
    return;
  }
  if (it != transactions_.end()) {
    apply(*key, std::visit([](auto& tx) { return tx.on_retransmission(); }, it->second.tx));
    return;
  }
  if (request.method == "INVITE") {
    // The INVITE again after its 2xx ended the transaction: the 2xx again, not a second call
    // (§13.3.1.4; RFC 6026's Accepted state does this in the transaction).
    const auto answered = std::find_if(answered_.begin(), answered_.end(),
                                       [&](const auto& a) { return a.second.invite_key == *key; });
    if (answered != answered_.end()) {
      send(answered->second.ok, answered->second.origin);
      return;
    }
  }
  if (transactions_.size() >= limits_.max_transactions) return;
  if (request.method == "INVITE") {
    transactions_.emplace(
        *key, Entry{InviteServerTransaction(request, origin.reliable, timers_), origin, {}});
    apply(*key, std::get<InviteServerTransaction>(transactions_.at(*key).tx).start());
  } else {
    transactions_.emplace(*key,
                          Entry{NonInviteServerTransaction(origin.reliable, timers_), origin, {}});
  }
  const bool cancel = request.method == "CANCEL";
  std::optional<SipMessage> response;
  if (cancel) {
    response = cancel_answer(request, *key);
  } else if (request.method == "REGISTER" && register_) {
    response = register_(request, binding_source(origin), random_tag());
  } else if (request.method == "INVITE" && dialog_id_of_request(request)) {
    response = reinvite(request, *key, origin);
  } else if (dialog_id_of_request(request)) {
    response = in_dialog(request);  // a To tag: in a dialog, or 481 (§12.2.2)
  } else if (request.method == "INVITE" && calls_.on_invite) {
    on_invite(request, *key, origin);
    return;
  }
  if (!response) response = handler_(request, random_tag());
  // With a registrar, REGISTER is a method we take (§20.5: Allow lists them all).
  if (register_ && response->has_header("Allow")) response->add_header("Allow", "REGISTER");
  const auto again = transactions_.find(*key);
  if (again == transactions_.end()) return;
  apply(*key, std::visit([&](auto& tx) { return tx.on_response(std::move(*response)); },
                         again->second.tx));
  if (cancel) {
    TransactionKey invite = *key;
    invite.method = "INVITE";
    cancel_ringing(invite);  // after the 200 to the CANCEL, the 487 to the INVITE (§9.2)
  }
}

void SipServer::on_invite(const SipMessage& invite, const TransactionKey& key,
                          const Origin& origin) {
  const std::string tag = random_tag();
  const auto respond = [&](SipMessage response) {
    const auto t = transactions_.find(key);
    if (t == transactions_.end()) return;
    apply(key, std::get<InviteServerTransaction>(t->second.tx).on_response(std::move(response)));
  };
  const HostPort local = local_address(origin);
  const std::string contact = local_contact(origin);
  SipMessage ringing = make_response(invite, 180, tag);
  ringing.add_header("Contact", contact);
  // The dialog this call will have; an INVITE that cannot make one (no Contact) is refused.
  auto early = uas_dialog(invite, ringing);
  if (!early) {
    respond(make_response(invite, early.error().status, tag, early.error().reason));
    return;
  }
  const DialogId id = early->id;
  const InviteDecision decision = calls_.on_invite(invite, id);
  if (decision.kind == InviteDecision::Kind::reject) {
    respond(make_response(invite, decision.status, tag));
    return;
  }
  const SdpOrigin sdp_origin = new_sdp_origin(decision.media.address);
  auto ok = answer_with_sdp(invite, decision.media, tag, sdp_origin);
  if (!ok) {
    respond(refuse_offer(invite, ok.error(), tag, local.host));
    return;
  }
  ok->ok.add_header("Contact", contact);
  respond(std::move(ringing));
  ringing_.insert_or_assign(id,
                            Ringing{invite, key, std::move(ok->ok), decision.media, sdp_origin});
  if (decision.kind == InviteDecision::Kind::answer) answer_ringing(id);
}

void SipServer::answer_ringing(const DialogId& id) {
  const auto r = ringing_.find(id);
  if (r == ringing_.end()) return;  // cancelled or rejected meanwhile
  Ringing call = std::move(r->second);
  ringing_.erase(r);
  const auto t = transactions_.find(call.key);
  if (t == transactions_.end()) return;
  const Origin origin = t->second.origin;
  auto dialog = uas_dialog(call.invite, call.ok);
  if (!dialog) return;  // not after the 180 made one from the same headers
  apply(call.key, std::get<InviteServerTransaction>(t->second.tx).on_response(call.ok));
  dialogs_.add(std::move(*dialog));
  dialog_media_[id] = DialogMedia{origin, std::move(call.media), call.sdp_origin, std::nullopt};
  // The 2xx ended the INVITE transaction: resending it until the ACK is ours (§13.3.1.4).
  Answered& answered = answered_[id];
  answered = Answered{std::move(call.ok), call.key, origin, AnswerRetransmission(timers_), nullptr};
  schedule_answer_timer(id, *answered.retransmission.start().next);
}

void SipServer::schedule_answer_timer(const DialogId& id, std::chrono::milliseconds after) {
  const auto it = answered_.find(id);
  if (it == answered_.end()) return;
  std::weak_ptr<SipServer> weak = weak_from_this();
  it->second.timer = scheduler_.schedule(clock_.now() + after, [weak, id] {
    if (auto self = weak.lock()) {
      net::post(self->strand_, [self, id] { self->on_answer_timer(id); });
    }
  });
}

void SipServer::on_answer_timer(const DialogId& id) {
  const auto it = answered_.find(id);
  if (it == answered_.end()) return;  // ACKed or ended meanwhile
  const auto step = it->second.retransmission.on_timer();
  if (step.resend) send(it->second.ok, it->second.origin);
  if (step.next) schedule_answer_timer(id, *step.next);
  if (!step.give_up) return;
  // 64*T1 without an ACK: the dialog counts as confirmed, and the session ends (§13.3.1.4).
  const Origin origin = it->second.origin;
  if (Dialog* dialog = dialogs_.find(id)) send_bye(*dialog, origin);
  tell_end(id, CallEnd::no_ack);
}

void SipServer::tell_end(const DialogId& id, CallEnd how) {
  const auto m = dialog_media_.find(id);
  const std::optional<std::string> call = m == dialog_media_.end() ? std::nullopt : m->second.call;
  forget_dialog(id);
  if (!call) {
    if (calls_.on_end) calls_.on_end(id, how);
    return;
  }
  const auto out = outgoing_.find(*call);
  if (out == outgoing_.end() || out->second.ended) return;
  const OutgoingCallHandler handler = out->second.handler;
  end_outgoing(*call);
  if (handler.on_end) handler.on_end(*call, how);
}

void SipServer::forget_dialog(const DialogId& id) {
  answered_.erase(id);
  dialogs_.erase(id);
  dialog_media_.erase(id);
}

void SipServer::hang_up(const DialogId& id) {
  net::dispatch(strand_, [self = shared_from_this(), id] {
    Dialog* dialog = self->dialogs_.find(id);
    const auto m = self->dialog_media_.find(id);
    if (dialog == nullptr || m == self->dialog_media_.end()) return;
    self->send_bye(*dialog, m->second.origin);
    if (m->second.call) self->end_outgoing(*m->second.call);
    self->forget_dialog(id);
  });
}

void SipServer::send_bye(Dialog& dialog, const Origin& to) {
  // To where the INVITE came from (its Via's received/rport, or its connection), like the
  // responses: the remote target and route set are not resolved to an address yet.
  SipMessage bye = make_in_dialog_request(dialog, "BYE", new_via(to));
  start_client_transaction(bye, to, [](const SipMessage&) {});
}

bool SipServer::start_client_transaction(const SipMessage& request, const Origin& to,
                                         ResponseHandler on_response) {
  if (!to.reliable) return client_transactions_->start(request, to.udp, std::move(on_response));
  const auto c = to.tcp.lock();
  if (!c || !c->is_open()) return false;
  const udp::endpoint peer(c->remote().address(), c->remote().port());
  return client_transactions_->start(request, peer, std::move(on_response), true);
}

std::shared_ptr<SipTcpConnection> SipServer::connection_to(const udp::endpoint& peer) const {
  for (const auto& c : connections_) {
    if (c->is_open() && c->remote().address() == peer.address() &&
        c->remote().port() == peer.port()) {
      return c;
    }
  }
  return nullptr;
}

std::optional<SipMessage> SipServer::in_dialog(const SipMessage& request) {
  const auto verdict = dialogs_.route_request(request);
  if (verdict.reject) return make_response(request, *verdict.reject);
  if (verdict.dialog == nullptr) return std::nullopt;  // an ACK that matches nothing
  const DialogId id = verdict.dialog->id;
  if (request.method == "ACK") {
    // The 2xx arrived: no more retransmissions (§13.3.1.4). An ACK resent is only absorbed.
    const auto a = answered_.find(id);
    if (a == answered_.end()) return std::nullopt;
    const bool first_answer = !a->second.reinvite;
    answered_.erase(a);
    if (first_answer && calls_.on_acked) calls_.on_acked(id);
    return std::nullopt;
  }
  if (request.method == "BYE") {
    // Also before the ACK: the BYE ends the session and the retransmissions (§15.1.2).
    tell_end(id, CallEnd::bye);
    return make_response(request, 200);
  }
  return handler_(request, {});  // OPTIONS 200; anything else 405
}

SipMessage SipServer::reinvite(const SipMessage& request, const TransactionKey& key,
                               const Origin& origin) {
  const auto id = dialog_id_of_request(request);
  const Dialog* before = id ? dialogs_.find(*id) : nullptr;
  const std::string remote_target = before != nullptr ? before->remote_target : "";
  const auto verdict = dialogs_.route_request(request);
  if (verdict.reject) return make_response(request, *verdict.reject);
  Dialog& dialog = *verdict.dialog;
  const auto m = dialog_media_.find(dialog.id);
  // Refusing a re-INVITE leaves the session as it was (§14.2): its Contact does not become
  // the remote target (route_request took it); its CSeq stays recorded.
  const auto refuse = [&](SipMessage response) {
    dialog.remote_target = remote_target;
    return response;
  };
  if (m == dialog_media_.end()) return refuse(make_response(request, 481));
  // The last INVITE's 2xx is not ACKed yet: that offer/answer is still in progress (§14.2).
  if (answered_.contains(dialog.id)) {
    SipMessage pending = make_response(request, 491);
    pending.add_header("Retry-After", "1");
    return refuse(std::move(pending));
  }
  SdpOrigin next = m->second.sdp_origin;
  ++next.session_version;  // a new SDP from us (RFC 3264 §8)
  auto answer = answer_with_sdp(request, m->second.media, dialog.id.local_tag, next);
  if (!answer) {
    return refuse(
        refuse_offer(request, answer.error(), dialog.id.local_tag, local_address(origin).host));
  }
  m->second.sdp_origin = next;
  answer->ok.add_header("Contact", "<" + dialog.local_target + ">");
  // This 2xx, too, is resent until its ACK (§13.3.1.4), and the re-INVITE again gets it.
  Answered& answered = answered_[dialog.id];
  answered =
      Answered{answer->ok, key, m->second.origin, AnswerRetransmission(timers_), nullptr, true};
  schedule_answer_timer(dialog.id, *answered.retransmission.start().next);
  // Told last, with copies: the app may hang up from the callback.
  const DialogId dialog_id = dialog.id;
  const std::optional<std::string> call = m->second.call;
  if (call) {
    const auto out = outgoing_.find(*call);
    const auto on_reoffer = out != outgoing_.end() ? out->second.handler.on_reoffer : nullptr;
    if (on_reoffer) on_reoffer(*call, answer->audio);
  } else if (calls_.on_reoffer) {
    calls_.on_reoffer(dialog_id, answer->audio);
  }
  return std::move(answer->ok);
}

void SipServer::cancel_ringing(const TransactionKey& invite_key) {
  const auto r = std::find_if(ringing_.begin(), ringing_.end(),
                              [&](const auto& entry) { return entry.second.key == invite_key; });
  if (r == ringing_.end()) return;
  const DialogId id = r->first;
  refuse_ringing(id, 487);
  if (calls_.on_end) calls_.on_end(id, CallEnd::cancelled);
}

void SipServer::refuse_ringing(const DialogId& id, int status) {
  const auto r = ringing_.find(id);
  if (r == ringing_.end()) return;
  const SipMessage response = make_response(r->second.invite, status, id.local_tag);
  const TransactionKey key = r->second.key;
  ringing_.erase(r);
  const auto t = transactions_.find(key);
  if (t == transactions_.end()) return;
  apply(key, std::get<InviteServerTransaction>(t->second.tx).on_response(response));
}

std::optional<SipMessage> SipServer::cancel_answer(const SipMessage& request,
                                                   const TransactionKey& key) const {
  if (request.method != "CANCEL") return std::nullopt;
  // A CANCEL matches the INVITE transaction with its branch and sent-by (§9.2): 200, with the
  // To tag the INVITE's latest response had; a ringing call then gets its 487
  // (cancel_ringing), one already final is unchanged. Without one, the handler answers (481).
  TransactionKey invite = key;
  invite.method = "INVITE";
  const auto it = transactions_.find(invite);
  if (it == transactions_.end()) return std::nullopt;
  const auto* ist = std::get_if<InviteServerTransaction>(&it->second.tx);
  SipMessage ok = make_response(request, 200);
  if (ist != nullptr && ist->last_response()) {
    if (const auto to = ist->last_response()->header("To")) ok.set_header("To", std::string(*to));
  }
  return ok;
}

void SipServer::on_timer(const TransactionKey& key, TimerKind kind) {
  const auto it = transactions_.find(key);
  if (it == transactions_.end()) return;  // ended meanwhile
  apply(key, std::visit([&](auto& tx) { return tx.on_timer(kind); }, it->second.tx));
}

void SipServer::apply(const TransactionKey& key, TransactionEffects effects) {
  const auto it = transactions_.find(key);
  if (it == transactions_.end()) return;
  if (effects.send) send(*effects.send, it->second.origin);
  for (const auto& t : effects.timers) {
    std::weak_ptr<SipServer> weak = weak_from_this();
    // The scheduler runs callbacks on its own thread: the transaction is touched on the strand.
    it->second.timers[t.kind] =
        scheduler_.schedule(clock_.now() + t.after, [weak, key, kind = t.kind] {
          if (auto self = weak.lock()) {
            net::post(self->strand_, [self, key, kind] { self->on_timer(key, kind); });
          }
        });
  }
  if (effects.terminated) transactions_.erase(it);
}

void SipServer::send(const SipMessage& message, const Origin& to) {
  if (to.reliable) {
    // §18.2.2: on the connection the request came in on. Opening a new one to the Via's
    // received/sent-by when it has closed is not done yet: the response is lost, and the
    // client's transaction times out.
    if (auto c = to.tcp.lock(); c && c->is_open()) {
      c->send(serialize(message));
      touch(c);
    }
    return;
  }
  send_udp(message, to.udp);
}

void SipServer::send_udp(const SipMessage& message, const udp::endpoint& to) {
  auto data = std::make_shared<std::string>(serialize(message));
  socket_.async_send_to(net::buffer(*data), to,
                        net::bind_executor(strand_, [data](boost::system::error_code, std::size_t) {
                          // A lost datagram is what the retransmission timers are for.
                        }));
}

}  // namespace ccteams::sip
