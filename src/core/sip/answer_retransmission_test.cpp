#include "core/sip/answer_retransmission.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace ccteams::sip {
namespace {

using std::chrono::milliseconds;

// When (since the first 2xx) the machine resends, and when it gives up; `ack_at`: the ACK
// arrives then (before the timer due at that instant).
struct Timeline {
  std::vector<long> resends_ms;
  std::optional<long> give_up_ms;
};
Timeline run(SipTimers timers, std::optional<long> ack_at = std::nullopt) {
  AnswerRetransmission m(timers);
  Timeline out;
  long now = 0;
  auto step = m.start();
  while (step.next) {
    now += step.next->count();
    if (ack_at && now >= *ack_at) m.on_ack();
    step = m.on_timer();
    if (step.resend) out.resends_ms.push_back(now);
    if (step.give_up) out.give_up_ms = now;
  }
  return out;
}

TEST(AnswerRetransmission, ResendsFromT1DoublingToT2UntilTheAckOr64T1) {
  struct Row {
    const char* rule;
    SipTimers timers;
    std::optional<long> ack_at;
    std::vector<long> resends_ms;
    std::optional<long> give_up_ms;
  };
  const std::vector<Row> rows{
      {"§13.3.1.4 defaults: T1, doubling to T2 = 4 s, give-up at 64*T1 = 32 s",
       SipTimers{},
       std::nullopt,
       {500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500},
       32000},
      {"the ACK stops the retransmissions, and nothing gives up",
       SipTimers{},
       3500,
       {500, 1500},
       std::nullopt},
      {"an ACK before the first timer: no resend at all", SipTimers{}, 1, {}, std::nullopt},
      {"short timers scale: T1 = 100 ms, T2 = 400 ms, give-up at 6.4 s",
       SipTimers{milliseconds(100), milliseconds(400), milliseconds(500)},
       std::nullopt,
       {100, 300, 700, 1100, 1500, 1900, 2300, 2700, 3100, 3500, 3900, 4300, 4700, 5100, 5500, 5900,
        6300},
       6400},
  };
  for (const auto& row : rows) {
    const Timeline r = run(row.timers, row.ack_at);
    EXPECT_EQ(r.resends_ms, row.resends_ms) << row.rule;
    EXPECT_EQ(r.give_up_ms, row.give_up_ms) << row.rule;
  }
}

TEST(AnswerRetransmission, ATimerAfterTheEndDoesNothing) {
  AnswerRetransmission m;
  EXPECT_EQ(m.on_timer(), AnswerRetransmission::Step{});  // not started
  m.start();
  m.on_ack();
  EXPECT_TRUE(m.acked());
  EXPECT_EQ(m.on_timer(), AnswerRetransmission::Step{});
}

}  // namespace
}  // namespace ccteams::sip
