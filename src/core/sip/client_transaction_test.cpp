#include "core/sip/client_transaction.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/sip/sip_headers.hpp"
#include "core/sip/server_transaction.hpp"
#include "core/sip/sip_parser.hpp"
#include "core/sip/transaction_test_support.hpp"

namespace ccteams::sip {
namespace {

using std::chrono::milliseconds;

SipMessage outgoing(const std::string& method) {
  auto m = parse_sip_message(method +
                             " sip:agent1@10.0.0.9:5070 SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKc1;rport\r\n"
                             "Max-Forwards: 70\r\n"
                             "Route: <sip:proxy.example;lr>\r\n"
                             "From: <sip:ccteams@10.0.0.1>;tag=f1\r\n"
                             "To: <sip:agent1@10.0.0.9>\r\n"
                             "Call-ID: call-1\r\nCSeq: 4 " +
                             method +
                             "\r\n"
                             "Contact: <sip:ccteams@10.0.0.1>\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(m) << m.error().reason;
  return *m;
}

SipMessage response_to(const SipMessage& request, int status) {
  return make_response(request, status, "t9");
}

std::vector<milliseconds> ms(std::initializer_list<int> values) {
  std::vector<milliseconds> out;
  for (const int v : values) out.emplace_back(v);
  return out;
}

std::vector<int> statuses(const std::vector<SipMessage>& messages) {
  std::vector<int> out;
  for (const auto& m : messages) out.push_back(m.status_code);
  return out;
}

TEST(ClientTransactionKey, BranchAndCSeqMethodWithTheNon2xxAckInTheInvite) {
  const SipMessage invite = outgoing("INVITE");
  const auto key = client_transaction_key(invite);
  ASSERT_TRUE(key);
  EXPECT_EQ(*key, (ClientTransactionKey{"z9hG4bKc1", "INVITE"}));
  EXPECT_EQ(client_transaction_key(response_to(invite, 180)), key);               // §17.1.3
  EXPECT_EQ(client_transaction_key(make_non2xx_ack(invite, response_to(invite, 486))), key);
  EXPECT_NE(client_transaction_key(response_to(outgoing("CANCEL"), 200)), key);  // own one
  SipMessage old = invite;
  old.set_header("Via", "SIP/2.0/UDP 10.0.0.1;branch=1234");
  EXPECT_FALSE(client_transaction_key(old));
}

TEST(MakeNon2xxAck, IsTheInviteWithTheResponsesToAndCSeqAck) {
  // RFC 3261 §17.1.1.3: the INVITE's Request-URI, Call-ID, From, top Via and Route headers,
  // the response's To, the INVITE's CSeq number with method ACK.
  const SipMessage invite = outgoing("INVITE");
  EXPECT_EQ(serialize(make_non2xx_ack(invite, response_to(invite, 486))),
            "ACK sip:agent1@10.0.0.9:5070 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKc1;rport\r\n"
            "Route: <sip:proxy.example;lr>\r\n"
            "From: <sip:ccteams@10.0.0.1>;tag=f1\r\n"
            "Call-ID: call-1\r\n"
            "To: <sip:agent1@10.0.0.9>;tag=t9\r\n"
            "CSeq: 4 ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
}

TEST(MakeCancel, IsTheInviteWithMethodCancelAndItsBranch) {
  // RFC 3261 §9.1: the INVITE's Request-URI, Call-ID, To, From, CSeq number, single top Via and
  // Route headers; method CANCEL; its own client transaction.
  SipMessage invite = outgoing("INVITE");
  invite.add_header("Content-Type", "application/sdp");
  invite.body = "v=0\r\n";
  const SipMessage cancel = make_cancel(invite);
  EXPECT_EQ(serialize(cancel),
            "CANCEL sip:agent1@10.0.0.9:5070 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKc1;rport\r\n"
            "Route: <sip:proxy.example;lr>\r\n"
            "From: <sip:ccteams@10.0.0.1>;tag=f1\r\n"
            "Call-ID: call-1\r\n"
            "To: <sip:agent1@10.0.0.9>\r\n"
            "CSeq: 4 CANCEL\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(client_transaction_key(cancel),
            (ClientTransactionKey{"z9hG4bKc1", "CANCEL"}));
}

// One rule per row: the responses arriving at the given times, then time runs to `until`.
struct Row {
  const char* rule;
  bool reliable;
  std::vector<std::pair<int, int>> responses;  // at ms, status
  int until_ms;
  std::vector<milliseconds> sends;  // when the request went out
  std::vector<milliseconds> acks;   // when an ACK went out (INVITE only)
  std::vector<int> delivered;       // what the TU heard
  bool terminated;
  bool timed_out;
};

template <class Transaction>
void run_row(const Row& row, const std::string& method) {
  SCOPED_TRACE(row.rule);
  const SipMessage request = outgoing(method);
  Transaction tx(request, row.reliable);
  TransactionHarness h{tx};
  h.apply(tx.start());
  for (const auto& [at, status] : row.responses) {
    h.advance_to(milliseconds(at));
    if (!h.terminated) h.apply(tx.on_response(response_to(request, status)));
  }
  h.advance_to(milliseconds(row.until_ms));
  EXPECT_EQ(h.times_of(method), row.sends);
  EXPECT_EQ(h.times_of("ACK"), row.acks);
  EXPECT_EQ(statuses(h.delivered), row.delivered);
  EXPECT_EQ(h.terminated, row.terminated);
  EXPECT_EQ(h.timed_out, row.timed_out);
}

TEST(InviteClientTransaction, FollowsRfc3261Section17_1_1) {
  const std::vector<Row> rows{
      {"§17.1.1.2 UDP: Timer A from T1 doubling without a cap, Timer B at 64*T1",
       false, {}, 40000, ms({0, 500, 1500, 3500, 7500, 15500, 31500}), {}, {}, true, true},
      {"§17.1.1.2 TCP: no Timer A; Timer B still", true, {}, 40000, ms({0}), {}, {}, true, true},
      {"§17.1.1.2 a provisional stops the retransmissions and Timer B", false,
       {{700, 100}, {2000, 180}}, 120000, ms({0, 500}), {}, {100, 180}, false, false},
      {"§17.1.1.2 a 2xx goes to the TU and ends it, without an ACK", false,
       {{100, 180}, {5000, 200}}, 40000, ms({0}), {}, {180, 200}, true, false},
      {"§17.1.1.2 a 300-699 is acknowledged by the transaction, Timer D 32 s on UDP", false,
       {{100, 486}}, 32099, ms({0}), ms({100}), {486}, false, false},
      {"§17.1.1.2 Timer D ends it", false, {{100, 486}}, 32100, ms({0}), ms({100}), {486}, true,
       false},
      {"§17.1.1.2 a retransmitted final response gets the ACK again and stays with the "
       "transaction",
       false, {{100, 486}, {600, 486}, {1600, 486}}, 2000, ms({0}), ms({100, 600, 1600}), {486},
       false, false},
      {"§17.1.1.2 TCP: Timer D is 0", true, {{100, 603}}, 100, ms({0}), ms({100}), {603}, true,
       false},
  };
  for (const auto& row : rows) run_row<InviteClientTransaction>(row, "INVITE");
}

TEST(NonInviteClientTransaction, FollowsRfc3261Section17_1_2) {
  const std::vector<Row> rows{
      {"§17.1.2.2 UDP: Timer E from T1 doubling to T2, Timer F at 64*T1", false, {}, 40000,
       ms({0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500}), {}, {}, true,
       true},
      {"§17.1.2.2 TCP: no Timer E; Timer F still", true, {}, 40000, ms({0}), {}, {}, true, true},
      {"§17.1.2.2 in Proceeding the request goes every T2, and Timer F still runs", false,
       {{600, 100}}, 40000, ms({0, 500, 1500, 5500, 9500, 13500, 17500, 21500, 25500, 29500}),
       {}, {100}, true, true},
      {"§17.1.2.2 a final response goes to the TU; Timer K = T4 absorbs its retransmissions",
       false, {{100, 200}, {600, 200}}, 5099, ms({0}), {}, {200}, false, false},
      {"§17.1.2.2 Timer K ends it", false, {{100, 200}}, 5100, ms({0}), {}, {200}, true, false},
      {"§17.1.2.2 TCP: Timer K is 0", true, {{100, 481}}, 100, ms({0}), {}, {481}, true, false},
  };
  for (const auto& row : rows) run_row<NonInviteClientTransaction>(row, "BYE");
}

TEST(ClientTransactions, TransportErrorEndsThemBeforeAFinalResponseOnly) {
  // §17.1.4: the TU is told (as a 503); after a final response there is nothing to tell.
  InviteClientTransaction invite(outgoing("INVITE"), true);
  (void)invite.start();
  const ClientEffects failed = invite.on_transport_error();
  EXPECT_TRUE(failed.terminated);
  EXPECT_TRUE(failed.transport_failed);
  EXPECT_EQ(invite.state(), InviteClientTransaction::State::terminated);

  NonInviteClientTransaction bye(outgoing("BYE"), true);
  (void)bye.start();
  (void)bye.on_response(response_to(outgoing("BYE"), 200));
  EXPECT_FALSE(bye.on_transport_error().terminated);
  EXPECT_EQ(bye.state(), NonInviteClientTransaction::State::completed);
}

}  // namespace
}  // namespace ccteams::sip
