#include "core/sip/sip_bindings.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/sip/sip_parser.hpp"

namespace ccteams::sip {
namespace {

using namespace std::chrono_literals;
const Timestamp kT0 = from_unix_millis(1'800'000'000'000);
const BindingSource kFrom{"UDP", "192.0.2.7", 5062};

// A REGISTER for agent1 with the given Contact and Expires lines ("" for none).
SipMessage reg(const std::string& contact, const std::string& expires = "",
               const std::string& call_id = "c1", int cseq = 1,
               const std::string& to = "<sip:agent1@127.0.0.1>") {
  std::string text =
      "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.7:5062;branch=z9hG4bK1\r\n"
      "From: " +
      to + ";tag=f\r\nTo: " + to + "\r\nCall-ID: " + call_id + "\r\nCSeq: " + std::to_string(cseq) +
      " REGISTER\r\n";
  if (!contact.empty()) text += "Contact: " + contact + "\r\n";
  if (!expires.empty()) text += "Expires: " + expires + "\r\n";
  auto m = parse_sip_message(text + "Content-Length: 0\r\n\r\n");
  EXPECT_TRUE(m) << m.error().reason;
  return *m;
}

struct Row {
  const char* rule;                // what and where in RFC 3261
  std::vector<SipMessage> before;  // applied first, each must be 200
  SipMessage request;
  int status;
  std::vector<std::string> contacts;  // in the 200
  std::optional<std::chrono::seconds> min_expires = std::nullopt;
};

TEST(SipBindings, RegisterRulesOfRfc3261Section10_3) {
  RegistrarLimits limits;
  limits.min_expires = 60s;
  limits.max_expires = 3600s;
  limits.default_expires = 1800s;
  limits.max_bindings_per_aor = 2;
  const std::vector<Row> rows = {
      {"§10.3 step 7: the Contact's expires parameter",
       {},
       reg("<sip:a@192.0.2.7>;expires=120"),
       200,
       {"<sip:a@192.0.2.7>;expires=120"}},
      {"§10.3 step 7: else the Expires header",
       {},
       reg("<sip:a@192.0.2.7>", "300"),
       200,
       {"<sip:a@192.0.2.7>;expires=300"}},
      {"§10.3 step 7: the parameter wins over the header",
       {},
       reg("<sip:a@192.0.2.7>;expires=90", "300"),
       200,
       {"<sip:a@192.0.2.7>;expires=90"}},
      {"§10.3 step 7: else the registrar's default",
       {},
       reg("<sip:a@192.0.2.7>"),
       200,
       {"<sip:a@192.0.2.7>;expires=1800"}},
      {"§10.3 step 7: longer than our maximum is shortened",
       {},
       reg("<sip:a@192.0.2.7>", "86400"),
       200,
       {"<sip:a@192.0.2.7>;expires=3600"}},
      {"§10.3 step 7, §21.4.17: below our minimum is 423 with Min-Expires",
       {},
       reg("<sip:a@192.0.2.7>", "30"),
       423,
       {},
       60s},
      {"§10.3 step 7: a parameter below our minimum is 423 too",
       {},
       reg("<sip:a@192.0.2.7>;expires=1"),
       423,
       {},
       60s},
      {"§20.19: a malformed Expires is 400", {}, reg("<sip:a@192.0.2.7>", "soon"), 400, {}},
      {"§10.3 step 8: no Contact is a query listing the bindings",
       {reg("<sip:a@192.0.2.7>", "600")},
       reg("", "", "c2"),
       200,
       {"<sip:a@192.0.2.7>;expires=600"}},
      {"§10.3 step 8: every binding is listed, other Contact parameters kept",
       {reg("<sip:a@192.0.2.7>", "600")},
       reg("<sip:b@192.0.2.8>;+sip.instance=\"x\"", "", "c2"),
       200,
       {"<sip:a@192.0.2.7>;expires=600", "<sip:b@192.0.2.8>;+sip.instance=\"x\";expires=1800"}},
      {"§10.3 step 7: expires 0 removes that binding only",
       {reg("<sip:a@192.0.2.7>, <sip:b@192.0.2.8>", "600")},
       reg("<sip:a@192.0.2.7>", "0", "c1", 2),
       200,
       {"<sip:b@192.0.2.8>;expires=600"}},
      {"§10.3 step 7: expires 0 on a contact never bound changes nothing",
       {},
       reg("<sip:a@192.0.2.7>;expires=0"),
       200,
       {}},
      {"§10.2.2: Contact * with Expires 0 removes all",
       {reg("<sip:a@192.0.2.7>, <sip:b@192.0.2.8>", "600")},
       reg("*", "0", "c1", 2),
       200,
       {}},
      {"§10.2.2, §10.3 step 6: Contact * without Expires 0 is 400", {}, reg("*", "60"), 400, {}},
      {"§10.3 step 6: Contact * without Expires at all is 400", {}, reg("*"), 400, {}},
      {"§10.3 step 6: Contact * beside another contact is 400",
       {},
       reg("*, <sip:a@192.0.2.7>", "0"),
       400,
       {}},
      {"§10.3 step 7: same Call-ID with a higher CSeq updates",
       {reg("<sip:a@192.0.2.7>", "600", "c1", 5)},
       reg("<sip:a@192.0.2.7>", "900", "c1", 6),
       200,
       {"<sip:a@192.0.2.7>;expires=900"}},
      {"§10.3 step 7: same Call-ID, CSeq not higher: the update fails (500)",
       {reg("<sip:a@192.0.2.7>", "600", "c1", 5)},
       reg("<sip:a@192.0.2.7>", "900", "c1", 5),
       500,
       {}},
      {"§10.3 step 7: a Contact * is ordered by CSeq too",
       {reg("<sip:a@192.0.2.7>", "600", "c1", 5)},
       reg("*", "0", "c1", 4),
       500,
       {}},
      {"§10.3 step 7: another Call-ID replaces the binding whatever its CSeq",
       {reg("<sip:a@192.0.2.7>", "600", "c1", 5)},
       reg("<sip:a@192.0.2.7>", "900", "c9", 1),
       200,
       {"<sip:a@192.0.2.7>;expires=900"}},
      {"§19.1.4: the host compares case-insensitively, the same binding",
       {reg("<sip:a@Phone.Example>", "600")},
       reg("<sip:a@phone.example>", "900", "c2"),
       200,
       {"<sip:a@phone.example>;expires=900"}},
      {"§19.1.4: another port is another binding",
       {reg("<sip:a@192.0.2.7:5062>", "600")},
       reg("<sip:a@192.0.2.7:5064>", "600", "c2"),
       200,
       {"<sip:a@192.0.2.7:5062>;expires=600", "<sip:a@192.0.2.7:5064>;expires=600"}},
      {"ours: more contacts than the bound is 403, nothing changes",
       {reg("<sip:a@192.0.2.7>, <sip:b@192.0.2.8>", "600")},
       reg("<sip:c@192.0.2.9>", "", "c2"),
       403,
       {}},
      {"§10.3 step 7: all or nothing: a 423 on one contact keeps the other unbound",
       {},
       reg("<sip:a@192.0.2.7>;expires=600, <sip:b@192.0.2.8>;expires=5"),
       423,
       {},
       60s},
      {"§10.3 step 6: a Contact that is no SIP URI is 400", {}, reg("<mailto:a@b>"), 400, {}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.rule);
    SipBindings table(limits);
    for (const SipMessage& m : row.before) {
      ASSERT_EQ(table.update("agent1", m, kFrom, kT0).status, 200);
    }
    const RegisterOutcome r = table.update("agent1", row.request, kFrom, kT0);
    EXPECT_EQ(r.status, row.status) << r.reason;
    if (row.status == 200) {
      EXPECT_EQ(r.contacts, row.contacts);
    }
    EXPECT_EQ(r.min_expires, row.min_expires);
    if (row.status != 200 && row.before.empty()) {
      EXPECT_TRUE(table.bindings("agent1", kT0).empty());  // a refusal changes nothing
    }
  }
}

TEST(SipBindings, RefusedUpdatesLeaveTheBindingsAsTheyWere) {
  RegistrarLimits limits;
  limits.max_bindings_per_aor = 1;
  SipBindings table(limits);
  ASSERT_EQ(table.update("agent1", reg("<sip:a@192.0.2.7>", "600", "c1", 5), kFrom, kT0).status,
            200);
  const auto before = table.bindings("agent1", kT0);
  EXPECT_EQ(table.update("agent1", reg("<sip:b@192.0.2.8>", "600", "c2"), kFrom, kT0).status, 403);
  EXPECT_EQ(table.update("agent1", reg("*", "0", "c1", 5), kFrom, kT0).status, 500);
  EXPECT_EQ(table.update("agent1", reg("<sip:a@192.0.2.7>", "5", "c1", 6), kFrom, kT0).status, 423);
  EXPECT_EQ(table.bindings("agent1", kT0), before);
}

TEST(SipBindings, BindingsExpireOnTheClockAndRememberTheirSource) {
  SipBindings table;
  const BindingSource tcp{"TCP", "192.0.2.9", 40123};
  ASSERT_EQ(table.update("agent1", reg("<sip:a@192.0.2.7>", "120"), tcp, kT0).status, 200);
  const auto bound = table.bindings("agent1", kT0 + 119s);
  ASSERT_EQ(bound.size(), 1u);
  EXPECT_EQ(bound[0].source, tcp);
  EXPECT_EQ(bound[0].contact.uri, "sip:a@192.0.2.7");
  EXPECT_EQ(bound[0].expires_at, kT0 + 120s);
  // The 200 of a later query lists the remaining time.
  const auto query = table.update("agent1", reg("", "", "c2"), kFrom, kT0 + 100s);
  EXPECT_EQ(query.contacts, (std::vector<std::string>{"<sip:a@192.0.2.7>;expires=20"}));
  EXPECT_TRUE(table.bindings("agent1", kT0 + 120s).empty());
  EXPECT_EQ(table.aor_count(), 0u);
  EXPECT_TRUE(table.bindings("agent2", kT0).empty());
}

TEST(AorUser, IsTheToUsersCanonicalForm) {
  EXPECT_EQ(*aor_user(reg("", "", "c", 1, "<sip:agent1@127.0.0.1;transport=tcp>")), "agent1");
  EXPECT_EQ(*aor_user(reg("", "", "c", 1, "\"A\" <sip:%61gent1@pbx.example:5070>")), "agent1");
  EXPECT_EQ(aor_user(reg("", "", "c", 1, "<sip:127.0.0.1>")).error().status, 400);
  EXPECT_EQ(aor_user(reg("", "", "c", 1, "<sip:%6@127.0.0.1>")).error().status, 400);
}

}  // namespace
}  // namespace ccteams::sip
