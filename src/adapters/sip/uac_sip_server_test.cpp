// SipServer placing calls as a UAC (RFC 3261 §13.2, §9.1, §15), hanging up calls it took as a
// UAS, and answering re-INVITEs (§14.2), against a loopback socket playing the other user agent,
// on simulated time.

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "adapters/sip/sip_server.hpp"
#include "adapters/sip/udp_sip_test_peer.hpp"
#include "core/sip/dialog.hpp"
#include "core/sip/sdp.hpp"
#include "core/sip/sip_headers.hpp"

namespace ccteams::sip {
namespace {

using namespace std::chrono_literals;
using Fixture = UdpSipPeer;

constexpr std::string_view kPcmuAnswer =
    "v=0\r\no=- 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";

// What a placed call's handler heard.
struct Heard {
  std::vector<int> progress;
  std::vector<NegotiatedAudio> answered;
  std::vector<int> failed;
  std::vector<CallEnd> ended;
};

// Places a call to the test's socket (the callee) and returns its INVITE as received.
struct Caller {
  Fixture& f;
  Heard heard;
  std::string call;

  std::optional<SipMessage> place() {
    const std::string port = std::to_string(f.client.local_endpoint().port());
    OutgoingCall out{"sip:agent1@127.0.0.1:" + port, "sip:agent1@127.0.0.1",
                     "sip:+15551234567@127.0.0.1",   "Customer",
                     f.client.local_endpoint(),      MediaConfig{"127.0.0.1", 40000}};
    OutgoingCallHandler handler{
        [this](const std::string&, int status) { heard.progress.push_back(status); },
        [this](const std::string&, const NegotiatedAudio& a) { heard.answered.push_back(a); },
        [this](const std::string&, int status) { heard.failed.push_back(status); },
        [this](const std::string&, CallEnd how) { heard.ended.push_back(how); },
        {}};
    call = f.server->place_call(std::move(out), std::move(handler));
    return f.receive();
  }
  // Places the call and has the callee answer it (200 from To tag u1 with PCMU, our ACK
  // received); sets `invite` and returns the 200.
  std::optional<SipMessage> answered(std::optional<SipMessage>& invite);
};

// The callee's response to `invite` from the dialog with To tag `tag`, with its Contact.
SipMessage callee_response(const Fixture& f, const SipMessage& invite, int status,
                           const std::string& tag, std::string_view sdp = {}) {
  SipMessage r = make_response(invite, status, tag);
  r.add_header("Contact", "<sip:agent1-" + tag + "@127.0.0.1:" +
                              std::to_string(f.client.local_endpoint().port()) + ">");
  if (!sdp.empty()) {
    r.add_header("Content-Type", "application/sdp");
    r.body = std::string(sdp);
  }
  return r;
}

std::optional<SipMessage> Caller::answered(std::optional<SipMessage>& invite) {
  invite = place();
  if (!invite) return std::nullopt;
  SipMessage ok = callee_response(f, *invite, 200, "u1", kPcmuAnswer);
  f.send(serialize(ok));
  auto ack = f.receive();
  if (!ack || ack->method != "ACK") return std::nullopt;
  return ok;
}

// A request from the callee in the dialog `answer` made (its To and From swapped).
std::string from_callee(const Fixture& f, const std::string& method, const SipMessage& answer,
                        int cseq) {
  SipMessage m;
  m.method = method;
  m.request_uri = "sip:127.0.0.1:" + std::to_string(f.server_at.port());
  m.add_header("Via", "SIP/2.0/UDP 127.0.0.1:" + std::to_string(f.client.local_endpoint().port()) +
                          ";branch=z9hG4bK-callee-" + method + ";rport");
  m.add_header("From", std::string(*answer.header("To")));
  m.add_header("To", std::string(*answer.header("From")));
  m.add_header("Call-ID", std::string(*answer.header("Call-ID")));
  m.add_header("CSeq", std::to_string(cseq) + " " + method);
  m.add_header("Max-Forwards", "70");
  return serialize(m);
}

// Each test places calls from a fresh server to the loopback callee.
class SipServerUac : public ::testing::Test {
 protected:
  Fixture f;
  Caller c{f, {}, {}};
};

std::string top_branch(const SipMessage& m) {
  auto via = parse_via(*m.header("Via"));
  return via ? std::string(via->branch().value_or("")) : "";
}

TEST_F(SipServerUac, AnAnsweredCallIsAckedByUsAndItsAnswerRead) {
  auto invite = c.place();
  ASSERT_TRUE(invite);
  EXPECT_EQ(invite->method, "INVITE");
  EXPECT_EQ(invite->request_uri,
            "sip:agent1@127.0.0.1:" + std::to_string(f.client.local_endpoint().port()));
  EXPECT_EQ(invite->header("Call-ID"), c.call);
  EXPECT_EQ(invite->header("CSeq"), "1 INVITE");
  EXPECT_EQ(invite->header("To"), "<sip:agent1@127.0.0.1>");
  auto from = parse_name_addr(*invite->header("From"));
  ASSERT_TRUE(from);
  EXPECT_EQ(from->display_name, "Customer");
  EXPECT_EQ(from->uri, "sip:+15551234567@127.0.0.1");
  EXPECT_TRUE(from->tag());
  EXPECT_EQ(invite->header("Contact"),
            "<sip:127.0.0.1:" + std::to_string(f.server_at.port()) + ">");
  auto offer = parse_sdp(invite->body);
  ASSERT_TRUE(offer) << invite->body;
  ASSERT_EQ(offer->media.size(), 1u);
  EXPECT_EQ(offer->media[0].port, 40000);
  EXPECT_EQ(offer->media[0].formats, (std::vector<std::string>{"0", "8", "101"}));

  const SipMessage ok = callee_response(f, *invite, 200, "u1", kPcmuAnswer);
  f.send(serialize(ok));
  auto ack = f.receive();
  ASSERT_TRUE(ack);
  // §13.2.2.4: to the 2xx's Contact, the INVITE's CSeq number, a branch of its own.
  EXPECT_EQ(ack->method, "ACK");
  EXPECT_EQ(ack->request_uri,
            "sip:agent1-u1@127.0.0.1:" + std::to_string(f.client.local_endpoint().port()));
  EXPECT_EQ(ack->header("CSeq"), "1 ACK");
  EXPECT_EQ(ack->header("To"), "<sip:agent1@127.0.0.1>;tag=u1");
  EXPECT_NE(top_branch(*ack), top_branch(*invite));
  ASSERT_EQ(c.heard.answered.size(), 1u);
  EXPECT_EQ(c.heard.answered[0].codec, Codec::pcmu);
  EXPECT_EQ(c.heard.answered[0].remote_port, 30000);
  EXPECT_EQ(c.heard.answered[0].telephone_event_payload_type, 101);
  EXPECT_EQ(f.server->dialog_count(), 1u);
  // The 2xx resent (our ACK was lost): the same ACK again, no second answer.
  f.send(serialize(ok));
  auto again = f.receive();
  ASSERT_TRUE(again);
  EXPECT_EQ(serialize(*again), serialize(*ack));
  EXPECT_EQ(c.heard.answered.size(), 1u);
  f.time.run_for(f.io, 40s);
  EXPECT_TRUE(f.nothing_received());  // the INVITE is not resent after its 2xx
  EXPECT_TRUE(c.heard.failed.empty());
  EXPECT_EQ(f.server->outgoing_count(), 1u);  // the call lives on
}

TEST_F(SipServerUac, ARingingCallIsAnsweredLater) {
  auto invite = c.place();
  ASSERT_TRUE(invite);
  f.send(serialize(make_response(*invite, 100)));
  f.send(serialize(callee_response(f, *invite, 180, "u1")));
  EXPECT_EQ(c.heard.progress, std::vector<int>{180});  // 100 is hop-by-hop, not progress
  f.time.run_for(f.io, 60s);  // no Timer B once a provisional came (§17.1.1.2)
  EXPECT_TRUE(f.nothing_received());
  EXPECT_TRUE(c.heard.failed.empty());
  f.send(serialize(callee_response(f, *invite, 200, "u1", kPcmuAnswer)));
  auto ack = f.receive();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->method, "ACK");
  EXPECT_EQ(c.heard.answered.size(), 1u);
}

TEST_F(SipServerUac, ABusyCalleeIs486AckedByTheTransaction) {
  auto invite = c.place();
  ASSERT_TRUE(invite);
  f.send(serialize(callee_response(f, *invite, 486, "u1")));
  auto ack = f.receive();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->method, "ACK");
  EXPECT_EQ(top_branch(*ack), top_branch(*invite));  // §17.1.1.3: the INVITE's branch
  EXPECT_EQ(c.heard.failed, std::vector<int>{486});
  EXPECT_EQ(f.server->dialog_count(), 0u);
  f.time.run_for(f.io, 33s);  // Timer D, then the call's linger of 64*T1
  EXPECT_EQ(f.server->outgoing_count(), 0u);
  EXPECT_EQ(f.server->client_transaction_count(), 0u);
}

TEST_F(SipServerUac, NoAnswerIs408AtTimerBAfterSevenSends) {
  ASSERT_TRUE(c.place());
  int sends = 1;
  for (int i = 0; i < 64; ++i) {
    f.time.run_for(f.io, 500ms);
    while (!f.nothing_received()) {
      ASSERT_TRUE(f.receive());
      ++sends;
    }
    if (i < 63) {
      EXPECT_TRUE(c.heard.failed.empty()) << "at " << (i + 1) * 500 << " ms";
    }
  }
  EXPECT_EQ(sends, 7);  // 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s
  EXPECT_EQ(c.heard.failed, std::vector<int>{408});
}

TEST_F(SipServerUac, ACancelWhileRingingGoesWithTheInvitesBranchAndEndsIn487) {
  auto invite = c.place();
  ASSERT_TRUE(invite);
  f.send(serialize(callee_response(f, *invite, 180, "u1")));
  f.server->cancel_call(c.call);
  auto cancel = f.receive();
  ASSERT_TRUE(cancel);
  // §9.1: the INVITE's Request-URI, Call-ID, From, To and CSeq number, its Via.
  EXPECT_EQ(cancel->method, "CANCEL");
  EXPECT_EQ(cancel->request_uri, invite->request_uri);
  EXPECT_EQ(cancel->header("Via"), invite->header("Via"));
  EXPECT_EQ(cancel->header("From"), invite->header("From"));
  EXPECT_EQ(cancel->header("To"), invite->header("To"));
  EXPECT_EQ(cancel->header("CSeq"), "1 CANCEL");
  f.send(serialize(make_response(*cancel, 200, "u1")));
  EXPECT_TRUE(c.heard.failed.empty());  // the 487 tells
  f.send(serialize(callee_response(f, *invite, 487, "u1")));
  auto ack = f.receive();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->method, "ACK");
  EXPECT_EQ(ack->header("CSeq"), "1 ACK");
  EXPECT_EQ(c.heard.failed, std::vector<int>{487});
  f.server->cancel_call(c.call);  // over: nothing
  EXPECT_TRUE(f.nothing_received());
}

TEST_F(SipServerUac, ACancelBeforeAnyProvisionalWaitsForOne) {
  auto invite = c.place();
  ASSERT_TRUE(invite);
  f.server->cancel_call(c.call);
  EXPECT_TRUE(f.nothing_received());  // §9.1: not before a provisional
  f.send(serialize(make_response(*invite, 100)));
  auto cancel = f.receive();
  ASSERT_TRUE(cancel);
  EXPECT_EQ(cancel->method, "CANCEL");
  // The callee never answers the INVITE: 64*T1 after the CANCEL it counts as cancelled.
  f.send(serialize(make_response(*cancel, 200)));
  f.time.run_for(f.io, 31s);
  EXPECT_TRUE(c.heard.failed.empty());
  f.time.run_for(f.io, 1s);
  EXPECT_EQ(c.heard.failed, std::vector<int>{487});
  EXPECT_EQ(f.server->client_transaction_count(), 0u);
}

TEST_F(SipServerUac, A2xxCrossingTheCancelIsAckedThenByed) {
  auto invite = c.place();
  ASSERT_TRUE(invite);
  f.send(serialize(callee_response(f, *invite, 180, "u1")));
  f.server->cancel_call(c.call);
  auto cancel = f.receive();
  ASSERT_TRUE(cancel && cancel->method == "CANCEL");
  // The callee answered before the CANCEL reached it (§15).
  f.send(serialize(make_response(*cancel, 200, "u1")));
  f.send(serialize(callee_response(f, *invite, 200, "u1", kPcmuAnswer)));
  auto ack = f.receive();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->method, "ACK");
  auto bye = f.receive();
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->method, "BYE");
  EXPECT_EQ(bye->header("CSeq"), "2 BYE");
  EXPECT_EQ(bye->header("To"), "<sip:agent1@127.0.0.1>;tag=u1");
  EXPECT_EQ(c.heard.failed, std::vector<int>{487});
  EXPECT_TRUE(c.heard.answered.empty());
  EXPECT_EQ(f.server->dialog_count(), 0u);
  f.send(serialize(make_response(*bye, 200)));
}

TEST_F(SipServerUac, ASecondForked2xxIsAckedAndByed) {
  std::optional<SipMessage> invite;
  ASSERT_TRUE(c.answered(invite));
  // Another phone the INVITE forked to answered too (§13.2.2.4).
  const SipMessage second = callee_response(f, *invite, 200, "u2", kPcmuAnswer);
  f.send(serialize(second));
  auto ack2 = f.receive();
  ASSERT_TRUE(ack2);
  EXPECT_EQ(ack2->method, "ACK");
  EXPECT_EQ(ack2->header("To"), "<sip:agent1@127.0.0.1>;tag=u2");
  EXPECT_EQ(ack2->request_uri,
            "sip:agent1-u2@127.0.0.1:" + std::to_string(f.client.local_endpoint().port()));
  auto bye = f.receive();
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->method, "BYE");
  EXPECT_EQ(bye->header("To"), "<sip:agent1@127.0.0.1>;tag=u2");
  f.send(serialize(make_response(*bye, 200)));
  // That 2xx resent: its ACK again, not a second BYE.
  f.send(serialize(second));
  auto ack2_again = f.receive();
  ASSERT_TRUE(ack2_again);
  EXPECT_EQ(ack2_again->method, "ACK");
  EXPECT_TRUE(f.nothing_received());
  EXPECT_EQ(c.heard.answered.size(), 1u);
  EXPECT_EQ(f.server->dialog_count(), 1u);
}

TEST_F(SipServerUac, A2xxWithoutAUsableAnswerIsAckedByedAnd488) {
  auto invite = c.place();
  ASSERT_TRUE(invite);
  f.send(serialize(
      callee_response(f, *invite, 200, "u1",
                      "v=0\r\no=- 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                      "m=audio 30000 RTP/AVP 18\r\n")));
  auto ack = f.receive();
  ASSERT_TRUE(ack && ack->method == "ACK");
  auto bye = f.receive();
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->method, "BYE");
  EXPECT_EQ(c.heard.failed, std::vector<int>{488});
  EXPECT_EQ(f.server->dialog_count(), 0u);
}

TEST_F(SipServerUac, A2xxWithoutContactIsAckedAtTheRequestUri) {
  auto invite = c.place();
  ASSERT_TRUE(invite);
  SipMessage ok = callee_response(f, *invite, 200, "u1", kPcmuAnswer);
  ok.remove_header("Contact");
  f.send(serialize(ok));
  auto ack = f.receive();
  ASSERT_TRUE(ack);
  EXPECT_EQ(ack->method, "ACK");
  EXPECT_EQ(ack->request_uri, invite->request_uri);
  EXPECT_EQ(c.heard.answered.size(), 1u);
}

TEST_F(SipServerUac, TheCalleesByeIsAnswered200AndEndsTheCall) {
  std::optional<SipMessage> invite;
  const auto ok = c.answered(invite);
  ASSERT_TRUE(ok);
  f.send(from_callee(f, "BYE", *ok, 1));
  auto bye_ok = f.receive();
  ASSERT_TRUE(bye_ok);
  EXPECT_EQ(bye_ok->status_code, 200);
  EXPECT_EQ(bye_ok->header("CSeq"), "1 BYE");
  EXPECT_EQ(c.heard.ended, std::vector<CallEnd>{CallEnd::bye});
  EXPECT_EQ(f.server->dialog_count(), 0u);
  f.server->cancel_call(c.call);  // over: nothing
  EXPECT_TRUE(f.nothing_received());
  f.time.run_for(f.io, 32s);
  EXPECT_EQ(f.server->outgoing_count(), 0u);
}

TEST_F(SipServerUac, OurByeGoesToTheRemoteTargetInTheDialog) {
  std::optional<SipMessage> invite;
  const auto ok = c.answered(invite);
  ASSERT_TRUE(ok);
  f.server->cancel_call(c.call);
  auto bye = f.receive();
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->method, "BYE");
  EXPECT_EQ(bye->request_uri,
            "sip:agent1-u1@127.0.0.1:" + std::to_string(f.client.local_endpoint().port()));
  EXPECT_EQ(bye->header("From"), invite->header("From"));
  EXPECT_EQ(bye->header("To"), "<sip:agent1@127.0.0.1>;tag=u1");
  EXPECT_EQ(bye->header("CSeq"), "2 BYE");
  f.send(serialize(make_response(*bye, 200)));
  EXPECT_TRUE(c.heard.ended.empty());  // the app asked: nobody is told
  EXPECT_TRUE(c.heard.failed.empty());
  EXPECT_EQ(f.server->dialog_count(), 0u);
  f.time.run_for(f.io, 5s);  // Timer K
  EXPECT_EQ(f.server->client_transaction_count(), 0u);
}

TEST_F(SipServerUac, ABadUriFailsTheCallWithoutSendingAnything) {
  Heard heard;
  OutgoingCall out{
      "tel:+4930123456",         "sip:agent1@127.0.0.1",         "sip:+15551234567@127.0.0.1", "",
      f.client.local_endpoint(), MediaConfig{"127.0.0.1", 40000}};
  OutgoingCallHandler handler;
  handler.on_failed = [&](const std::string&, int status) { heard.failed.push_back(status); };
  f.server->place_call(std::move(out), std::move(handler));
  EXPECT_TRUE(f.nothing_received());
  EXPECT_EQ(heard.failed, std::vector<int>{416});
}

// Calls we took as UAS: the app hangs up, the peer re-INVITEs.

TEST(SipServerCalls, HangUpByesAnAnsweredCallAndStopsTheResentAnswer) {
  Fixture f;
  FakeCalls calls(*f.server);
  ASSERT_TRUE(call(f, "z9hG4bK-h1"));
  auto ok = f.receive();
  ASSERT_TRUE(ok && ok->status_code == 200);
  f.server->hang_up(calls.invited.at(0));
  auto bye = f.receive();
  ASSERT_TRUE(bye);
  EXPECT_EQ(bye->method, "BYE");
  EXPECT_EQ(bye->header("From"), ok->header("To"));
  EXPECT_EQ(bye->header("CSeq"), "1 BYE");
  f.send(serialize(make_response(*bye, 200)));
  EXPECT_EQ(f.server->dialog_count(), 0u);
  f.time.run_for(f.io, 40s);
  EXPECT_TRUE(f.nothing_received());  // no 2xx resends, no BYE of Timer 64*T1
  EXPECT_TRUE(calls.ended.empty());
  f.server->hang_up(calls.invited.at(0));  // gone: nothing
  EXPECT_TRUE(f.nothing_received());
}

constexpr std::string_view kHoldOffer =
    "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "m=audio 30000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=sendonly\r\n";

// An answered, ACKed call from the client; its 200.
std::optional<SipMessage> answered_call(Fixture& f, const std::string& branch) {
  if (!call(f, branch)) return std::nullopt;
  auto ok = f.receive();
  if (!ok || ok->status_code != 200) return std::nullopt;
  f.send(in_call(f, "ACK", branch + "ack", *ok, 1));
  return ok;
}

TEST(SipServerCalls, AReInviteOnHoldIsAnsweredRecvonlyWithTheNextVersion) {
  Fixture f;
  FakeCalls calls(*f.server);
  auto ok = answered_call(f, "z9hG4bK-v1");
  ASSERT_TRUE(ok);
  const auto first = parse_sdp(ok->body);
  ASSERT_TRUE(first);
  f.send(with_sdp(in_call(f, "INVITE", "z9hG4bK-v1re", *ok, 2), kHoldOffer));
  ASSERT_TRUE(f.receive());  // 100
  auto reok = f.receive();
  ASSERT_TRUE(reok);
  EXPECT_EQ(reok->status_code, 200);
  EXPECT_EQ(reok->header("To"), ok->header("To"));
  EXPECT_EQ(reok->header("Contact"), ok->header("Contact"));
  auto answer = parse_sdp(reok->body);
  ASSERT_TRUE(answer) << reok->body;
  // RFC 3264 §8: the same origin, its version one up; §6.1: sendonly answered recvonly.
  EXPECT_EQ(answer->origin.session_id, first->origin.session_id);
  EXPECT_EQ(answer->origin.session_version, first->origin.session_version + 1);
  ASSERT_EQ(answer->media.size(), 1u);
  EXPECT_EQ(answer->direction_of(answer->media[0]), Direction::recvonly);
  ASSERT_EQ(calls.reoffers.size(), 1u);
  EXPECT_EQ(calls.reoffers[0].direction, Direction::recvonly);
  // The re-INVITE again (the 200 was lost): the same 200, no second re-offer.
  f.send(with_sdp(in_call(f, "INVITE", "z9hG4bK-v1re", *ok, 2), kHoldOffer));
  auto again = f.receive();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, reok->body);
  f.send(in_call(f, "ACK", "z9hG4bK-v1reack", *ok, 2));
  EXPECT_EQ(calls.acked, 1);  // the first answer's ACK only
  f.time.run_for(f.io, 40s);
  EXPECT_TRUE(f.nothing_received());  // the ACK stopped the resends
  EXPECT_EQ(calls.reoffers.size(), 1u);
  EXPECT_EQ(f.server->dialog_count(), 1u);
}

TEST(SipServerCalls, AReInviteWhileAnotherIsInProgressIs491AndOneWithoutACommonCodec488) {
  Fixture f;
  FakeCalls calls(*f.server);
  auto ok = answered_call(f, "z9hG4bK-p1");
  ASSERT_TRUE(ok);
  f.send(with_sdp(in_call(f, "INVITE", "z9hG4bK-p1a", *ok, 2), kHoldOffer));
  ASSERT_TRUE(f.receive());  // 100
  auto reok = f.receive();
  ASSERT_TRUE(reok && reok->status_code == 200);
  // Its 200 not ACKed yet: a second offer is refused (§14.2).
  f.send(with_sdp(in_call(f, "INVITE", "z9hG4bK-p1b", *ok, 3), kPcmuOffer));
  ASSERT_TRUE(f.receive());  // 100
  auto pending = f.receive();
  ASSERT_TRUE(pending);
  EXPECT_EQ(pending->status_code, 491);
  f.send(in_call(f, "ACK", "z9hG4bK-p1b", *ok, 3));  // the 491's ACK, in its transaction
  f.send(in_call(f, "ACK", "z9hG4bK-p1aack", *ok, 2));
  // No common codec: 488, the session as it was (the version not spent).
  f.send(with_sdp(in_call(f, "INVITE", "z9hG4bK-p1c", *ok, 4),
                  "v=0\r\no=- 1 3 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                  "m=audio 30000 RTP/AVP 18\r\n"));
  ASSERT_TRUE(f.receive());  // 100
  auto refused = f.receive();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status_code, 488);
  EXPECT_TRUE(refused->header("Warning"));
  f.send(in_call(f, "ACK", "z9hG4bK-p1c", *ok, 4));
  EXPECT_EQ(calls.reoffers.size(), 1u);
  // Resumed: sendrecv, the version one above the hold's.
  f.send(with_sdp(in_call(f, "INVITE", "z9hG4bK-p1d", *ok, 5), kPcmuOffer));
  ASSERT_TRUE(f.receive());  // 100
  auto resumed = f.receive();
  ASSERT_TRUE(resumed && resumed->status_code == 200);
  const auto hold = parse_sdp(reok->body);
  const auto resume = parse_sdp(resumed->body);
  ASSERT_TRUE(hold && resume);
  EXPECT_EQ(resume->origin.session_version, hold->origin.session_version + 1);
  EXPECT_EQ(resume->direction_of(resume->media[0]), Direction::sendrecv);
  ASSERT_EQ(calls.reoffers.size(), 2u);
  EXPECT_EQ(calls.reoffers[1].direction, Direction::sendrecv);
  f.send(in_call(f, "ACK", "z9hG4bK-p1dack", *ok, 5));
  EXPECT_EQ(f.server->dialog_count(), 1u);
}

TEST_F(SipServerUac, TheCalleesReInviteInAPlacedCallIsAnswered) {
  std::optional<SipMessage> invite;
  const auto ok = c.answered(invite);
  ASSERT_TRUE(ok);
  f.send(with_sdp(from_callee(f, "INVITE", *ok, 1), kHoldOffer));
  ASSERT_TRUE(f.receive());  // 100
  auto reok = f.receive();
  ASSERT_TRUE(reok);
  EXPECT_EQ(reok->status_code, 200);
  auto answer = parse_sdp(reok->body);
  const auto offer = parse_sdp(invite->body);
  ASSERT_TRUE(answer && offer);
  EXPECT_EQ(answer->origin.session_id, offer->origin.session_id);
  EXPECT_EQ(answer->origin.session_version, offer->origin.session_version + 1);
  EXPECT_EQ(answer->direction_of(answer->media[0]), Direction::recvonly);
  EXPECT_EQ(reok->header("Contact"), invite->header("Contact"));
}

}  // namespace
}  // namespace ccteams::sip
