#include "core/sip/dialog.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/sip/server_transaction.hpp"
#include "core/sip/sip_parser.hpp"

namespace ccteams::sip {
namespace {

// An INVITE from a carrier through two record-routing proxies, and our answers to it.
SipMessage invite() {
  auto m = parse_sip_message(
      "INVITE sip:+4930123456@ccteams.example SIP/2.0\r\n"
      "Via: SIP/2.0/UDP p2.example;branch=z9hG4bKp2\r\n"
      "Via: SIP/2.0/UDP p1.example;branch=z9hG4bKp1\r\n"
      "Via: SIP/2.0/UDP carrier.example;branch=z9hG4bKc\r\n"
      "Record-Route: <sip:p2.example;lr>\r\nRecord-Route: <sip:p1.example;lr>\r\n"
      "Max-Forwards: 68\r\n"
      "From: \"Alice\" <sip:alice@carrier.example>;tag=a1\r\n"
      "To: <sip:+4930123456@ccteams.example>\r\n"
      "Call-ID: d-1\r\nCSeq: 10 INVITE\r\n"
      "Contact: <sip:alice@198.51.100.7:5060>\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(m) << m.error().reason;
  return *m;
}

SipMessage answer(int status, const std::string& contact = "<sip:ccteams@192.0.2.1:5060>") {
  const SipMessage request = invite();
  SipMessage r = make_response(request, status, "b2");
  for (const auto rr : request.header_values("Record-Route")) {
    r.add_header("Record-Route", std::string(rr));
  }
  if (!contact.empty()) r.add_header("Contact", contact);
  return r;
}

Via our_via(const std::string& branch) {
  return Via{"UDP", HostPort{"192.0.2.1", 5060}, {{"branch", branch}}};
}

std::vector<std::string> values(const SipMessage& m, std::string_view name) {
  std::vector<std::string> out;
  for (const auto v : m.header_values(name)) out.emplace_back(v);
  return out;
}

TEST(Dialog, IdsFromRequestsAndResponsesTakeTheirSide) {
  // §12: the UAS's local tag is the To tag, the UAC's the From tag.
  SipMessage bye = invite();
  bye.method = "BYE";
  bye.set_header("To", "<sip:+4930123456@ccteams.example>;tag=b2");
  EXPECT_EQ(dialog_id_of_request(bye), (DialogId{"d-1", "b2", "a1"}));
  EXPECT_EQ(dialog_id_of_response(answer(200)), (DialogId{"d-1", "a1", "b2"}));
  EXPECT_FALSE(dialog_id_of_request(invite()));  // no To tag: not in a dialog
  EXPECT_FALSE(dialog_id_of_response(make_response(invite(), 100)));
}

TEST(Dialog, UasDialogFollowsSection12_1_1) {
  auto d = uas_dialog(invite(), answer(200));
  ASSERT_TRUE(d) << d.error().reason;
  EXPECT_EQ(d->id, (DialogId{"d-1", "b2", "a1"}));
  EXPECT_EQ(d->state, Dialog::State::confirmed);
  EXPECT_EQ(d->route_set, (std::vector<std::string>{"<sip:p2.example;lr>", "<sip:p1.example;lr>"}));
  EXPECT_EQ(d->remote_target, "sip:alice@198.51.100.7:5060");
  EXPECT_EQ(d->local_target, "sip:ccteams@192.0.2.1:5060");
  EXPECT_EQ(d->remote_seq, 10u);
  EXPECT_FALSE(d->local_seq);  // empty until we send a request in it
  EXPECT_EQ(d->remote.display_name, "Alice");
  EXPECT_FALSE(d->remote.tag());  // the tag lives in the id
  auto early = uas_dialog(invite(), answer(183));
  ASSERT_TRUE(early);
  EXPECT_EQ(early->state, Dialog::State::early);
}

TEST(Dialog, UacDialogFollowsSection12_1_2) {
  // The same exchange seen from the carrier: its INVITE, our 2xx.
  auto d = uac_dialog(invite(), answer(180));
  ASSERT_TRUE(d) << d.error().reason;
  EXPECT_EQ(d->id, (DialogId{"d-1", "a1", "b2"}));
  EXPECT_EQ(d->state, Dialog::State::early);
  EXPECT_EQ(d->route_set, (std::vector<std::string>{"<sip:p1.example;lr>", "<sip:p2.example;lr>"}));
  EXPECT_EQ(d->remote_target, "sip:ccteams@192.0.2.1:5060");
  EXPECT_EQ(d->local_seq, 10u);
  EXPECT_FALSE(d->remote_seq);

  // §13.2.2.4: the 2xx recomputes the route set and the target; sequence numbers stay.
  SipMessage ok = make_response(invite(), 200, "b2");
  ok.add_header("Record-Route", "<sip:p3.example;lr>");
  ok.add_header("Contact", "<sip:agent1@192.0.2.9>");
  d->local_seq = 11;
  ASSERT_TRUE(confirm_uac_dialog(*d, ok));
  EXPECT_EQ(d->state, Dialog::State::confirmed);
  EXPECT_EQ(d->route_set, (std::vector<std::string>{"<sip:p3.example;lr>"}));
  EXPECT_EQ(d->remote_target, "sip:agent1@192.0.2.9");
  EXPECT_EQ(d->local_seq, 11u);
}

TEST(Dialog, ResponsesThatCreateNoDialogAreRefused) {
  struct Row {
    const char* rule;
    SipMessage response;
    const char* reason;
  };
  SipMessage untagged = make_response(invite(), 180);
  untagged.add_header("Contact", "<sip:x@h>");
  const std::vector<Row> rows{
      {"§12.1: a 100 creates none", make_response(invite(), 100, "b2"),
       "Bad Request (only a 101-299 response creates a dialog)"},
      {"§12.1: neither does a failure", answer(486), "Bad Request (only a 101-299 response "
                                                     "creates a dialog)"},
      {"§12.1: a response without a To tag creates none", untagged,
       "Bad Request (no To tag in the response)"},
      {"§12.1.2: the remote target is the Contact, which must be there", answer(200, ""),
       "Bad Request (missing Contact)"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.rule);
    auto d = uac_dialog(invite(), row.response);
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().reason, row.reason);
  }
}

TEST(Dialog, InDialogRequestsFollowSection12_2_1_1) {
  struct Row {
    const char* rule;
    std::vector<std::string> route_set;
    std::string request_uri;
    std::vector<std::string> routes;
  };
  const std::string target = "sip:alice@198.51.100.7:5060";
  const std::vector<Row> rows{
      {"empty route set: the remote target, no Route", {}, target, {}},
      {"loose router first: the remote target, the route set as Route",
       {"<sip:p2.example;lr>", "<sip:p1.example;lr>"},
       target,
       {"<sip:p2.example;lr>", "<sip:p1.example;lr>"}},
      {"strict router first: it is the Request-URI, the remote target the last Route",
       {"<sip:p2.example>", "<sip:p1.example;lr>"},
       "sip:p2.example",
       {"<sip:p1.example;lr>", "<" + target + ">"}},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.rule);
    auto d = uas_dialog(invite(), answer(200));
    ASSERT_TRUE(d);
    d->route_set = row.route_set;
    const SipMessage bye = make_in_dialog_request(*d, "BYE", our_via("z9hG4bKbye"));
    EXPECT_EQ(bye.request_uri, row.request_uri);
    EXPECT_EQ(values(bye, "Route"), row.routes);
  }
}

TEST(Dialog, ByeReInviteAndTheAckForA2xxCarryTheDialog) {
  auto d = uac_dialog(invite(), answer(200));
  ASSERT_TRUE(d);
  // §13.2.2.4: the ACK has the INVITE's CSeq number, its own branch, and moves nothing.
  const SipMessage ack = make_2xx_ack(*d, 10, our_via("z9hG4bKack"));
  EXPECT_EQ(serialize(ack),
            "ACK sip:ccteams@192.0.2.1:5060 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKack\r\n"
            "Max-Forwards: 70\r\n"
            "Route: <sip:p1.example;lr>\r\nRoute: <sip:p2.example;lr>\r\n"
            "From: \"Alice\" <sip:alice@carrier.example>;tag=a1\r\n"
            "To: <sip:+4930123456@ccteams.example>;tag=b2\r\n"
            "Call-ID: d-1\r\nCSeq: 10 ACK\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(d->local_seq, 10u);
  // §12.2.1.1: each new request one above the last; a re-INVITE refreshes our target.
  const SipMessage reinvite = make_in_dialog_request(*d, "INVITE", our_via("z9hG4bKre"));
  EXPECT_EQ(reinvite.header("CSeq"), "11 INVITE");
  EXPECT_EQ(reinvite.header("Contact"), "<sip:alice@198.51.100.7:5060>");
  const SipMessage bye = make_in_dialog_request(*d, "BYE", our_via("z9hG4bKbye"));
  EXPECT_EQ(bye.header("CSeq"), "12 BYE");
  EXPECT_FALSE(bye.has_header("Contact"));
  // The UAS's first request starts its empty local sequence.
  auto uas = uas_dialog(invite(), answer(200));
  ASSERT_TRUE(uas);
  EXPECT_EQ(make_in_dialog_request(*uas, "BYE", our_via("z9hG4bKb")).header("CSeq"), "1 BYE");
  EXPECT_EQ(make_in_dialog_request(*uas, "BYE", our_via("z9hG4bKb")).header("To"),
            "\"Alice\" <sip:alice@carrier.example>;tag=a1");
}

TEST(DialogTable, ReceivedRequestsFollowSection12_2_2) {
  struct Row {
    const char* rule;
    std::string method;
    std::string to_tag;
    std::uint32_t cseq;
    std::optional<int> reject;
    bool routed;
    std::uint32_t remote_seq_after;
  };
  const std::vector<Row> rows{
      {"a higher CSeq is accepted", "BYE", "b2", 11, std::nullopt, true, 11},
      {"not only one higher: requests in between may be lost", "INFO", "b2", 40, std::nullopt,
       true, 40},
      {"a lower CSeq is refused with 500", "BYE", "b2", 9, 500, false, 10},
      {"the ACK of the INVITE reuses its CSeq", "ACK", "b2", 10, std::nullopt, true, 10},
      {"an unknown dialog is refused with 481", "BYE", "zz", 11, 481, false, 10},
      {"an ACK of an unknown dialog is dropped, unanswered", "ACK", "zz", 10, std::nullopt,
       false, 10},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.rule);
    DialogTable table;
    auto d = uas_dialog(invite(), answer(200));
    ASSERT_TRUE(d);
    const DialogId id = d->id;
    table.add(std::move(*d));
    SipMessage request = invite();
    request.method = row.method;
    request.set_header("To", "<sip:+4930123456@ccteams.example>;tag=" + row.to_tag);
    request.set_header("CSeq", std::to_string(row.cseq) + " " + row.method);
    const auto verdict = table.route_request(request);
    EXPECT_EQ(verdict.reject, row.reject);
    EXPECT_EQ(verdict.dialog != nullptr, row.routed);
    EXPECT_EQ(table.find(id)->remote_seq, row.remote_seq_after);
  }
}

TEST(DialogTable, AReInviteReplacesTheRemoteTarget) {
  DialogTable table;
  auto d = uas_dialog(invite(), answer(200));
  ASSERT_TRUE(d);
  Dialog& stored = table.add(std::move(*d));
  SipMessage reinvite = invite();
  reinvite.set_header("To", "<sip:+4930123456@ccteams.example>;tag=b2");
  reinvite.set_header("CSeq", "11 INVITE");
  reinvite.set_header("Contact", "<sip:alice@198.51.100.8:5070>");
  EXPECT_EQ(table.route_request(reinvite).dialog, &stored);
  EXPECT_EQ(stored.remote_target, "sip:alice@198.51.100.8:5070");  // §12.2.2 target refresh
}

}  // namespace
}  // namespace ccteams::sip
