#include "adapters/sip/sip_registrar.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "adapters/sip/udp_sip_test_peer.hpp"
#include "core/sip/digest.hpp"

namespace ccteams::sip {
namespace {

using namespace std::chrono_literals;

// REGISTER over loopback UDP against a SipServer with the registrar, on simulated time.
struct RegistrarFixture : UdpSipPeer {
  InMemorySipCredentials credentials{"ccteams"};
  SipRegistrar registrar{time, credentials};
  int cseq = 0;

  RegistrarFixture() {
    credentials.set_password("agent1", "demo-password");
    server->set_register_handler(registrar.handler());
  }
  std::string contact() const {
    return "<sip:agent1-0x1@127.0.0.1:" + std::to_string(client.local_endpoint().port()) + ">";
  }
  // A REGISTER for agent1 (a new transaction each: branch and CSeq grow).
  std::string reg(const std::string& authorization, const std::string& expires = "600",
                  const std::string& contact_value = "") {
    ++cseq;
    const std::string port = std::to_string(client.local_endpoint().port());
    std::string text = "REGISTER sip:127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:" + port +
                       ";branch=z9hG4bK-r" + std::to_string(cseq) +
                       ";rport\r\nFrom: <sip:agent1@127.0.0.1>;tag=1\r\n"
                       "To: <sip:agent1@127.0.0.1>\r\nCall-ID: reg-1\r\nCSeq: " +
                       std::to_string(cseq) + " REGISTER\r\nContact: " +
                       (contact_value.empty() ? contact() : contact_value) +
                       "\r\nExpires: " + expires + "\r\n";
    if (!authorization.empty()) text += "Authorization: " + authorization + "\r\n";
    return text + "Content-Length: 0\r\n\r\n";
  }
  // Sends a REGISTER without credentials and returns the challenge of its 401.
  DigestChallenge challenge() {
    send(reg(""));
    const auto r = receive();
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status_code, 401);
    auto c = parse_challenge(r->header("WWW-Authenticate").value_or(""));
    EXPECT_TRUE(c);
    return c.value_or(DigestChallenge{});
  }
  std::string answer(const DigestChallenge& c, std::uint32_t nc,
                     const std::string& password = "demo-password") {
    return format_credentials(
        answer_challenge(c, "agent1", password, "REGISTER", "sip:127.0.0.1", "c0ffee", nc));
  }
};

TEST(SipServerRegistrar, ChallengesThenBindsTheContactWithItsSourceAddress) {
  RegistrarFixture f;
  const DigestChallenge c = f.challenge();
  EXPECT_EQ(c.realm, "ccteams");
  f.send(f.reg(f.answer(c, 1)));
  const auto ok = f.receive();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status_code, 200);
  EXPECT_EQ(ok->header_values("Contact"),
            (std::vector<std::string_view>{f.contact() + ";expires=600"}));
  const auto bound = f.registrar.bindings("agent1");
  ASSERT_EQ(bound.size(), 1u);
  EXPECT_EQ(bound[0].source, (BindingSource{"UDP", "127.0.0.1", f.client.local_endpoint().port()}));
  // The binding lapses on the clock, with no timer of its own.
  f.time.run_for(f.io, 600s);
  EXPECT_TRUE(f.registrar.bindings("agent1").empty());
}

TEST(SipServerRegistrar, WrongPasswordIsChallengedAgainAndBindsNothing) {
  RegistrarFixture f;
  const DigestChallenge c = f.challenge();
  f.send(f.reg(f.answer(c, 1, "guess")));
  const auto r = f.receive();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code, 401);
  EXPECT_FALSE(parse_challenge(*r->header("WWW-Authenticate"))->stale);
  EXPECT_TRUE(f.registrar.bindings("agent1").empty());
}

TEST(SipServerRegistrar, ExpiredNonceIsAnsweredStaleAndTheNewOneWorks) {
  RegistrarFixture f;
  const DigestChallenge c = f.challenge();
  f.time.run_for(f.io, 301s);
  f.send(f.reg(f.answer(c, 1)));
  const auto r = f.receive();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code, 401);
  const auto fresh = parse_challenge(*r->header("WWW-Authenticate"));
  ASSERT_TRUE(fresh);
  EXPECT_TRUE(fresh->stale);
  f.send(f.reg(f.answer(*fresh, 1)));
  const auto ok = f.receive();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status_code, 200);
}

TEST(SipServerRegistrar, ReplayedNonceCountIsRefused) {
  RegistrarFixture f;
  const DigestChallenge c = f.challenge();
  const std::string credentials = f.answer(c, 1);
  f.send(f.reg(credentials));
  ASSERT_EQ(f.receive()->status_code, 200);
  // The same credentials in a new transaction (a captured REGISTER sent again).
  f.send(f.reg(credentials, "0"));
  const auto replay = f.receive();
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status_code, 401);
  EXPECT_EQ(f.registrar.bindings("agent1").size(), 1u);  // the unregister did not happen
}

TEST(SipServerRegistrar, UnregisterWithExpiresZeroRemovesEveryBinding) {
  RegistrarFixture f;
  const DigestChallenge c = f.challenge();
  f.send(f.reg(f.answer(c, 1)));
  ASSERT_EQ(f.receive()->status_code, 200);
  f.send(f.reg(f.answer(c, 2), "0", "*"));
  const auto gone = f.receive();
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status_code, 200);
  EXPECT_FALSE(gone->has_header("Contact"));
  EXPECT_TRUE(f.registrar.bindings("agent1").empty());
}

TEST(SipServerRegistrar, OptionsListsRegisterInAllow) {
  RegistrarFixture f;
  f.send(f.request("OPTIONS", "z9hG4bK-o1"));
  const auto r = f.receive();
  ASSERT_TRUE(r);
  EXPECT_EQ(
      r->header_values("Allow"),
      (std::vector<std::string_view>{"INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER"}));
}

TEST(SipServerRegistrar, WithoutARegistrarRegisterIs405) {
  UdpSipPeer f;
  f.send(f.request("REGISTER", "z9hG4bK-n1"));
  const auto r = f.receive();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status_code, 405);
}

}  // namespace
}  // namespace ccteams::sip
