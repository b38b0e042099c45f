#include "app/telephony/call_service.hpp"

#include <gtest/gtest.h>

#include <set>

namespace ccteams::telephony {
namespace {

constexpr OrgId kOrg{1};
constexpr QueueId kSales{10};
constexpr UserId kAgent1{101};
constexpr UserId kAgent2{102};

// The legs: records what was asked, and counts the ports a call holds (one from the INVITE,
// one more while an agent's leg rings or talks) so that a test can prove none leaks.
struct FakeLegs final : CallLegs {
  std::vector<std::string> log;
  std::map<CallKey, int> ports;
  void opened(const CallKey& call) { ports[call] = 1; }
  std::size_t ports_in_use() const {
    std::size_t n = 0;
    for (const auto& [_, p] : ports) n += static_cast<std::size_t>(p);
    return n;
  }
  void answer_caller(const CallKey& c) override { log.push_back("answer " + c); }
  void reject_caller(const CallKey& c, int status, const std::string&) override {
    log.push_back("reject " + c + " " + std::to_string(status));
  }
  void hang_up_caller(const CallKey& c) override { log.push_back("bye " + c); }
  void play_queue_audio(const CallKey& c) override { log.push_back("music " + c); }
  void ring_agent(const CallKey& c, OrgId, UserId a, const std::string& caller) override {
    log.push_back("ring " + c + " " + std::to_string(a.value) + " " + caller);
    ++ports[c];
  }
  void cancel_agent(const CallKey& c, UserId a) override {
    log.push_back("cancel " + c + " " + std::to_string(a.value));
    if (ports[c] > 1) --ports[c];
  }
  void bridge(const CallKey& c, UserId a) override {
    log.push_back("bridge " + c + " " + std::to_string(a.value));
  }
  void release_media(const CallKey& c) override {
    log.push_back("release " + c);
    ports.erase(c);
  }
};

// The contact center: new_contact answers when the test says so, as the real one answers
// later on the organisation's strand; decisions are recorded.
struct FakeContacts final : CallContacts {
  std::set<OrgId> elsewhere;
  std::vector<std::function<void(Result<ContactId>)>> pending;
  std::vector<std::string> log;
  bool served(OrgId org) const override { return !elsewhere.contains(org); }
  void new_contact(OrgId, QueueId q, std::string caller,
                   std::function<void(Result<ContactId>)> done) override {
    log.push_back("new " + std::to_string(q.value) + " " + caller);
    pending.push_back(std::move(done));
  }
  void abandon(OrgId, ContactId c) override { log.push_back("abandon " + std::to_string(c.value)); }
  void end(OrgId, UserId a, ContactId c) override {
    log.push_back("end " + std::to_string(c.value) + " " + std::to_string(a.value));
  }
  void accept(OrgId, UserId a, ContactId c) override {
    log.push_back("accept " + std::to_string(c.value) + " " + std::to_string(a.value));
  }
  void decline(OrgId, UserId a, ContactId c) override {
    log.push_back("decline " + std::to_string(c.value) + " " + std::to_string(a.value));
  }
  void create(ContactId id) {
    auto done = std::move(pending.front());
    pending.erase(pending.begin());
    done(id);
  }
};

IncomingInvite from_trunk(std::string dialled, std::string from = "+12065550199") {
  return IncomingInvite{"carrier", false, std::move(dialled), std::move(from)};
}

ContactUpdate update(ContactId c, ContactStatus s, std::optional<UserId> agent = std::nullopt) {
  return ContactUpdate{kOrg, c, s, agent};
}

struct CallServiceTest : ::testing::Test {
  FakeLegs legs;
  FakeContacts contacts;
  CallService service{{{"+14255550100", kOrg, kSales}, {"+4930123456", OrgId{2}, QueueId{20}}},
                      legs,
                      contacts};

  // An INVITE to the sales number, routed, its port counted.
  void invite(const CallKey& key) {
    legs.opened(key);
    const auto d = service.incoming(key, from_trunk("+14255550100"));
    ASSERT_TRUE(std::holds_alternative<RouteToQueue>(d));
  }
};

TEST_F(CallServiceTest, RefusalsMakeNoCallAndAskNothing) {
  contacts.elsewhere.insert(OrgId{2});
  struct Row {
    IncomingInvite invite;
    int status;
  };
  const Row rows[] = {
      {IncomingInvite{std::nullopt, false, "+14255550100", "x"}, 403},
      {from_trunk("+14255550111"), 404},
      {from_trunk("+4930123456"), 503},
  };
  for (const auto& row : rows) {
    const auto d = service.incoming("call", row.invite);
    ASSERT_TRUE(std::holds_alternative<RefuseCall>(d));
    EXPECT_EQ(std::get<RefuseCall>(d).status, row.status);
  }
  EXPECT_TRUE(contacts.log.empty());
  EXPECT_EQ(service.counts().live, 0U);
  EXPECT_EQ(service.counts().refused, 3U);
}

TEST_F(CallServiceTest, AContactThenAnswerAndMusicThenTheCallerHangsUpAndItIsAbandoned) {
  invite("c1");
  EXPECT_EQ(contacts.log, std::vector<std::string>{"new 10 +12065550199"});
  EXPECT_TRUE(legs.log.empty()) << "not answered before the contact exists";
  contacts.create(ContactId{7});
  service.contact_changed(update(ContactId{7}, ContactStatus::queued));
  EXPECT_EQ(legs.log, (std::vector<std::string>{"answer c1", "music c1"}));
  service.caller_hung_up("c1");
  EXPECT_EQ(contacts.log.back(), "abandon 7");
  EXPECT_EQ(legs.log.back(), "release c1");
  service.contact_changed(update(ContactId{7}, ContactStatus::ended));
  EXPECT_EQ(service.counts().live, 0U);
  EXPECT_EQ(legs.ports_in_use(), 0U);
}

TEST_F(CallServiceTest, OfferedBeforeNewContactAnsweredStillRingsTheAgent) {
  invite("c1");
  // The new contact's own decision offered it at once; the hub told us before new_contact did.
  service.contact_changed(update(ContactId{7}, ContactStatus::queued));
  service.contact_changed(update(ContactId{7}, ContactStatus::offered, kAgent1));
  contacts.create(ContactId{7});
  EXPECT_EQ(legs.log,
            (std::vector<std::string>{"answer c1", "music c1", "ring c1 101 +12065550199"}));
}

TEST_F(CallServiceTest, RingAnswerBridgeThenTheAgentsPhoneHangsUp) {
  invite("c1");
  contacts.create(ContactId{7});
  service.contact_changed(update(ContactId{7}, ContactStatus::offered, kAgent1));
  service.device_answered("c1", kAgent1);
  EXPECT_EQ(contacts.log.back(), "accept 7 101");
  EXPECT_EQ(legs.log.back(), "bridge c1 101");
  service.contact_changed(update(ContactId{7}, ContactStatus::connected, kAgent1));
  service.device_hung_up("c1", kAgent1);
  EXPECT_EQ(contacts.log.back(), "end 7 101");
  const std::vector<std::string> tail(legs.log.end() - 2, legs.log.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"bye c1", "release c1"}));
  EXPECT_EQ(service.counts().live, 0U);
}

TEST_F(CallServiceTest, RonaCancelsTheRingAndTheNextAgentRings) {
  invite("c1");
  contacts.create(ContactId{7});
  service.contact_changed(update(ContactId{7}, ContactStatus::offered, kAgent1));
  service.contact_changed(update(ContactId{7}, ContactStatus::queued));  // RONA
  service.contact_changed(update(ContactId{7}, ContactStatus::offered, kAgent2));
  const std::vector<std::string> tail(legs.log.end() - 2, legs.log.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"cancel c1 101", "ring c1 102 +12065550199"}));
  // Busy: nothing is declined (a decline would make agent 2 Available and offer it the same
  // contact again at once); the offer runs to its RONA time, and the next agent rings then.
  const std::size_t contact_calls = contacts.log.size();
  const std::size_t leg_calls = legs.log.size();
  service.device_failed("c1", kAgent2);
  EXPECT_EQ(contacts.log.size(), contact_calls);
  EXPECT_EQ(legs.log.size(), leg_calls);
  service.contact_changed(update(ContactId{7}, ContactStatus::queued));  // RONA of agent 2
  EXPECT_EQ(legs.log.size(), leg_calls) << "the failed ring is not cancelled again";
  service.contact_changed(update(ContactId{7}, ContactStatus::offered, kAgent1));
  EXPECT_EQ(legs.log.back(), "ring c1 101 +12065550199");
}

TEST_F(CallServiceTest, TheContactCenterEndingTheContactHangsUpTheCaller) {
  invite("c1");
  contacts.create(ContactId{7});
  service.contact_changed(update(ContactId{7}, ContactStatus::offered, kAgent1));
  service.device_answered("c1", kAgent1);
  service.contact_changed(update(ContactId{7}, ContactStatus::ended));  // agent's desktop end
  const std::vector<std::string> tail(legs.log.end() - 3, legs.log.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"cancel c1 101", "bye c1", "release c1"}));
  EXPECT_EQ(service.counts().live, 0U);
}

TEST_F(CallServiceTest, CancelBeforeTheContactExistsAbandonsItWhenItArrives) {
  invite("c1");
  service.caller_hung_up("c1");
  EXPECT_EQ(legs.log, std::vector<std::string>{"release c1"});
  EXPECT_EQ(service.counts().live, 1U) << "kept until its contact arrives";
  contacts.create(ContactId{7});
  EXPECT_EQ(contacts.log.back(), "abandon 7");
  EXPECT_EQ(service.counts().live, 0U);
}

TEST_F(CallServiceTest, AnUnknownQueueRejectsTheCallerWith404) {
  invite("c1");
  auto done = std::move(contacts.pending.front());
  done(make_error(Errc::invalid_input, "queueId: no such queue"));
  EXPECT_EQ(legs.log, (std::vector<std::string>{"reject c1 404", "release c1"}));
  EXPECT_EQ(service.counts().live, 0U);
}

TEST_F(CallServiceTest, TheContactCentersRefusalsBecomeTheCallersStatus) {
  struct Row {
    Errc code;
    std::string want;
  };
  const Row rows[] = {{Errc::invalid_input, "reject c 404"},
                      {Errc::unavailable, "reject c 503"},
                      {Errc::internal, "reject c 500"}};
  for (const auto& row : rows) {
    legs.log.clear();
    invite("c");
    auto done = std::move(contacts.pending.front());
    contacts.pending.erase(contacts.pending.begin());
    done(make_error(row.code, "refused"));
    EXPECT_EQ(legs.log, (std::vector<std::string>{row.want, "release c"}));
  }
  EXPECT_EQ(service.counts().live, 0U);
}

TEST_F(CallServiceTest, NoPortLeaksOverManyCallsEndedEveryWay) {
  for (int i = 0; i < 200; ++i) {
    const CallKey key = "c" + std::to_string(i);
    const ContactId contact{1000 + i};
    invite(key);
    contacts.create(contact);
    switch (i % 5) {
      case 0:
        service.caller_hung_up(key);
        break;
      case 1:
        service.contact_changed(update(contact, ContactStatus::offered, kAgent1));
        service.caller_hung_up(key);
        break;
      case 2:
        service.contact_changed(update(contact, ContactStatus::offered, kAgent1));
        service.device_answered(key, kAgent1);
        service.caller_hung_up(key);
        break;
      case 3:
        service.contact_changed(update(contact, ContactStatus::offered, kAgent1));
        service.device_answered(key, kAgent1);
        service.device_hung_up(key, kAgent1);
        break;
      default:
        service.contact_changed(update(contact, ContactStatus::ended));
        break;
    }
  }
  EXPECT_EQ(legs.ports_in_use(), 0U);
  EXPECT_EQ(service.counts().live, 0U);
  EXPECT_EQ(service.counts().taken, 200U);
}

}  // namespace
}  // namespace ccteams::telephony
