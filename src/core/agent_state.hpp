#pragma once
// The agent state machine (DESIGN.md concepts and presence sync rules 1-5). Pure: the caller
// passes the time, persists the returned state and carries out the returned effects.
//
// States: LoggedOut, Available, Idle(idleCode, origin), Reserved(contact), Engaged(contact),
// WrapUp(contact). Every command is checked; a refused one is Errc::conflict with a sentence the
// desktop can show ("agent is Engaged; end or transfer the contact first").
//
// Presence sync, inbound (PresenceChanged), in the order apply() checks it:
//  0. Ordering: an update whose sequenceNumber is older than the last one seen is dropped, the
//     same stamp again is a duplicate and changes nothing (compare_sequence in presence.hpp).
//     Every other update is recorded as `teams_presence` (what Teams shows, for supervisors).
//  5. Own-session echo: our app session sets Busy/InACall while the agent is Reserved/Engaged.
//     A Busy/InACall update is attributed to us, and ignored by the rules below, while that
//     session is wanted (own_session.active) or until kOwnSessionEchoWindow after we last asked
//     to clear it (own_session.cleared_at, moved later by TeamsBusyCleared when Graph confirms).
//     The window covers Graph's notification latency (at most 1 min) and a delayed clear. It
//     ends early once an update received since the clear shows the user without our session
//     (anything but Busy/InACall): Graph's aggregate has the clear, so a Busy/InACall after it
//     is the user's own, typically a Teams call taken right after the contact (rona_day
//     measured that case as most of the RONA the 2-minute window left).
//     An echo does not change the baseline, so once the window is over a real Busy/InACall
//     (e.g. the agent took a Teams call right after the contact) is seen as a change by the
//     next bulk read and applied: the cost of rule 5 is at most the window's delay in that case.
//  Edge trigger: the rules act only on a CHANGE of the user's own presence: `baseline` is the
//     last non-echo presence; an update equal to it does nothing. Login and SyncEnabled forget
//     the baseline so that the first read after them is applied (the "first sync").
//  1. Available + change to a mapped presence -> Idle(mapped code, presence_sync).
//  2. Idle(_, presence_sync) + change to an unmapped presence -> Available; to another mapped
//     presence -> Idle(that code, presence_sync) (sync may redo what sync did).
//  3. Reserved/Engaged/WrapUp: the change is remembered (`remembered`), not applied. When the
//     contact is over for the agent (Decline, the caller hanging up while ringing, ContactEnded
//     without wrap-up, WrapUpDone) a remembered mapped presence gives Idle(code, presence_sync),
//     otherwise the agent is Available. RONA gives Idle(RONA, rona) regardless (rule 4).
//  4. Idle(_, manual|rona|system|supervisor) is never changed by sync. A manual Available stands
//  until the
//     next Teams change (edge trigger).
//  With sync off (SyncDisabled, the default) presence is only recorded.
//  Across restarts (the durable mark): own_session.may_show_since is set, and stored with the
//     agent's state, in the decision that first wants our session (SetTeamsBusy), so it is on
//     disk before the app sends setPresence; it is dropped only once the app knows the session
//     shows nothing (TeamsBusyCleared: Graph confirmed the clear; OwnSessionGone: the session was
//     never sent, has lapsed or was refused) while it is not wanted again. A process killed in
//     between leaves the mark. SyncEnabled for an agent with a mark who does not want the
//     session (no contact, or a repair at start released it) treats it as a clear asked now:
//     cleared_at = now (rule 5's window covers the first sync, which may read our Busy/InACall)
//     and ClearStaleTeamsBusy (the app sends a clearPresence although this process never set
//     the session). So only agents with a mark cost a Graph call at start.
//  Known limit of aggregation: while our session shows Busy, a user who goes DND and back to
//  Available during a contact is last seen as DND (Teams then shows our Busy, an echo), so the
//  contact ends in Idle(DND code, presence_sync); the Available that Teams reports once our
//  session is cleared ends that idle by rule 2.
//
// Outbound: entering Reserved with sync on emits SetTeamsBusy; leaving Reserved/Engaged for
// anything but Engaged emits ClearTeamsBusy; SyncEnabled with a mark and no session wanted emits
// ClearStaleTeamsBusy. The app coalesces these per agent (latest wins).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/ids.hpp"
#include "core/presence.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace ccteams {

enum class AgentStatus : std::uint8_t { logged_out, available, idle, reserved, engaged, wrap_up };
enum class IdleOrigin : std::uint8_t { manual, presence_sync, rona, system, supervisor };
enum class PresenceChannel : std::uint8_t { poll, notification };

// API spellings: "LoggedOut", "Available", "Idle", "Reserved", "Engaged", "WrapUp";
// origins "manual", "presence_sync", "rona", "system", "supervisor"; channels "poll", "notification".
std::string_view agent_status_name(AgentStatus s);
std::optional<AgentStatus> parse_agent_status(std::string_view name);
std::string_view idle_origin_name(IdleOrigin o);
std::optional<IdleOrigin> parse_idle_origin(std::string_view name);
std::string_view presence_channel_name(PresenceChannel c);
std::optional<PresenceChannel> parse_presence_channel(std::string_view name);

// See rule 5 above. 2 minutes: Graph's documented maximum notification latency is 1 minute.
inline constexpr Millis kOwnSessionEchoWindow{std::chrono::minutes{2}};

// One presence update as it reached us.
struct ObservedPresence {
  Presence presence;
  Timestamp seen_at;            // when we received it (used for the echo window)
  PresenceChannel channel = PresenceChannel::poll;
  std::string sequence_number;  // Graph's stamp; empty when absent
  friend bool operator==(const ObservedPresence&, const ObservedPresence&) = default;
};

struct RememberedPresence {  // rule 3
  Presence presence;
  std::optional<IdleCodeId> mapped_code;  // the mapping's answer when it was seen
  friend bool operator==(const RememberedPresence&, const RememberedPresence&) = default;
};

struct OwnSession {  // rule 5: what our app's Teams presence session is doing
  bool active = false;                  // we want Busy/InACall shown (Reserved/Engaged)
  std::optional<Timestamp> cleared_at;  // last time we asked to clear it (or Graph confirmed)
  // Stored (the only stored part): our session may show in Teams since then, possibly left by a
  // process that was killed. See "Across restarts" above.
  std::optional<Timestamp> may_show_since;
  friend bool operator==(const OwnSession&, const OwnSession&) = default;
};

struct AgentState {
  UserId agent;
  AgentStatus status = AgentStatus::logged_out;
  std::optional<IdleCodeId> idle_code;  // set exactly when status == idle
  std::optional<IdleOrigin> origin;     // set exactly when status == idle
  std::optional<ContactId> contact;     // set exactly when reserved, engaged or wrap_up
  // When status/code/origin/contact last changed; nullopt only for an agent who has never
  // logged in (the API shows null, not 1970).
  std::optional<Timestamp> since;

  bool sync_enabled = false;                    // the effective presence-sync gate for this agent
  std::optional<ObservedPresence> teams_presence;  // last update seen (echoes included)
  std::optional<Presence> baseline;             // last non-echo presence: the edge trigger
  std::optional<RememberedPresence> remembered; // rule 3
  OwnSession own_session;                       // rule 5

  friend bool operator==(const AgentState&, const AgentState&) = default;
};

// since: nullopt for an agent never seen before.
AgentState logged_out_agent(UserId agent, std::optional<Timestamp> since);

// ---- events (commands from the desktop, the router, timers and the presence pipeline) ----
struct Login { std::optional<IdleCodeId> idle_code; };  // none: Available; else Idle(code, manual)
struct Logout {};
struct SetAvailable {};                       // manual
struct SetIdle { IdleCodeId idle_code; };     // manual; check_manual_idle_code() first
struct Offer { ContactId contact; std::chrono::seconds rona_timeout; };
struct Accept { ContactId contact; };
struct Decline { ContactId contact; };
struct OfferWithdrawn { ContactId contact; };  // caller hung up while ringing
struct RonaTimeout { ContactId contact; IdleCodeId rona_code; };
struct ContactEnded { ContactId contact; std::chrono::seconds wrap_up; };  // incl. transferred away
struct WrapUpDone { ContactId contact; };
struct PresenceChanged {
  ObservedPresence observed;
  std::optional<IdleCodeId> mapped_code;  // mapping.lookup(observed.presence)
};
struct TeamsBusyCleared { Timestamp confirmed_at; };  // Graph acknowledged our clearPresence
// The app knows our session shows nothing without a confirmed clear: its set was never sent,
// it lapsed at its expiry, or Graph refused it. Drops the durable mark unless the session is
// wanted again.
struct OwnSessionGone {};
// A supervisor (or admin) sets the agent Available (no code) or Idle(code, supervisor). Allowed
// from Available, Idle and WrapUp (ending the wrap-up); with a contact ringing or connected the
// contact must be dealt with first (its own commands, a forced end or re-queue, or ForceLogout).
struct SupervisorSet { std::optional<IdleCodeId> idle_code; };
// Logs the agent out from any state: the way out that always works. A ringing offer's timer is
// cancelled and our Teams session cleared; the app settles the agent's contact in the same
// decision (re-queued or released: app/contact_center.hpp says how).
struct ForceLogout {};
struct SyncEnabled {};
struct SyncDisabled {};

using AgentEvent =
    std::variant<Login, Logout, SetAvailable, SetIdle, Offer, Accept, Decline, OfferWithdrawn,
                 RonaTimeout, ContactEnded, WrapUpDone, PresenceChanged, TeamsBusyCleared,
                 SyncEnabled, SyncDisabled, SupervisorSet, ForceLogout, OwnSessionGone>;

// Convenience: the PresenceChanged event for this update under this mapping.
PresenceChanged presence_changed(ObservedPresence observed, const PresenceMapping& mapping);

// ---- effects (values the app carries out, in order) ----
struct SetTeamsBusy { UserId agent; };    // setPresence Busy/InACall with our session id
struct ClearTeamsBusy { UserId agent; };  // clearPresence of our session
// clearPresence of a session an earlier process may have left (the durable mark): sent although
// this process never set it; Graph's 404 means there was none.
struct ClearStaleTeamsBusy { UserId agent; };
struct StartRonaTimer { ContactId contact; Timestamp deadline; };
struct CancelRonaTimer { ContactId contact; };
struct StartWrapUpTimer { ContactId contact; Timestamp deadline; };  // WrapUpDone at the deadline
struct RequeueContact { ContactId contact; };  // declined or RONA: back in its queue, same place
struct StateChanged { UserId agent; AgentStatus from; AgentStatus to; };  // persist + publish
struct TeamsPresenceUpdated { UserId agent; };  // what Teams shows changed: publish to supervisors

using AgentEffect = std::variant<SetTeamsBusy, ClearTeamsBusy, StartRonaTimer, CancelRonaTimer,
                                 StartWrapUpTimer, RequeueContact, StateChanged,
                                 TeamsPresenceUpdated, ClearStaleTeamsBusy>;

// The new state (always the whole value: keep it, even when effects is empty, as bookkeeping
// such as the sequence stamp or the echo window may have moved) and the effects in order.
struct Transition {
  AgentState state;
  std::vector<AgentEffect> effects;
};

// Applies one event. Errors: conflict when the current state forbids the event (the message
// names the state and what to do); nothing else. Presence updates never fail: dropped ones
// return the state unchanged (see classify_presence for why).
Result<Transition> apply(const AgentState& state, const AgentEvent& event, Timestamp now);

// What a PresenceChanged does to this state, for metrics and tests.
enum class PresenceOutcome : std::uint8_t {
  stale,       // older sequenceNumber: dropped
  duplicate,   // same sequenceNumber: dropped
  recorded,    // logged out or sync off: only teams_presence/baseline updated
  own_echo,    // rule 5: attributed to our own session
  unchanged,   // equal to the baseline: not a change
  remembered,  // rule 3
  applied,     // rules 1/2 changed the agent's state
  kept,        // a change, but the rules leave the state alone (rule 4, or unmapped while Available)
};
PresenceOutcome classify_presence(const AgentState& state, const PresenceChanged& event);
std::string_view presence_outcome_name(PresenceOutcome o);

// Rule 5's test, exposed for the app's metrics: is this presence our own session's doing?
bool attributed_to_own_session(const AgentState& state, const Presence& presence, Timestamp at);

}  // namespace ccteams
