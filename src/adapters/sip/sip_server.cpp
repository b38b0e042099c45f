#include "adapters/sip/sip_server.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <string>

#include "adapters/sip/sip_tcp_connection.hpp"
#include "core/sip/sip_headers.hpp"

namespace ccteams::sip {
namespace net = boost::asio;
using net::ip::tcp;
using net::ip::udp;

namespace {

constexpr std::string_view kAllow = "INVITE, ACK, BYE, CANCEL, OPTIONS";

// Tags must be cryptographically random with at least 32 bits (RFC 3261 §19.3).
std::string random_tag() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "ccteams";
  constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0F]);
  }
  return out;
}

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

}  // namespace

SipMessage default_answer(const SipMessage& request, std::string_view to_tag) {
  if (request.method == "OPTIONS") {
    SipMessage r = make_response(request, 200, to_tag);
    r.add_header("Allow", std::string(kAllow));
    r.add_header("Accept", "application/sdp");
    return r;
  }
  if (request.method == "INVITE") return make_response(request, 404, to_tag);
  // A CANCEL whose INVITE transaction exists is answered by the server itself (200).
  if (request.method == "BYE" || request.method == "CANCEL") {
    return make_response(request, 481, to_tag);
  }
  SipMessage r = make_response(request, 405, to_tag);
  r.add_header("Allow", std::string(kAllow));
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
      [raw](const SipMessage& m, const udp::endpoint& to) { raw->send_udp(m, to); },
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
    boost::system::error_code ec;
    const udp::endpoint local = self->socket_.local_endpoint(ec);
    Via via{"UDP", HostPort{local.address().to_string(), local.port()}, {}};
    if (local.address().is_v6()) via.sent_by.host = "[" + via.sent_by.host + "]";
    // Unique over space and time (§8.1.1.7): the cookie and 64 random bits.
    set_param(via.params, "branch", "z9hG4bK" + random_tag());
    set_param(via.params, "rport", std::nullopt);
    request.headers.insert(request.headers.begin(), Header{"Via", format_via(via)});
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
    if (validate_sip_message(*parsed)) client_transactions_->on_response(std::move(*parsed));
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
    // An ACK to a non-2xx ends its INVITE transaction; one to a 2xx belongs to a dialog (none).
    if (it != transactions_.end()) {
      if (auto* ist = std::get_if<InviteServerTransaction>(&it->second.tx))
        apply(*key, ist->on_ack());
    }
    return;
  }
  if (it != transactions_.end()) {
    apply(*key, std::visit([](auto& tx) { return tx.on_retransmission(); }, it->second.tx));
    return;
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
  auto cancelled = cancel_answer(request, *key);
  SipMessage response = cancelled ? std::move(*cancelled) : handler_(request, random_tag());
  const auto again = transactions_.find(*key);
  if (again == transactions_.end()) return;
  apply(*key, std::visit([&](auto& tx) { return tx.on_response(std::move(response)); },
                         again->second.tx));
}

std::optional<SipMessage> SipServer::cancel_answer(const SipMessage& request,
                                                   const TransactionKey& key) const {
  if (request.method != "CANCEL") return std::nullopt;
  // A CANCEL matches the INVITE transaction with its branch and sent-by (§9.2). Ours are
  // answered at once, so it finds one already final and changes nothing: still 200, with the
  // To tag the INVITE's response had. Without one, the handler answers (481).
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
