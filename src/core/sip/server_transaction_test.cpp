#include "core/sip/server_transaction.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/sip/sip_parser.hpp"
#include "core/sip/transaction_test_support.hpp"

namespace ccteams::sip {
namespace {

using std::chrono::milliseconds;

SipMessage request(const std::string& method, const std::string& to = "<sip:+4930123456@h>") {
  auto m = parse_sip_message(method +
                             " sip:+4930123456@127.0.0.1 SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP 10.0.0.7:5062;branch=z9hG4bKabc;rport=5062\r\n"
                             "Via: SIP/2.0/UDP proxy:5060;branch=z9hG4bKdef\r\n"
                             "From: <sip:alice@h>;tag=1\r\nTo: " +
                             to +
                             "\r\n"
                             "Call-ID: c1\r\nCSeq: 7 " +
                             method +
                             "\r\nTimestamp: 54\r\n"
                             "Contact: <sip:alice@10.0.0.7>\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(m) << m.error().reason;
  return *m;
}

TEST(ServerTransactionKey, BranchSentByAndMethodWithAckMatchingInvite) {
  const auto invite = server_transaction_key(request("INVITE"));
  ASSERT_TRUE(invite);
  EXPECT_EQ(*invite, (TransactionKey{"z9hG4bKabc", "10.0.0.7:5062", "INVITE"}));
  EXPECT_EQ(server_transaction_key(request("ACK")), invite);
  EXPECT_NE(server_transaction_key(request("CANCEL")), invite);  // its own transaction
  SipMessage old = request("OPTIONS");
  old.headers[0].value = "SIP/2.0/UDP 10.0.0.7;branch=1234";
  EXPECT_FALSE(server_transaction_key(old));
}

TEST(MakeResponse, CopiesTheDialogHeadersAndAddsTheToTag) {
  const SipMessage r = make_response(request("INVITE"), 486, "t0");
  EXPECT_EQ(serialize(r),
            "SIP/2.0 486 Busy Here\r\n"
            "Via: SIP/2.0/UDP 10.0.0.7:5062;branch=z9hG4bKabc;rport=5062\r\n"
            "Via: SIP/2.0/UDP proxy:5060;branch=z9hG4bKdef\r\n"
            "From: <sip:alice@h>;tag=1\r\nTo: <sip:+4930123456@h>;tag=t0\r\n"
            "Call-ID: c1\r\nCSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n");
  const SipMessage trying = make_response(request("INVITE"), 100, "t0");
  EXPECT_EQ(trying.header("To"), "<sip:+4930123456@h>");
  EXPECT_EQ(trying.header("Timestamp"), "54");
  const SipMessage in_dialog = make_response(request("BYE", "<sip:b@h>;tag=x"), 200, "t0");
  EXPECT_EQ(in_dialog.header("To"), "<sip:b@h>;tag=x");
}

TEST(InviteServerTransaction, UnansweredErrorIsRetransmittedOnTimerGUntilTimerH) {
  const SipMessage invite = request("INVITE");
  InviteServerTransaction tx(invite, /*reliable=*/false);
  TransactionHarness h{tx};
  h.apply(tx.start());
  h.apply(tx.on_response(make_response(invite, 404, "t")));
  EXPECT_EQ(tx.state(), InviteServerTransaction::State::completed);
  h.advance_to(milliseconds(40000));
  // T1 doubling to T2: 0, 0.5, 1.5, 3.5, 7.5, then every 4 s until H at 64*T1 = 32 s.
  const std::vector<milliseconds> want{
      milliseconds(0),     milliseconds(500),   milliseconds(1500),  milliseconds(3500),
      milliseconds(7500),  milliseconds(11500), milliseconds(15500), milliseconds(19500),
      milliseconds(23500), milliseconds(27500), milliseconds(31500)};
  EXPECT_EQ(h.times_of(404), want);
  EXPECT_EQ(h.times_of(100), std::vector<milliseconds>{milliseconds(0)});
  EXPECT_TRUE(h.terminated);
  EXPECT_TRUE(h.timed_out);
  EXPECT_EQ(tx.state(), InviteServerTransaction::State::terminated);
}

TEST(InviteServerTransaction, AckStopsRetransmissionAndTimerIEnds) {
  const SipMessage invite = request("INVITE");
  InviteServerTransaction tx(invite, false);
  TransactionHarness h{tx};
  h.apply(tx.start());
  h.apply(tx.on_retransmission());  // the INVITE again in Proceeding: 100 again
  EXPECT_EQ(h.times_of(100).size(), 2u);
  h.apply(tx.on_response(make_response(invite, 486, "t")));
  h.advance_to(milliseconds(1000));  // one retransmission at 0.5 s
  h.apply(tx.on_retransmission());   // the INVITE again in Completed: the 486 again
  h.apply(tx.on_ack());
  EXPECT_EQ(tx.state(), InviteServerTransaction::State::confirmed);
  h.apply(tx.on_ack());  // absorbed
  h.apply(tx.on_retransmission());
  h.advance_to(milliseconds(5999));
  EXPECT_FALSE(h.terminated);
  h.advance_to(milliseconds(6000));  // Timer I = T4 after the ACK
  EXPECT_TRUE(h.terminated);
  EXPECT_FALSE(h.timed_out);
  EXPECT_EQ(h.times_of(486),
            (std::vector<milliseconds>{milliseconds(0), milliseconds(500), milliseconds(1000)}));
}

TEST(InviteServerTransaction, TwoHundredEndsItAndReliableTransportsDoNotRetransmit) {
  const SipMessage invite = request("INVITE");
  InviteServerTransaction ok(invite, false);
  TransactionHarness h{ok};
  h.apply(ok.start());
  h.apply(ok.on_response(make_response(invite, 180, "t")));
  h.apply(ok.on_response(make_response(invite, 200, "t")));
  EXPECT_TRUE(h.terminated);
  EXPECT_TRUE(h.pending.empty());
  EXPECT_FALSE(ok.on_response(make_response(invite, 486, "t")).send);

  InviteServerTransaction tcp(invite, true);
  TransactionHarness t{tcp};
  t.apply(tcp.start());
  t.apply(tcp.on_response(make_response(invite, 488, "t")));
  t.advance_to(milliseconds(31999));
  EXPECT_EQ(t.times_of(488).size(), 1u);
  EXPECT_FALSE(t.terminated);
  t.apply(tcp.on_ack());
  t.advance_to(milliseconds(31999));  // Timer I is 0 on TCP
  EXPECT_TRUE(t.terminated);
}

TEST(NonInviteServerTransaction, AbsorbsRetransmissionsUntilTimerJ) {
  const SipMessage options = request("OPTIONS");
  NonInviteServerTransaction tx(false);
  TransactionHarness h{tx};
  h.apply(tx.on_retransmission());  // Trying: nothing to resend yet
  EXPECT_TRUE(h.sent.empty());
  h.apply(tx.on_response(make_response(options, 200, "t")));
  EXPECT_EQ(tx.state(), NonInviteServerTransaction::State::completed);
  h.apply(tx.on_retransmission());
  h.apply(tx.on_response(make_response(options, 500, "t")));  // a second final: ignored
  h.advance_to(milliseconds(31999));
  EXPECT_FALSE(h.terminated);
  h.advance_to(milliseconds(32000));  // 64*T1
  EXPECT_TRUE(h.terminated);
  EXPECT_EQ(h.times_of(200), (std::vector<milliseconds>{milliseconds(0), milliseconds(0)}));
  EXPECT_TRUE(h.times_of(500).empty());

  NonInviteServerTransaction tcp(true);
  TransactionHarness t{tcp};
  t.apply(tcp.on_response(make_response(options, 100, "")));
  EXPECT_EQ(tcp.state(), NonInviteServerTransaction::State::proceeding);
  t.apply(tcp.on_retransmission());
  EXPECT_EQ(t.times_of(100).size(), 2u);
  t.apply(tcp.on_response(make_response(options, 200, "t")));
  t.advance_to(milliseconds(0));
  EXPECT_TRUE(t.terminated);
}

}  // namespace
}  // namespace ccteams::sip
