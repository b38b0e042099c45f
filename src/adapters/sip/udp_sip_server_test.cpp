#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
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
using net::ip::udp;
using namespace std::chrono_literals;

const Timestamp kT0 = from_unix_millis(1'800'000'000'000);

// A UDP peer on loopback, driven by hand against a server on simulated time.
struct Fixture {
  net::io_context io;
  testing::SimulatedTime time{kT0};
  std::shared_ptr<SipServer> server = SipServer::create(io, time, time, default_answer);
  udp::endpoint server_at;
  udp::socket client{io, udp::endpoint(net::ip::make_address("127.0.0.1"), 0)};

  Fixture() {
    auto bound = server->start_udp(udp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    EXPECT_TRUE(bound) << bound.error().message;
    server_at = *bound;
    client.non_blocking(true);
  }
  ~Fixture() {
    server->stop();
    testing::SimulatedTime::drain(io);
  }

  std::string request(const std::string& method, const std::string& branch,
                      const std::string& extra = "") {
    const std::string port = std::to_string(client.local_endpoint().port());
    return method +
           " sip:+4930999999@127.0.0.1 SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:" +
           port + ";branch=" + branch +
           ";rport\r\n"
           "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:+4930999999@127.0.0.1>\r\n" +
           extra + "Call-ID: c-" + branch + "\r\nCSeq: 1 " + method +
           "\r\nContent-Length: 0\r\n\r\n";
  }
  void send(const std::string& text) {
    client.send_to(net::buffer(text), server_at);
    testing::SimulatedTime::drain(io);
  }
  // The next datagram for the client; loopback delivers at once, so a few polls suffice.
  std::optional<SipMessage> receive() {
    std::array<char, 65536> buf{};
    for (int i = 0; i < 1000; ++i) {
      testing::SimulatedTime::drain(io);
      boost::system::error_code ec;
      udp::endpoint from;
      const std::size_t n = client.receive_from(net::buffer(buf), from, 0, ec);
      if (!ec) {
        // The structure only: a 400 to a request without Call-ID has none either.
        auto m = parse_sip_structure(std::string_view(buf.data(), n));
        EXPECT_TRUE(m) << std::string_view(buf.data(), n);
        if (m) return *m;
        return std::nullopt;
      }
      std::this_thread::yield();
    }
    return std::nullopt;
  }
  bool nothing_received() {
    testing::SimulatedTime::drain(io);
    return client.available() == 0;
  }
};

TEST(SipServerOverUdp, AnswersOptionsWith200AndStampsTheVia) {
  Fixture f;
  f.send(f.request("OPTIONS", "z9hG4bK-o1"));
  auto r = f.receive();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code, 200);
  EXPECT_EQ(r->header_values("Allow"),
            (std::vector<std::string_view>{"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS"}));
  auto via = parse_via(*r->header("Via"));
  ASSERT_TRUE(via);
  EXPECT_EQ(via->rport(), std::to_string(f.client.local_endpoint().port()));
  EXPECT_EQ(via->received(), "127.0.0.1");
  EXPECT_TRUE(parse_name_addr(*r->header("To"))->tag());
  // A retransmitted OPTIONS is answered from the transaction, with the same tag.
  f.send(f.request("OPTIONS", "z9hG4bK-o1"));
  auto again = f.receive();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->header("To"), r->header("To"));
  EXPECT_EQ(f.server->transaction_count(), 1u);
  f.time.run_for(f.io, 32s);  // Timer J
  EXPECT_EQ(f.server->transaction_count(), 0u);
}

TEST(SipServerOverUdp, InviteToAnUnknownNumberIs404RetransmittedUntilTheAck) {
  Fixture f;
  f.send(f.request("INVITE", "z9hG4bK-i1"));
  auto trying = f.receive();
  ASSERT_TRUE(trying);
  EXPECT_EQ(trying->status_code, 100);
  auto not_found = f.receive();
  ASSERT_TRUE(not_found);
  EXPECT_EQ(not_found->status_code, 404);
  f.time.run_for(f.io, 500ms);  // Timer G = T1
  auto retransmitted = f.receive();
  ASSERT_TRUE(retransmitted);
  EXPECT_EQ(retransmitted->status_code, 404);
  EXPECT_EQ(retransmitted->header("To"), not_found->header("To"));
  f.send(f.request("ACK", "z9hG4bK-i1"));
  f.time.run_for(f.io, 4s);
  EXPECT_TRUE(f.nothing_received());
  EXPECT_EQ(f.server->transaction_count(), 1u);
  f.time.run_for(f.io, 1s);  // Timer I = T4 after the ACK
  EXPECT_EQ(f.server->transaction_count(), 0u);
}

TEST(SipServerOverUdp, CancelOfAnAnsweredInviteIs200AndOfNothingIs481) {
  Fixture f;
  f.send(f.request("INVITE", "z9hG4bK-c1"));
  ASSERT_TRUE(f.receive());  // 100
  auto not_found = f.receive();
  ASSERT_TRUE(not_found);
  f.send(f.request("CANCEL", "z9hG4bK-c1"));
  auto ok = f.receive();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status_code, 200);
  EXPECT_EQ(*ok->header("CSeq"), "1 CANCEL");
  EXPECT_EQ(ok->header("To"), not_found->header("To"));  // the same To tag (RFC 3261 §9.2)
  f.send(f.request("CANCEL", "z9hG4bK-c2"));
  auto unknown = f.receive();
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status_code, 481);
}

TEST(SipServerOverUdp, UnacknowledgedErrorEndsAtTimerH) {
  Fixture f;
  f.send(f.request("INVITE", "z9hG4bK-i2"));
  ASSERT_TRUE(f.receive());  // 100
  ASSERT_TRUE(f.receive());  // 404
  int retransmissions = 0;
  for (int i = 0; i < 64; ++i) {
    f.time.run_for(f.io, 500ms);
    while (!f.nothing_received()) {
      ASSERT_TRUE(f.receive());
      ++retransmissions;
    }
  }
  EXPECT_EQ(retransmissions, 10);  // at 0.5, 1.5, 3.5, 7.5, 11.5 ... 31.5 s
  EXPECT_EQ(f.server->transaction_count(), 0u);
}

TEST(SipServerOverUdp, MalformedRequestGets400NamingTheFault) {
  Fixture f;
  std::string bad = f.request("OPTIONS", "z9hG4bK-b1");
  bad.erase(bad.find("Call-ID"), bad.find("CSeq") - bad.find("Call-ID"));
  f.send(bad);
  auto r = f.receive();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code, 400);
  EXPECT_EQ(r->reason, "Bad Request (missing Call-ID)");
  EXPECT_EQ(f.server->transaction_count(), 0u);
  f.send("garbage\r\n\r\n");
  EXPECT_TRUE(f.nothing_received());
}

// A request the server sends to the test's socket, which plays the user agent server.
// The server sends a request to the test's socket, which plays the user agent server, and
// records the statuses its transaction passes up.
struct Outgoing {
  Fixture& f;
  std::vector<int> heard;

  void send(const std::string& method) {
    SipMessage m;
    m.method = method;
    m.request_uri = "sip:agent1@127.0.0.1:" + std::to_string(f.client.local_endpoint().port());
    m.add_header("From", "<sip:ccteams@127.0.0.1>;tag=s1");
    m.add_header("To", "<sip:agent1@127.0.0.1>");
    m.add_header("Call-ID", "out-" + method);
    m.add_header("CSeq", "5 " + method);
    m.add_header("Contact", "<sip:ccteams@127.0.0.1>");
    f.server->send_request(std::move(m), f.client.local_endpoint(),
                           [this](const SipMessage& r) { heard.push_back(r.status_code); });
  }
};

TEST(SipServerOverUdp, SendsARequestInAClientTransactionUntilItsResponse) {
  Fixture f;
  Outgoing out{f, {}};
  out.send("OPTIONS");
  auto request = f.receive();
  ASSERT_TRUE(request);
  auto via = parse_via(*request->header("Via"));
  ASSERT_TRUE(via);
  EXPECT_TRUE(has_rfc3261_branch(*via));
  EXPECT_EQ(via->sent_by.port, f.server_at.port());
  EXPECT_EQ(request->header("Max-Forwards"), "70");
  f.time.run_for(f.io, 500ms);  // Timer E = T1 (RFC 3261 §17.1.2.2)
  auto again = f.receive();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->header("Via"), request->header("Via"));
  f.send(serialize(make_response(*request, 200, "u1")));
  f.send(serialize(make_response(*request, 200, "u1")));  // absorbed by Timer K
  EXPECT_EQ(out.heard, std::vector<int>{200});
  EXPECT_EQ(f.server->client_transaction_count(), 1u);
  f.time.run_for(f.io, 5s);  // Timer K = T4
  EXPECT_EQ(f.server->client_transaction_count(), 0u);
  EXPECT_TRUE(f.nothing_received());
}

TEST(SipServerOverUdp, AFailedInviteIsAcknowledgedByItsTransaction) {
  Fixture f;
  Outgoing out{f, {}};
  out.send("INVITE");
  auto invite = f.receive();
  ASSERT_TRUE(invite);
  f.send(serialize(make_response(*invite, 180, "u2")));
  f.send(serialize(make_response(*invite, 486, "u2")));
  auto ack = f.receive();
  ASSERT_TRUE(ack);
  // RFC 3261 §17.1.1.3: the INVITE's branch, the response's To, CSeq with method ACK.
  EXPECT_EQ(ack->method, "ACK");
  EXPECT_EQ(ack->header("Via"), invite->header("Via"));
  EXPECT_EQ(ack->header("To"), "<sip:agent1@127.0.0.1>;tag=u2");
  EXPECT_EQ(ack->header("CSeq"), "5 ACK");
  EXPECT_EQ(out.heard, (std::vector<int>{180, 486}));
  f.time.run_for(f.io, 32s);  // Timer D
  EXPECT_EQ(f.server->client_transaction_count(), 0u);
}

TEST(SipServerOverUdp, AnUnansweredInviteEndsIn408AfterSevenSends) {
  Fixture f;
  Outgoing out{f, {}};
  out.send("INVITE");
  int sends = 0;
  for (int i = 0; i < 66; ++i) {
    while (!f.nothing_received()) {
      ASSERT_TRUE(f.receive());
      ++sends;
    }
    f.time.run_for(f.io, 500ms);
  }
  EXPECT_EQ(sends, 7);  // at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s; Timer B at 32 s
  EXPECT_EQ(out.heard, std::vector<int>{408});
  EXPECT_EQ(f.server->client_transaction_count(), 0u);
}

}  // namespace
}  // namespace ccteams::sip
