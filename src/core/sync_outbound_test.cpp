// Outbound presence intents (sync_outbound.hpp) as scripts: intents, clock ticks and Graph's
// answers in, the writes sent out.

#include "core/sync_outbound.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace ccteams::sync {
namespace {

const Timestamp kT0 = from_unix_millis(1'790'000'000'000);
constexpr UserId kAgent{42};
constexpr int kRenewMs = 24 * 60'000;  // 80 % of the default 30 minutes
constexpr int kExpiryMs = 30 * 60'000;

enum class Op { busy, clear, stale, tick, answer };
struct Step {
  Op op;
  int at_ms;
  WriteOutcome outcome = WriteOutcome::ok;  // answer only: for the write in flight
  std::optional<Millis> retry_after;
};
Step busy(int ms) { return {Op::busy, ms}; }
Step clear(int ms) { return {Op::clear, ms}; }
Step stale(int ms) { return {Op::stale, ms}; }  // ClearStaleTeamsBusy
Step tick(int ms) { return {Op::tick, ms}; }
Step answer(int ms, WriteOutcome o, std::optional<Millis> ra = std::nullopt) {
  return {Op::answer, ms, o, ra};
}

struct ScriptCase {
  std::string name;
  std::vector<Step> steps;
  std::vector<std::string> sent;  // "<ms> set", "<ms> set renew", "<ms> clear"
  bool entry_left = true;         // does the queue still track the agent at the end?
  std::size_t settled = 0;        // reports by take_settled() (a confirmed clear is not one)
};
void PrintTo(const ScriptCase& c, std::ostream* os) { *os << c.name; }
class OutboundScript : public ::testing::TestWithParam<ScriptCase> {};

TEST_P(OutboundScript, SendsTheExpectedWrites) {
  const auto& c = GetParam();
  PresenceBudget budget({});
  OutboundQueue q({}, budget);
  std::optional<OutboundWrite> in_flight;
  std::vector<std::string> sent;
  std::size_t settled = 0;
  for (const auto& s : c.steps) {
    const Timestamp now = kT0 + Millis{s.at_ms};
    switch (s.op) {
      case Op::busy:
        q.want_busy(kAgent, now);
        break;
      case Op::clear:
        q.want_clear(kAgent, now);
        break;
      case Op::stale:
        q.want_stale_clear(kAgent, now);
        break;
      case Op::tick:
        while (auto step = q.next(now).write) {
          ASSERT_FALSE(in_flight) << "two writes in flight for one agent";
          EXPECT_EQ(step->sent_at, now);
          std::string text =
              std::to_string(s.at_ms) + (step->kind == WriteKind::set_busy ? " set" : " clear");
          if (step->renewal) text += " renew";
          if (step->kind == WriteKind::set_busy) {
            EXPECT_EQ(step->expiration, Millis{kExpiryMs});
          }
          sent.push_back(text);
          in_flight = step;
        }
        break;
      case Op::answer:
        ASSERT_TRUE(in_flight) << "answer without a write at " << s.at_ms;
        q.on_result(now, *in_flight, s.outcome, s.retry_after);
        in_flight.reset();
        break;
    }
    settled += q.take_settled().size();
  }
  EXPECT_EQ(sent, c.sent);
  EXPECT_EQ(q.view(kAgent).has_value(), c.entry_left);
  EXPECT_EQ(settled, c.settled);
}

using O = WriteOutcome;
INSTANTIATE_TEST_SUITE_P(
    Cases, OutboundScript,
    ::testing::Values(
        ScriptCase{
            "SetThenClearBeforeSendingSendsNothing", {busy(0), clear(0), tick(0)}, {}, false, 1},
        ScriptCase{
            "SetThenClear",
            {busy(0), tick(0), answer(10, O::ok), clear(20), tick(20), answer(30, O::ok), tick(40)},
            {"0 set", "20 clear"},
            false},
        ScriptCase{"ClearWhileSetInFlightStillGoes",
                   {busy(0), tick(0), clear(5), tick(5), answer(10, O::ok), tick(10)},
                   {"0 set", "10 clear"}},
        ScriptCase{"ClearAfterThrottledSetSendsNothing",
                   {busy(0), tick(0), clear(5), answer(10, O::throttled, Millis{2000}), tick(10),
                    tick(3000)},
                   {"0 set"},
                   false,
                   1},
        ScriptCase{
            "ClearAfterFailedSetStillGoes",
            {busy(0), tick(0), clear(5), answer(10, O::failed), tick(10), tick(1009), tick(1010)},
            {"0 set", "1010 clear"}},
        ScriptCase{"BusyAgainBeforeTheClearWentCancelsIt",
                   {busy(0), tick(0), answer(0, O::ok), clear(10), busy(11), tick(11)},
                   {"0 set"}},
        // The clear settles the never-sent set (the app drops the mark unless the session is
        // wanted again by then, as it is here).
        ScriptCase{"LatestIntentWins", {busy(0), clear(1), busy(2), tick(2)}, {"2 set"}, true, 1},
        ScriptCase{"BusyTwiceIsOneWrite", {busy(0), tick(0), busy(1), tick(1)}, {"0 set"}},
        ScriptCase{"RenewsAtEightyPercent",
                   {busy(0), tick(0), answer(100, O::ok), tick(kRenewMs - 1), tick(kRenewMs),
                    answer(kRenewMs + 5, O::ok), tick(2 * kRenewMs)},
                   {"0 set", std::to_string(kRenewMs) + " set renew",
                    std::to_string(2 * kRenewMs) + " set renew"}},
        ScriptCase{"LapsedSessionNeedsNoClear",
                   {busy(0), tick(0), answer(0, O::ok), clear(10), tick(10), answer(20, O::failed),
                    tick(kExpiryMs)},
                   {"0 set", "10 clear"},
                   false,
                   1},
        ScriptCase{"RejectedSetIsGivenUp",
                   {busy(0), tick(0), answer(5, O::rejected), tick(100'000)},
                   {"0 set"},
                   false,
                   1},
        ScriptCase{"FailuresRetryWithBackoff",
                   {busy(0), tick(0), answer(0, O::failed), tick(999), tick(1000),
                    answer(1000, O::failed), tick(2999), tick(3000)},
                   {"0 set", "1000 set", "3000 set"}},
        ScriptCase{
            "ThrottleHonoursRetryAfter",
            {busy(0), tick(0), answer(0, O::throttled, Millis{5000}), tick(4999), tick(5000)},
            {"0 set", "5000 set"}},
        ScriptCase{"NotFoundOnClearCountsAsCleared",
                   {busy(0), tick(0), answer(0, O::failed), clear(1), tick(1000),
                    answer(1000, O::not_found), tick(5000)},
                   {"0 set", "1000 clear"},
                   false},
        // A session an earlier process may have left (the agent's durable mark).
        ScriptCase{"StaleClearSendsOneClear",
                   {stale(0), tick(0), answer(10, O::not_found), tick(20), tick(kExpiryMs)},
                   {"0 clear"},
                   false},
        ScriptCase{"StaleClearIsRetriedAfterAFailure",
                   {stale(0), tick(0), answer(0, O::failed), tick(999), tick(1000),
                    answer(1000, O::ok), tick(kExpiryMs)},
                   {"0 clear", "1000 clear"},
                   false},
        ScriptCase{"StaleClearNotConfirmedBeforeTheSessionLapsesSettles",
                   {stale(0), tick(0), answer(0, O::failed), tick(kExpiryMs)},
                   {"0 clear"},
                   false,
                   1},
        ScriptCase{"BusyAfterAStaleClearSetsInstead", {stale(0), busy(1), tick(1)}, {"1 set"}},
        ScriptCase{"StaleClearWhileASetIsInFlightClearsAfterIt",
                   {busy(0), tick(0), stale(5), tick(5), answer(10, O::ok), tick(10)},
                   {"0 set", "10 clear"}},
        ScriptCase{"ClearWithNothingKnownSettlesAtOnce", {clear(0), tick(0)}, {}, false, 1}),
    [](const auto& tp) { return tp.param.name; });

TEST(OutboundQueue, ConfirmedClearIsReported) {
  PresenceBudget budget({});
  OutboundQueue q({}, budget);
  q.want_busy(kAgent, kT0);
  auto set = q.next(kT0).write;
  ASSERT_TRUE(set);
  EXPECT_FALSE(q.on_result(kT0, *set, WriteOutcome::ok));
  q.want_clear(kAgent, kT0);
  auto clr = q.next(kT0).write;
  ASSERT_TRUE(clr);
  EXPECT_TRUE(q.on_result(kT0, *clr, WriteOutcome::ok));
}

TEST(OutboundQueue, AppliesTheStateMachineEffects) {
  PresenceBudget budget({});
  OutboundQueue q({}, budget);
  EXPECT_TRUE(q.apply_effect(SetTeamsBusy{kAgent}, kT0));
  EXPECT_FALSE(
      q.apply_effect(StateChanged{kAgent, AgentStatus::available, AgentStatus::reserved}, kT0));
  ASSERT_TRUE(q.view(kAgent));
  EXPECT_TRUE(q.view(kAgent)->wants_busy);
  EXPECT_TRUE(q.apply_effect(ClearTeamsBusy{kAgent}, kT0));
  EXPECT_FALSE(q.view(kAgent));  // nothing was sent, nothing to clear
}

TEST(OutboundQueue, WritesTakeTokensFromTheSharedBudget) {
  PresenceBudgetConfig bc;
  bc.graph_limit = 3;
  bc.share_percent = 100;
  PresenceBudget budget(bc);
  OutboundQueue q({}, budget);
  for (int i = 0; i < 5; ++i) q.want_busy(UserId{i}, kT0 + Millis{i});
  ASSERT_TRUE(budget.try_take(kT0));  // a bulk read took one
  std::vector<std::int64_t> order;
  OutboundStep step;
  while ((step = q.next(kT0 + Millis{10})).write) order.push_back(step.write->agent.value);
  EXPECT_EQ(order, (std::vector<std::int64_t>{0, 1}));  // earliest intent first
  EXPECT_EQ(step.next_at, kT0 + Millis{30'000});        // when the read's token leaves the window
  EXPECT_EQ(q.due_count(), 3u);
}

TEST(OutboundQueue, ForgetDropsTheWishAndIgnoresLateAnswers) {
  PresenceBudget budget({});
  OutboundQueue q({}, budget);
  q.want_busy(kAgent, kT0);
  auto w = q.next(kT0).write;
  ASSERT_TRUE(w);
  q.forget(kAgent);
  EXPECT_FALSE(q.on_result(kT0, *w, WriteOutcome::ok));
  EXPECT_FALSE(q.view(kAgent));
  EXPECT_FALSE(q.next(kT0 + Millis{kExpiryMs}).write);
}

TEST(OutboundConfig, KeepsGraphsExpirationBounds) {
  EXPECT_TRUE(validate(OutboundConfig{}));
  OutboundConfig c;
  c.session_duration = Millis{4 * 60'000};
  EXPECT_FALSE(validate(c));
  c.session_duration = Millis{5 * 60'000};
  EXPECT_TRUE(validate(c));
  c.session_duration = Millis{4 * 3'600'000 + 1};
  EXPECT_FALSE(validate(c));
  c = {};
  c.renew_percent = 100;
  EXPECT_FALSE(validate(c));
}

}  // namespace
}  // namespace ccteams::sync
