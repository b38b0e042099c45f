#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/sip/sip_server.hpp"
#include "adapters/sip/udp_sip_test_peer.hpp"
#include "app/testing/simulated_time.hpp"
#include "core/sip/sdp.hpp"
#include "core/sip/sip_headers.hpp"
#include "core/sip/sip_parser.hpp"

namespace ccteams::sip {
namespace {

namespace net = boost::asio;
using net::ip::udp;
using namespace std::chrono_literals;

const Timestamp kT0 = kUdpPeerT0;
using Fixture = UdpSipPeer;

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

TEST(SipServerCalls, AnAcceptedInviteRingsIsAnsweredWithSdpAndEndsOnBye) {
  Fixture f;
  FakeCalls calls(*f.server);
  auto ringing = call(f, "z9hG4bK-a1");
  ASSERT_TRUE(ringing);
  EXPECT_TRUE(parse_name_addr(*ringing->header("To"))->tag());
  EXPECT_EQ(ringing->header("Contact"),
            "<sip:127.0.0.1:" + std::to_string(f.server_at.port()) + ">");
  auto ok = f.receive();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status_code, 200);
  EXPECT_EQ(ok->header("To"), ringing->header("To"));  // one dialog (§12.1.1)
  EXPECT_EQ(ok->header("Content-Type"), "application/sdp");
  auto answer = parse_sdp(ok->body);
  ASSERT_TRUE(answer) << ok->body;
  ASSERT_EQ(answer->media.size(), 1u);
  EXPECT_EQ(answer->media[0].port, 40000);
  EXPECT_EQ(answer->media[0].formats, (std::vector<std::string>{"0", "101"}));
  EXPECT_EQ(f.server->dialog_count(), 1u);
  ASSERT_EQ(calls.invited.size(), 1u);
  EXPECT_EQ(calls.invited[0].call_id, "c-z9hG4bK-a1");
  // The INVITE again (its 100 and 200 were late): the 200 again, not a second call.
  f.send(invite_with(f, "z9hG4bK-a1", kPcmuOffer));
  auto again = f.receive();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status_code, 200);
  EXPECT_EQ(again->header("To"), ok->header("To"));
  EXPECT_EQ(calls.invited.size(), 1u);
  // The ACK (a branch of its own, §13.2.2.4) stops the 2xx retransmissions.
  f.send(in_call(f, "ACK", "z9hG4bK-a1ack", *ok, 1));
  f.send(in_call(f, "ACK", "z9hG4bK-a1ack", *ok, 1));  // resent: absorbed
  EXPECT_EQ(calls.acked, 1);
  f.time.run_for(f.io, 40s);
  EXPECT_TRUE(f.nothing_received());
  // A re-INVITE is refused, which leaves the call as it was (§14.2).
  f.send(in_call(f, "INVITE", "z9hG4bK-a1re", *ok, 2));
  ASSERT_TRUE(f.receive());  // 100
  auto refused = f.receive();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status_code, 488);
  f.send(in_call(f, "ACK", "z9hG4bK-a1re", *ok, 2));
  EXPECT_EQ(f.server->dialog_count(), 1u);
  f.send(in_call(f, "BYE", "z9hG4bK-a1bye", *ok, 3));
  auto bye_ok = f.receive();
  ASSERT_TRUE(bye_ok);
  EXPECT_EQ(bye_ok->status_code, 200);
  EXPECT_EQ(*bye_ok->header("CSeq"), "3 BYE");
  EXPECT_EQ(f.server->dialog_count(), 0u);
  EXPECT_EQ(calls.ended, std::vector<CallEnd>{CallEnd::bye});
  // The dialog is gone: another BYE in it is 481 (§15.1.2).
  f.send(in_call(f, "BYE", "z9hG4bK-a1bye2", *ok, 4));
  auto gone = f.receive();
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status_code, 481);
}

TEST(SipServerCalls, AnUnacknowledgedAnswerIsResentUntil64T1ThenTheCallIsByed) {
  Fixture f;
  FakeCalls calls(*f.server);
  ASSERT_TRUE(call(f, "z9hG4bK-n1"));
  auto ok = f.receive();
  ASSERT_TRUE(ok);
  int resent = 0;
  std::optional<SipMessage> bye;
  for (int i = 0; i < 64; ++i) {
    f.time.run_for(f.io, 500ms);
    while (!f.nothing_received()) {
      auto m = f.receive();
      ASSERT_TRUE(m);
      if (m->is_request) {
        bye = m;
      } else {
        EXPECT_EQ(m->status_code, 200);
        EXPECT_EQ(m->body, ok->body);
        ++resent;
      }
    }
  }
  // §13.3.1.4: T1, doubling to T2: at 0.5, 1.5, 3.5, 7.5, 11.5 ... 31.5 s; BYE at 32 s.
  EXPECT_EQ(resent, 10);
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->method, "BYE");
  EXPECT_EQ(bye->request_uri,
            "sip:a@127.0.0.1:" + std::to_string(f.client.local_endpoint().port()));
  EXPECT_EQ(bye->header("From"), ok->header("To"));  // our side of the dialog
  EXPECT_EQ(bye->header("CSeq"), "1 BYE");
  EXPECT_EQ(calls.ended, std::vector<CallEnd>{CallEnd::no_ack});
  EXPECT_EQ(calls.acked, 0);
  EXPECT_EQ(f.server->dialog_count(), 0u);
  f.send(serialize(make_response(*bye, 200)));
  f.time.run_for(f.io, 5s);  // Timer K
  EXPECT_EQ(f.server->client_transaction_count(), 0u);
}

TEST(SipServerCalls, ACancelWhileRingingIs200AndTheInvite487) {
  Fixture f;
  FakeCalls calls(*f.server, InviteDecision::Kind::ring);
  auto ringing = call(f, "z9hG4bK-r1");
  ASSERT_TRUE(ringing);
  EXPECT_EQ(f.server->ringing_count(), 1u);
  f.time.run_for(f.io, 10s);
  EXPECT_TRUE(f.nothing_received());  // rings until answered or cancelled
  f.send(f.request("CANCEL", "z9hG4bK-r1"));
  auto cancel_ok = f.receive();
  ASSERT_TRUE(cancel_ok);
  EXPECT_EQ(cancel_ok->status_code, 200);
  EXPECT_EQ(*cancel_ok->header("CSeq"), "1 CANCEL");
  auto terminated = f.receive();
  ASSERT_TRUE(terminated);
  EXPECT_EQ(terminated->status_code, 487);
  EXPECT_EQ(*terminated->header("CSeq"), "1 INVITE");
  EXPECT_EQ(terminated->header("To"), ringing->header("To"));  // §9.2: the same tag
  EXPECT_EQ(cancel_ok->header("To"), ringing->header("To"));
  EXPECT_EQ(calls.ended, std::vector<CallEnd>{CallEnd::cancelled});
  EXPECT_EQ(f.server->ringing_count(), 0u);
  f.send(f.request("ACK", "z9hG4bK-r1"));      // the 487's ACK, in the INVITE's transaction
  f.server->answer_call(calls.invited.at(0));  // too late: nothing
  f.time.run_for(f.io, 6s);
  EXPECT_TRUE(f.nothing_received());
  EXPECT_EQ(f.server->dialog_count(), 0u);
}

TEST(SipServerCalls, ARingingCallIsAnsweredOrRejectedByTheApp) {
  Fixture f;
  FakeCalls calls(*f.server, InviteDecision::Kind::ring);
  auto ringing = call(f, "z9hG4bK-r2");
  ASSERT_TRUE(ringing);
  f.server->answer_call(calls.invited.at(0));
  auto ok = f.receive();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status_code, 200);
  EXPECT_EQ(ok->header("To"), ringing->header("To"));
  EXPECT_EQ(f.server->dialog_count(), 1u);

  ASSERT_TRUE(call(f, "z9hG4bK-r3"));
  f.server->reject_call(calls.invited.at(1), 486);
  auto busy = f.receive();
  ASSERT_TRUE(busy);
  EXPECT_EQ(busy->status_code, 486);
  EXPECT_EQ(f.server->ringing_count(), 0u);
}

TEST(SipServerCalls, AnOfferWithoutACommonCodecOrNoOfferIs488) {
  Fixture f;
  FakeCalls calls(*f.server);
  f.send(invite_with(f, "z9hG4bK-g1",
                     "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                     "m=audio 30000 RTP/AVP 18\r\n"));
  ASSERT_TRUE(f.receive());  // 100
  auto refused = f.receive();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status_code, 488);
  EXPECT_TRUE(refused->header("Warning"));
  f.send(invite_with(f, "z9hG4bK-g2", ""));
  ASSERT_TRUE(f.receive());  // 100
  auto no_offer = f.receive();
  ASSERT_TRUE(no_offer);
  EXPECT_EQ(no_offer->status_code, 488);
  EXPECT_EQ(f.server->dialog_count(), 0u);
  EXPECT_EQ(f.server->ringing_count(), 0u);
  EXPECT_TRUE(calls.ended.empty());
}

}  // namespace
}  // namespace ccteams::sip
