#include "core/sip/registrar.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/sip/md5.hpp"
#include "core/sip/sip_parser.hpp"

namespace ccteams::sip {
namespace {

using namespace std::chrono_literals;
const Timestamp kT0 = from_unix_millis(1'800'000'000'000);
const BindingSource kFrom{"UDP", "192.0.2.7", 5062};

// A keyed MAC for tests (production uses HMAC-SHA256, adapters/sip/sip_registrar.cpp).
std::string test_mac(std::string_view data) { return md5_hex("test-key:" + std::string(data)); }

SipMessage reg(const std::string& user = "agent1", const std::string& authorization = "",
               int cseq = 1, const std::string& contact = "<sip:agent1-x@192.0.2.7:5062>",
               const std::string& expires = "600") {
  std::string text =
      "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.7:5062;branch=z9hG4bK" +
      std::to_string(cseq) + "\r\nFrom: <sip:" + user + "@127.0.0.1>;tag=f\r\nTo: <sip:" + user +
      "@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: " + std::to_string(cseq) + " REGISTER\r\n";
  if (!contact.empty()) text += "Contact: " + contact + "\r\n";
  if (!expires.empty()) text += "Expires: " + expires + "\r\n";
  if (!authorization.empty()) text += "Authorization: " + authorization + "\r\n";
  auto m = parse_sip_message(text + "Content-Length: 0\r\n\r\n");
  EXPECT_TRUE(m) << m.error().reason;
  return *m;
}

struct Fixture {
  InMemorySipCredentials credentials{"ccteams"};
  Registrar registrar{credentials, test_mac};
  Fixture() {
    credentials.set_password("agent1", "secret1");
    credentials.set_password("agent2", "secret2");
  }
  // The challenge of a fresh 401 for `user`.
  DigestChallenge challenge(Timestamp now = kT0) {
    const SipMessage r = registrar.on_register(reg(), kFrom, now, "t");
    EXPECT_EQ(r.status_code, 401);
    auto c = parse_challenge(r.header("WWW-Authenticate").value_or(""));
    EXPECT_TRUE(c);
    return *c;
  }
  // agent1's REGISTER with right credentials for `c` and count nc, as registered at kT0.
  SipMessage registered(const DigestChallenge& c, std::uint32_t nc, int cseq,
                        const std::string& contact = "<sip:agent1-x@192.0.2.7:5062>",
                        const std::string& expires = "600") {
    return registrar.on_register(
        reg("agent1", answer(c, "agent1", "secret1", nc), cseq, contact, expires), kFrom, kT0, "t");
  }
  std::string answer(const DigestChallenge& c, const std::string& user, const std::string& pass,
                     std::uint32_t nc = 1, const std::string& uri = "sip:127.0.0.1") {
    return format_credentials(answer_challenge(c, user, pass, "REGISTER", uri, "0a4f113b", nc));
  }
};

TEST(Registrar, ChallengesThenRegistersWithTheRightPassword) {
  Fixture f;
  const SipMessage first = f.registrar.on_register(reg(), kFrom, kT0, "t");
  EXPECT_EQ(first.status_code, 401);
  const auto challenge = parse_challenge(*first.header("WWW-Authenticate"));
  ASSERT_TRUE(challenge);
  EXPECT_EQ(challenge->realm, "ccteams");
  EXPECT_TRUE(challenge->qop_auth);
  EXPECT_FALSE(challenge->stale);
  EXPECT_NE(first.header("WWW-Authenticate")->find("algorithm=MD5"), std::string_view::npos);
  const SipMessage ok = f.registrar.on_register(
      reg("agent1", f.answer(*challenge, "agent1", "secret1")), kFrom, kT0 + 1s, "t");
  EXPECT_EQ(ok.status_code, 200);
  EXPECT_EQ(ok.header_values("Contact"),
            (std::vector<std::string_view>{"<sip:agent1-x@192.0.2.7:5062>;expires=600"}));
  const auto bound = f.registrar.bindings("agent1", kT0 + 1s);
  ASSERT_EQ(bound.size(), 1u);
  EXPECT_EQ(bound[0].source, kFrom);
}

// One row per rule; each starts from a fresh challenge issued at kT0 and sends at `at`.
struct AuthRow {
  const char* rule;
  std::function<SipMessage(Fixture&, const DigestChallenge&)> request;
  Timestamp at;
  int status;
  bool stale = false;
};

TEST(Registrar, DigestRulesOfRfc2617AndRfc3261Section22) {
  const std::vector<AuthRow> rows = {
      {"§10.3 step 5: an AOR that is no extension is 404, before any challenge",
       [](Fixture&, const DigestChallenge&) { return reg("agent9"); }, kT0, 404},
      {"RFC 2617 §3.2.2: a wrong password is challenged again",
       [](Fixture& f, const DigestChallenge& c) {
         return reg("agent1", f.answer(c, "agent1", "wrong"));
       },
       kT0, 401},
      {"RFC 2617 §3.2.2: an unknown username is challenged again, like a wrong password",
       [](Fixture& f, const DigestChallenge& c) {
         return reg("agent1", f.answer(c, "nobody", "secret1"));
       },
       kT0, 401},
      {"§22.1: credentials for another realm are not ours: challenged",
       [](Fixture& f, const DigestChallenge& c) {
         DigestChallenge other = c;
         other.realm = "elsewhere";
         return reg("agent1", f.answer(other, "agent1", "secret1"));
       },
       kT0, 401},
      {"RFC 2617 §3.2.2.5: a digest uri other than the Request-URI is 400",
       [](Fixture& f, const DigestChallenge& c) {
         return reg("agent1", f.answer(c, "agent1", "secret1", 1, "sip:other.example"));
       },
       kT0, 400},
      {"RFC 2617 §3.2.1: a nonce we did not make (or altered) is challenged",
       [](Fixture& f, const DigestChallenge& c) {
         DigestChallenge forged = c;
         forged.nonce[0] = forged.nonce[0] == '0' ? '1' : '0';  // an earlier issue time
         return reg("agent1", f.answer(forged, "agent1", "secret1"));
       },
       kT0, 401},
      {"RFC 2617 §3.2.1: a nonce past its lifetime with right credentials: 401 stale=TRUE",
       [](Fixture& f, const DigestChallenge& c) {
         return reg("agent1", f.answer(c, "agent1", "secret1"));
       },
       kT0 + 300s, 401, true},
      {"RFC 2617 §3.2.1: stale only for right credentials",
       [](Fixture& f, const DigestChallenge& c) {
         return reg("agent1", f.answer(c, "agent1", "wrong"));
       },
       kT0 + 300s, 401},
      {"§10.3 step 3: agent2's credentials cannot register agent1: 403",
       [](Fixture& f, const DigestChallenge& c) {
         return reg("agent1", f.answer(c, "agent2", "secret2"));
       },
       kT0, 403},
      {"RFC 2617 §3.2.2: malformed Authorization is 400",
       [](Fixture&, const DigestChallenge&) { return reg("agent1", "Digest username=agent1"); },
       kT0, 400},
      {"RFC 2617 §3.2.2: not the Digest scheme is 400",
       [](Fixture&, const DigestChallenge&) { return reg("agent1", "Basic YWdlbnQxOnNlY3JldDE="); },
       kT0, 400},
      {"§22.4: credentials without qop=auth (RFC 2069 style) are 400",
       [](Fixture&, const DigestChallenge& c) {
         DigestChallenge no_qop = c;
         no_qop.qop_auth = false;
         return reg("agent1",
                    format_credentials(answer_challenge(no_qop, "agent1", "secret1", "REGISTER",
                                                        "sip:127.0.0.1", "", 1)));
       },
       kT0, 400},
      {"RFC 2617 §3.2.2: nc 00000000 never counts",
       [](Fixture& f, const DigestChallenge& c) {
         return reg("agent1", f.answer(c, "agent1", "secret1", 0));
       },
       kT0, 401},
      {"right credentials within the lifetime: 200",
       [](Fixture& f, const DigestChallenge& c) {
         return reg("agent1", f.answer(c, "agent1", "secret1"));
       },
       kT0 + 299s, 200},
  };
  for (const AuthRow& row : rows) {
    SCOPED_TRACE(row.rule);
    Fixture f;
    const DigestChallenge c = f.challenge();
    const SipMessage r = f.registrar.on_register(row.request(f, c), kFrom, row.at, "t");
    EXPECT_EQ(r.status_code, row.status) << r.reason;
    if (row.status == 401) {
      const auto again = parse_challenge(r.header("WWW-Authenticate").value_or(""));
      ASSERT_TRUE(again);
      EXPECT_EQ(again->stale, row.stale);
      EXPECT_NE(again->nonce, c.nonce);  // always a fresh nonce
    }
    if (row.status != 200) {
      EXPECT_TRUE(f.registrar.bindings("agent1", row.at).empty());
    }
  }
}

TEST(Registrar, NonceCountMustGrowPerNonce) {
  Fixture f;
  const DigestChallenge c = f.challenge();
  EXPECT_EQ(f.registered(c, 1, 1).status_code, 200);
  // The same nc again (a captured request replayed, even with a new CSeq) is refused.
  const SipMessage replay = f.registered(c, 1, 2);
  EXPECT_EQ(replay.status_code, 401);
  EXPECT_EQ(replay.reason, "Unauthorized (nonce count replayed)");
  // The next nc on the same nonce is fine; an nc may skip ahead, never go back.
  EXPECT_EQ(f.registered(c, 2, 3).status_code, 200);
  EXPECT_EQ(f.registered(c, 9, 4).status_code, 200);
  EXPECT_EQ(f.registered(c, 5, 5).status_code, 401);
  // Two clients given nonces in the same millisecond count apart.
  const DigestChallenge other = f.challenge();
  EXPECT_NE(other.nonce, c.nonce);
  EXPECT_EQ(
      f.registrar
          .on_register(reg("agent2", f.answer(other, "agent2", "secret2", 1), 1), kFrom, kT0, "t")
          .status_code,
      200);
}

TEST(Registrar, ForgottenNoncesAreStaleNeverReplayable) {
  InMemorySipCredentials credentials{"ccteams"};
  credentials.set_password("agent1", "secret1");
  DigestServerConfig digest;
  digest.max_tracked_nonces = 2;
  Registrar registrar{credentials, test_mac, {}, digest};
  const auto challenge = [&] {
    return *parse_challenge(
        *registrar.on_register(reg(), kFrom, kT0, "t").header("WWW-Authenticate"));
  };
  const auto answer = [](const DigestChallenge& c, std::uint32_t nc) {
    return format_credentials(
        answer_challenge(c, "agent1", "secret1", "REGISTER", "sip:127.0.0.1", "cn", nc));
  };
  const DigestChallenge a = challenge();
  const DigestChallenge b = challenge();
  const DigestChallenge c = challenge();
  int cseq = 1;
  for (const auto* n : {&a, &b, &c}) {
    EXPECT_EQ(
        registrar.on_register(reg("agent1", answer(*n, 1), cseq++), kFrom, kT0, "t").status_code,
        200);
  }
  EXPECT_EQ(registrar.digest().tracked_nonces(), 2u);
  // a was forgotten to make room: its nc=1 again would be a replay, so it is stale instead.
  const SipMessage r = registrar.on_register(reg("agent1", answer(a, 1), cseq++), kFrom, kT0, "t");
  EXPECT_EQ(r.status_code, 401);
  EXPECT_TRUE(parse_challenge(*r.header("WWW-Authenticate"))->stale);
  EXPECT_EQ(registrar.on_register(reg("agent1", answer(c, 2), cseq++), kFrom, kT0, "t").status_code,
            200);
}

TEST(Registrar, UnregisterWithExpiresZeroAfterAuthenticating) {
  Fixture f;
  const DigestChallenge c = f.challenge();
  ASSERT_EQ(f.registered(c, 1, 1).status_code, 200);
  const SipMessage gone = f.registered(c, 2, 2, "*", "0");
  EXPECT_EQ(gone.status_code, 200);
  EXPECT_FALSE(gone.has_header("Contact"));
  EXPECT_TRUE(f.registrar.bindings("agent1", kT0).empty());
  // An interval too brief comes back with Min-Expires.
  const SipMessage brief = f.registered(c, 3, 3, "<sip:a@192.0.2.7>", "10");
  EXPECT_EQ(brief.status_code, 423);
  EXPECT_EQ(brief.header("Min-Expires"), "60");
}

}  // namespace
}  // namespace ccteams::sip
