#pragma once
// Outbound presence intents (DESIGN.md "Contact center -> Teams"): what the outbound writer
// sends to Graph, per agent, from the agent state machine's SetTeamsBusy / ClearTeamsBusy
// effects. Pure: a queue fed with "now" that says which write to send next and when.
//
// Rules:
//  * Latest intent wins: per agent only the newest wish (busy or clear) is kept; one write per
//    agent is in flight at a time, and the wish is re-examined when it returns.
//  * A wish that would change nothing is dropped: Busy then clear before anything was sent sends
//    nothing, as long as our session is known to show nothing in Teams. If a set is in flight, or
//    applied, or failed in a way that may have applied it (timeout, 5xx), the clear still goes:
//    Graph's 404 for a session that does not exist counts as done (graph-protocol.md §3.4).
//  * Renewal: setPresence's expirationDuration is PT5M..PT4H; while the agent still wants Busy the
//    session is set again at renew_percent of its duration (80 %: 24 of 30 min), before it lapses.
//    A session whose expiry has passed shows nothing any more (§3.3), so no clear is sent for it.
//  * Failures are retried with exponential backoff (retry_initial doubling to retry_max); a 429
//    honours Retry-After and is reported to the shared budget; a refused write (400/403: e.g. the
//    user has no Teams) is given up after one attempt, as repeating it cannot help.
//  * Budget: every write takes a token from the PresenceBudget that the bulk reads also use
//    (sync_budget.hpp says why one budget and how reads leave a reserve to writes).
//  * Order: the agent whose write is due earliest goes first.
//  * A session an earlier process may have left (ClearStaleTeamsBusy: the agent's durable mark,
//    core/agent_state.hpp) counts as shown-unknown until it would have lapsed, so one clear goes.
//  * Settled: an agent that wants nothing and is known to show nothing any more without a
//    confirmed clear (the set was never sent, the session lapsed, a write was refused) is
//    reported once by take_settled(), so the app can drop its durable mark; a confirmed clear is
//    reported by on_result() instead.
//
// Ownership: keeps a reference to the budget, which must outlive the queue.
// Thread-safety: none; the org's presence-sync strand drives it.

#include <cstdint>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/agent_state.hpp"
#include "core/ids.hpp"
#include "core/sync_budget.hpp"
#include "core/time.hpp"

namespace ccteams::sync {

struct OutboundConfig {
  Millis session_duration{30 * 60'000};  // setPresence expirationDuration, PT5M..PT4H
  int renew_percent = 80;                // renew at this share of session_duration (10..95)
  Millis retry_initial{1'000};
  Millis retry_max{60'000};
};

// invalid_input when session_duration is outside 5 min..4 h, renew_percent outside 10..95, or
// the retry durations are not positive and ordered.
Result<void> validate(const OutboundConfig& config);

enum class WriteKind : std::uint8_t { set_busy, clear };

struct OutboundWrite {
  UserId agent;
  WriteKind kind = WriteKind::set_busy;
  Millis expiration{};   // set_busy: the expirationDuration to send; zero for clear
  bool renewal = false;  // set_busy while our session already shows Busy
  Timestamp sent_at;
};

struct OutboundStep {
  std::optional<OutboundWrite> write;  // send this now: a budget token was taken
  std::optional<Timestamp> next_at;    // call next() again then; nullopt: nothing is pending
};

enum class WriteOutcome : std::uint8_t {
  ok,         // 200
  not_found,  // 404 to clearPresence: the session was already gone (counts as cleared)
  throttled,  // 429 (or 503 with Retry-After)
  failed,     // 5xx, timeout, transport: it may or may not have been applied
  rejected,   // any other 4xx: Graph will not accept this write; given up
};

// What we know our session shows in Teams for the agent.
enum class SessionShown : std::uint8_t { nothing, busy, unknown };

struct OutboundAgentView {  // for metrics and tests
  bool wants_busy = false;
  SessionShown shown = SessionShown::nothing;
  std::optional<Timestamp> expires_at;  // busy/unknown: when Graph lets the session lapse
  bool in_flight = false;
  std::optional<Timestamp> due;
  int failures = 0;
};

class OutboundQueue {
 public:
  // config must be valid (validate()). budget: not owned, must outlive the queue.
  OutboundQueue(OutboundConfig config, PresenceBudget& budget);

  void want_busy(UserId agent, Timestamp now);
  void want_clear(UserId agent, Timestamp now);
  // A session an earlier process may have left shows until at most now + session_duration (it
  // was set before now): a clear is sent unless a write of ours is already under way.
  void want_stale_clear(UserId agent, Timestamp now);
  // SetTeamsBusy -> want_busy, ClearTeamsBusy -> want_clear, ClearStaleTeamsBusy ->
  // want_stale_clear; other effects: false, ignored.
  bool apply_effect(const AgentEffect& effect, Timestamp now);

  // The next write due at `now`, if the budget gives a token.
  OutboundStep next(Timestamp now);

  // The answer to `write` (as returned by next()). retry_after: the 429's header.
  // Returns true when Graph confirmed the session cleared (ok or 404 to a clear): the app then
  // feeds TeamsBusyCleared{now} to the agent state machine (rule 5's echo window).
  bool on_result(Timestamp now, const OutboundWrite& write, WriteOutcome outcome,
                 std::optional<Millis> retry_after = std::nullopt);

  // The agent is gone (deleted, sync switched off after its clear): its wish is dropped.
  void forget(UserId agent);

  // The agents settled since the last call (see "Settled" above), oldest first.
  std::vector<UserId> take_settled() { return std::exchange(settled_, {}); }

  std::optional<OutboundAgentView> view(UserId agent) const;
  std::size_t agents() const { return entries_.size(); }  // agents with a wish or a session
  std::size_t due_count() const { return due_.size(); }

 private:
  struct Entry {
    bool wants_busy = false;
    SessionShown shown = SessionShown::nothing;
    std::optional<Timestamp> expires_at;
    std::optional<Timestamp> renew_at;
    std::optional<Timestamp> not_before;  // backoff after a failure
    std::optional<Timestamp> due;         // mirrors the entry in due_
    bool in_flight = false;
    int failures = 0;
  };

  // When the entry next needs a write (nullopt: nothing to send), given what it shows at now.
  std::optional<Timestamp> needs_write(Entry& e, Timestamp now) const;
  // Recomputes and re-indexes the entry's due time; erases an entry with nothing left to do,
  // reporting it settled unless a confirmed clear (on_result's answer) reports it.
  void reschedule(UserId agent, Timestamp now, bool confirmed = false);
  Millis backoff(int failures) const;

  OutboundConfig config_;
  PresenceBudget& budget_;
  std::unordered_map<UserId, Entry> entries_;
  std::set<std::pair<Timestamp, UserId>> due_;
  std::vector<UserId> settled_;
};

}  // namespace ccteams::sync
