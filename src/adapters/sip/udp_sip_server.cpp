#include "adapters/sip/udp_sip_server.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <string>

#include "core/sip/sip_headers.hpp"
#include "core/sip/sip_parser.hpp"

namespace ccteams::sip {
namespace net = boost::asio;
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

// Where the response goes (RFC 3261 §18.2.2, RFC 3581 §4): the top Via's received (or sent-by
// host when it is an address) and rport (or sent-by port); the packet's source address when
// the Via names a host we would have to resolve.
udp::endpoint response_endpoint(const Via& via, const udp::endpoint& from) {
  const HostPort target = udp_response_target(via);
  std::string host = target.host;
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  return udp::endpoint(ec ? from.address() : address, target.port.value_or(from.port()));
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

std::shared_ptr<UdpSipServer> UdpSipServer::create(net::io_context& io, Clock& clock,
                                                   Scheduler& scheduler, RequestHandler handler,
                                                   SipTimers timers) {
  return std::make_shared<UdpSipServer>(io, clock, scheduler, std::move(handler), timers);
}

UdpSipServer::UdpSipServer(net::io_context& io, Clock& clock, Scheduler& scheduler,
                           RequestHandler handler, SipTimers timers)
    : strand_(net::make_strand(io)),
      socket_(strand_),
      clock_(clock),
      scheduler_(scheduler),
      handler_(std::move(handler)),
      timers_(timers) {}

Result<udp::endpoint> UdpSipServer::start(const udp::endpoint& at) {
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

void UdpSipServer::stop() {
  net::dispatch(strand_, [self = shared_from_this()] {
    boost::system::error_code ignored;
    self->socket_.close(ignored);
    self->transactions_.clear();
  });
}

void UdpSipServer::receive_next() {
  socket_.async_receive_from(
      net::buffer(buffer_), from_,
      net::bind_executor(
          strand_, [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
            if (ec == net::error::operation_aborted || !self->socket_.is_open()) return;
            // Other errors (an ICMP port unreachable reported on the socket) end nothing.
            if (!ec) self->on_datagram(std::string_view(self->buffer_.data(), n), self->from_);
            self->receive_next();
          }));
}

void UdpSipServer::on_datagram(std::string_view data, const udp::endpoint& from) {
  auto parsed = parse_sip_structure(data);
  // Unparsable: nothing to answer to. Responses: no client transactions yet.
  if (!parsed || !parsed->is_request) return;
  SipMessage& request = *parsed;
  auto top = std::find_if(request.headers.begin(), request.headers.end(),
                          [](const Header& h) { return h.name == "Via"; });
  if (top == request.headers.end()) return;
  auto via = parse_via(top->value);
  if (!via) return;
  stamp_received(*via, from.address().to_string(), from.port());
  top->value = format_via(*via);
  const udp::endpoint peer = response_endpoint(*via, from);

  if (auto valid = validate_sip_message(request); !valid) {
    // Answered statelessly (§8.2): a malformed request creates no transaction.
    if (request.method != "ACK") {
      send(make_response(request, valid.error().status, random_tag(), valid.error().reason), peer);
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
  if (transactions_.size() >= kMaxTransactions) return;
  const bool invite = request.method == "INVITE";
  if (invite) {
    transactions_.emplace(*key, Entry{InviteServerTransaction(request, false, timers_), peer, {}});
    apply(*key, std::get<InviteServerTransaction>(transactions_.at(*key).tx).start());
  } else {
    transactions_.emplace(*key, Entry{NonInviteServerTransaction(false, timers_), peer, {}});
  }
  auto cancelled = cancel_answer(request, *key);
  SipMessage response = cancelled ? std::move(*cancelled) : handler_(request, random_tag());
  const auto again = transactions_.find(*key);
  if (again == transactions_.end()) return;
  apply(*key, std::visit([&](auto& tx) { return tx.on_response(std::move(response)); },
                         again->second.tx));
}

std::optional<SipMessage> UdpSipServer::cancel_answer(const SipMessage& request,
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

void UdpSipServer::on_timer(const TransactionKey& key, TimerKind kind) {
  const auto it = transactions_.find(key);
  if (it == transactions_.end()) return;  // ended meanwhile
  apply(key, std::visit([&](auto& tx) { return tx.on_timer(kind); }, it->second.tx));
}

void UdpSipServer::apply(const TransactionKey& key, TransactionEffects effects) {
  const auto it = transactions_.find(key);
  if (it == transactions_.end()) return;
  if (effects.send) send(*effects.send, it->second.peer);
  for (const auto& t : effects.timers) {
    std::weak_ptr<UdpSipServer> weak = weak_from_this();
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

void UdpSipServer::send(const SipMessage& message, const udp::endpoint& to) {
  auto data = std::make_shared<std::string>(serialize(message));
  socket_.async_send_to(net::buffer(*data), to,
                        net::bind_executor(strand_, [data](boost::system::error_code, std::size_t) {
                          // A lost datagram is what the retransmission timers are for.
                        }));
}

}  // namespace ccteams::sip
