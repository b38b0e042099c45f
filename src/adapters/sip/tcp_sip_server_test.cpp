// SipServer over TCP (RFC 3261 §18.3): a loopback client driven by hand against a server on
// simulated time.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/sip/sip_server.hpp"
#include "app/testing/simulated_time.hpp"
#include "core/sip/sip_headers.hpp"
#include "core/sip/sip_parser.hpp"

namespace ccteams::sip {
namespace {

namespace net = boost::asio;
using net::ip::tcp;
using namespace std::chrono_literals;

const Timestamp kT0 = from_unix_millis(1'800'000'000'000);

struct Client {
  tcp::socket socket;
  std::string received;  // bytes not yet framed
};

struct Fixture {
  net::io_context io;
  testing::SimulatedTime time{kT0};
  std::shared_ptr<SipServer> server;
  tcp::endpoint server_at;

  explicit Fixture(SipServerLimits limits = {}) {
    server = SipServer::create(io, time, time, default_answer, SipTimers{}, limits);
    auto bound = server->start_tcp(tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    EXPECT_TRUE(bound) << bound.error().message;
    server_at = *bound;
  }
  ~Fixture() {
    server->stop();
    testing::SimulatedTime::drain(io);
  }

  // The kernel completes the handshake from the listen backlog; the server accepts on drain.
  Client connect() {
    Client c{tcp::socket(io), {}};
    c.socket.connect(server_at);
    c.socket.non_blocking(true);
    c.socket.set_option(tcp::no_delay(true));  // each send() arrives at once
    testing::SimulatedTime::drain(io);
    return c;
  }
  static std::string request(const Client& c, const std::string& method, const std::string& branch,
                             const std::string& extra = "",
                             const std::string& length = "Content-Length: 0\r\n") {
    return method + " sip:+4930999999@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:" +
           std::to_string(c.socket.local_endpoint().port()) + ";branch=" + branch +
           ";rport\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:+4930999999@127.0.0.1>\r\n" +
           extra + "Call-ID: c-" + branch + "\r\nCSeq: 1 " + method + "\r\n" + length + "\r\n";
  }
  void send(Client& c, const std::string& bytes) {
    net::write(c.socket, net::buffer(bytes));
    testing::SimulatedTime::drain(io);
  }
  // Reads what loopback has for the client; false once the server closed the connection.
  bool pump(Client& c) {
    std::array<char, 65536> buf{};
    for (int i = 0; i < 100; ++i) {
      testing::SimulatedTime::drain(io);
      boost::system::error_code ec;
      const std::size_t n = c.socket.read_some(net::buffer(buf), ec);
      if (ec == net::error::eof || ec == net::error::connection_reset) return false;
      if (!ec) c.received.append(buf.data(), n);
      std::this_thread::yield();
    }
    return true;
  }
  // The next message the server sent on this connection.
  std::optional<SipMessage> receive(Client& c) {
    pump(c);
    auto frame = frame_stream_message(c.received);
    if (!frame || !*frame) return std::nullopt;
    auto m = parse_sip_message(
        std::string_view(c.received).substr((*frame)->skip, (*frame)->length), {.stream = true});
    c.received.erase(0, (*frame)->skip + (*frame)->length);
    EXPECT_TRUE(m) << m.error().reason;
    if (!m) return std::nullopt;
    return *m;
  }
  bool closed_by_server(Client& c) { return !pump(c); }
};

TEST(SipServerOverTcp, AnswersOnTheConnectionTheRequestCameIn) {
  Fixture f;
  Client c = f.connect();
  f.send(c, Fixture::request(c, "OPTIONS", "z9hG4bK-t1"));
  auto r = f.receive(c);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code, 200);
  auto via = parse_via(*r->header("Via"));
  ASSERT_TRUE(via);
  EXPECT_EQ(via->transport, "TCP");
  EXPECT_EQ(via->received(), "127.0.0.1");
  EXPECT_EQ(f.server->connection_count(), 1u);
}

TEST(SipServerOverTcp, FramesByContentLengthAcrossAndWithinWrites) {
  Fixture f;
  Client c = f.connect();
  // Two requests and CRLF keep-alives (RFC 5626 §3.5.1) in one write, a third in two pieces
  // cut inside its head, and a body that holds what would look like a next message.
  const std::string body = "OPTIONS sip:x SIP/2.0\r\n\r\n";
  f.send(c, "\r\n\r\n" + Fixture::request(c, "OPTIONS", "z9hG4bK-a") +
                Fixture::request(c, "INFO", "z9hG4bK-b", "Content-Type: text/plain\r\n",
                                 "Content-Length: " + std::to_string(body.size()) + "\r\n") +
                body);
  const std::string third = Fixture::request(c, "OPTIONS", "z9hG4bK-c");
  f.send(c, third.substr(0, 40));
  f.send(c, third.substr(40));
  std::vector<std::pair<std::string, int>> got;
  for (int i = 0; i < 3; ++i) {
    auto r = f.receive(c);
    ASSERT_TRUE(r) << i;
    got.emplace_back(std::string(*r->header("Call-ID")), r->status_code);
  }
  EXPECT_EQ(got, (std::vector<std::pair<std::string, int>>{
                     {"c-z9hG4bK-a", 200}, {"c-z9hG4bK-b", 405}, {"c-z9hG4bK-c", 200}}));
  EXPECT_FALSE(f.closed_by_server(c));
}

TEST(SipServerOverTcp, ReliableTransactionsNeitherRetransmitNorLinger) {
  Fixture f;
  Client c = f.connect();
  f.send(c, Fixture::request(c, "INVITE", "z9hG4bK-i1"));
  auto trying = f.receive(c);
  auto not_found = f.receive(c);
  ASSERT_TRUE(trying && not_found);
  EXPECT_EQ(trying->status_code, 100);
  EXPECT_EQ(not_found->status_code, 404);
  f.time.run_for(f.io, 10s);  // no Timer G on TCP (RFC 3261 §17.2.1)
  EXPECT_FALSE(f.receive(c));
  f.send(c, Fixture::request(c, "ACK", "z9hG4bK-i1"));
  f.time.run_for(f.io, 1ms);  // Timer I is 0 on TCP
  EXPECT_EQ(f.server->transaction_count(), 0u);
}

TEST(SipServerOverTcp, StreamsThatCannotBeFramedAreAnsweredAndClosed) {
  struct Row {
    const char* rule;
    std::string length_header;
    std::string body;
    int status;
    std::string reason;
  };
  SipServerLimits limits;
  limits.max_message_bytes = 1024;
  const std::vector<Row> rows{
      {"§18.3: Content-Length is mandatory on a stream", "", "", 400,
       "Bad Request (missing Content-Length)"},
      {"a message over the size limit", "Content-Length: 2000\r\n", std::string(2000, 'x'), 513,
       "Message Too Large"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.rule);
    Fixture f(limits);
    Client c = f.connect();
    f.send(c, Fixture::request(c, "OPTIONS", "z9hG4bK-m", "", row.length_header) + row.body);
    auto r = f.receive(c);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status_code, row.status);
    EXPECT_EQ(r->reason, row.reason);
    EXPECT_TRUE(f.closed_by_server(c));
    EXPECT_EQ(f.server->connection_count(), 0u);
    EXPECT_EQ(f.server->transaction_count(), 0u);
  }
}

TEST(SipServerOverTcp, ConnectionsPerAddressAreLimited) {
  SipServerLimits limits;
  limits.max_connections_per_address = 2;
  Fixture f(limits);
  Client a = f.connect();
  Client b = f.connect();
  Client over = f.connect();
  EXPECT_TRUE(f.closed_by_server(over));
  EXPECT_EQ(f.server->connection_count(), 2u);
  f.send(b, Fixture::request(b, "OPTIONS", "z9hG4bK-l1"));
  ASSERT_TRUE(f.receive(b));
  // A closed connection frees its place.
  a.socket.close();
  f.pump(b);
  EXPECT_EQ(f.server->connection_count(), 1u);
  Client again = f.connect();
  EXPECT_FALSE(f.closed_by_server(again));
  EXPECT_EQ(f.server->connection_count(), 2u);
}

TEST(SipServerOverTcp, IdleConnectionsAreClosed) {
  SipServerLimits limits;
  limits.tcp_idle_timeout = 60s;
  Fixture f(limits);
  Client c = f.connect();
  f.time.run_for(f.io, 50s);
  f.send(c, "\r\n\r\n");  // a keep-alive is activity
  f.time.run_for(f.io, 50s);
  EXPECT_FALSE(f.closed_by_server(c));
  f.time.run_for(f.io, 11s);
  EXPECT_TRUE(f.closed_by_server(c));
  EXPECT_EQ(f.server->connection_count(), 0u);
}

// A call placed to a phone registered over TCP goes on the connection it opened (RFC 5626's
// reuse; we open none): the INVITE, our ACK and BYE, in reliable transactions.
TEST(SipServerOverTcp, APlacedCallReusesThePeersConnection) {
  Fixture f;
  Client c = f.connect();
  f.send(c, Fixture::request(c, "OPTIONS", "z9hG4bK-u0"));
  ASSERT_TRUE(f.receive(c));
  const tcp::endpoint peer = c.socket.local_endpoint();
  std::vector<std::string> heard;
  OutgoingCallHandler handler;
  handler.on_answered = [&](const std::string&, const NegotiatedAudio&) {
    heard.emplace_back("answered");
  };
  handler.on_failed = [&](const std::string&, int s) { heard.push_back(std::to_string(s)); };
  const auto place = [&](std::uint16_t port) {
    return f.server->place_call(
        OutgoingCall{"sip:agent1@127.0.0.1:" + std::to_string(port) + ";transport=tcp",
                     "sip:agent1@127.0.0.1", "sip:+15551234567@127.0.0.1", "",
                     net::ip::udp::endpoint(peer.address(), port), MediaConfig{"127.0.0.1", 40000},
                     true},
        handler);
  };
  const std::string call = place(peer.port());
  auto invite = f.receive(c);
  ASSERT_TRUE(invite);
  EXPECT_EQ(invite->method, "INVITE");
  EXPECT_EQ(parse_via(*invite->header("Via"))->transport, "TCP");
  EXPECT_EQ(invite->header("Contact"),
            "<sip:127.0.0.1:" + std::to_string(f.server_at.port()) + ";transport=tcp>");
  SipMessage ok = make_response(*invite, 200, "u1");
  ok.add_header("Contact",
                "<sip:agent1@127.0.0.1:" + std::to_string(peer.port()) + ";transport=tcp>");
  ok.add_header("Content-Type", "application/sdp");
  ok.body =
      "v=0\r\no=- 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
      "m=audio 30000 RTP/AVP 0\r\n";
  f.send(c, serialize(ok));
  auto ack = f.receive(c);
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->method, "ACK");
  EXPECT_EQ(heard, std::vector<std::string>{"answered"});
  f.time.run_for(f.io, 5s);
  EXPECT_EQ(f.server->client_transaction_count(), 0u);  // no INVITE resent, no Timer D
  f.server->cancel_call(call);
  auto bye = f.receive(c);
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->method, "BYE");
  f.send(c, serialize(make_response(*bye, 200)));
  f.time.run_for(f.io, 1ms);
  EXPECT_EQ(f.server->client_transaction_count(), 0u);  // Timer K = 0 on TCP
  // No connection from that address and port: we open none.
  place(static_cast<std::uint16_t>(peer.port() == 1 ? 2 : 1));
  testing::SimulatedTime::drain(f.io);
  EXPECT_EQ(heard, (std::vector<std::string>{"answered", "503"}));
}

}  // namespace
}  // namespace ccteams::sip
