#include "core/agent_state.hpp"

#include <algorithm>
#include <array>
#include <type_traits>
#include <utility>

namespace ccteams {
namespace {

constexpr std::array<std::string_view, 6> kStatusNames{"LoggedOut", "Available", "Idle",
                                                       "Reserved",  "Engaged",   "WrapUp"};
constexpr std::array<std::string_view, 5> kOriginNames{"manual", "presence_sync", "rona", "system",
                                                       "supervisor"};
constexpr std::array<std::string_view, 2> kChannelNames{"poll", "notification"};

template <class E, std::size_t N>
std::optional<E> parse_name(const std::array<std::string_view, N>& names, std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return std::nullopt;
}

bool holds_contact(AgentStatus s) {
  return s == AgentStatus::reserved || s == AgentStatus::engaged || s == AgentStatus::wrap_up;
}

std::string id_text(ContactId c) { return std::to_string(c.value); }

// The refusal sentence for a command the current state forbids.
Error refuse(const AgentState& s, std::string_view command) {
  std::string msg = "agent is " + std::string(agent_status_name(s.status)) + "; ";
  switch (s.status) {
    case AgentStatus::logged_out: msg += "log in first"; break;
    case AgentStatus::reserved: msg += "accept or decline the offered contact first"; break;
    case AgentStatus::engaged: msg += "end or transfer the contact first"; break;
    case AgentStatus::wrap_up: msg += "finish wrap-up first"; break;
    case AgentStatus::available:
    case AgentStatus::idle:
      msg += std::string(command) + " needs a contact offered to or handled by this agent";
      break;
  }
  return make_error(Errc::conflict, std::move(msg));
}

Error wrong_contact(const AgentState& s, ContactId asked) {
  return make_error(Errc::conflict, "contact " + id_text(asked) + " is not the agent's contact (" +
                                        std::string(agent_status_name(s.status)) + " with contact " +
                                        (s.contact ? id_text(*s.contact) : "none") + ")");
}

// Moves to a new status and records the change; `since` moves only on a real change.
class Builder {
 public:
  Builder(const AgentState& s, Timestamp now) : t_{s, {}}, now_(now) {}

  void enter(AgentStatus to, std::optional<IdleCodeId> code = std::nullopt,
             std::optional<IdleOrigin> origin = std::nullopt,
             std::optional<ContactId> contact = std::nullopt) {
    AgentState& s = t_.state;
    if (s.status == to && s.idle_code == code && s.origin == origin && s.contact == contact) return;
    t_.effects.emplace_back(StateChanged{s.agent, s.status, to});
    s.status = to;
    s.idle_code = code;
    s.origin = origin;
    s.contact = contact;
    s.since = now_;
  }

  void set_teams_busy() {
    AgentState& s = t_.state;
    if (!s.sync_enabled || s.own_session.active) return;
    s.own_session.active = true;
    // Stored with this decision, so it is on disk before the app sends setPresence.
    if (!s.own_session.may_show_since) s.own_session.may_show_since = now_;
    t_.effects.emplace_back(SetTeamsBusy{s.agent});
  }

  void clear_teams_busy() {
    AgentState& s = t_.state;
    if (!s.own_session.active) return;
    s.own_session.active = false;
    s.own_session.cleared_at = now_;
    t_.effects.emplace_back(ClearTeamsBusy{s.agent});
  }

  // A session an earlier process may have left (the mark) and this one does not want: clear it
  // as if asked now, so that rule 5's window covers the first sync's read.
  void clear_stale_teams_busy() {
    AgentState& s = t_.state;
    if (s.own_session.active || !s.own_session.may_show_since) return;
    s.own_session.cleared_at = now_;
    t_.effects.emplace_back(ClearStaleTeamsBusy{s.agent});
  }

  // The app knows the session shows nothing: the mark goes, unless the session is wanted again.
  void session_gone() {
    AgentState& s = t_.state;
    if (!s.own_session.active) s.own_session.may_show_since.reset();
  }

  // Rule 3: the contact is over for the agent; the remembered presence decides.
  void after_contact() {
    AgentState& s = t_.state;
    const auto remembered = std::exchange(s.remembered, std::nullopt);
    if (s.sync_enabled && remembered && remembered->mapped_code) {
      enter(AgentStatus::idle, remembered->mapped_code, IdleOrigin::presence_sync);
    } else {
      enter(AgentStatus::available);
    }
  }

  void effect(AgentEffect e) { t_.effects.push_back(std::move(e)); }
  AgentState& state() { return t_.state; }
  Timestamp now() const { return now_; }
  Transition done() && { return std::move(t_); }

 private:
  Transition t_;
  Timestamp now_;
};

Transition unchanged(const AgentState& s) { return Transition{s, {}}; }

// Reserved with exactly this contact? Otherwise the refusal.
std::optional<Error> expect(const AgentState& s, AgentStatus want, ContactId c,
                            std::string_view command) {
  if (s.status != want) return refuse(s, command);
  if (s.contact != c) return wrong_contact(s, c);
  return std::nullopt;
}

Result<Transition> on_presence(const AgentState& s, const PresenceChanged& e, Timestamp now) {
  const PresenceOutcome outcome = classify_presence(s, e);
  if (outcome == PresenceOutcome::stale || outcome == PresenceOutcome::duplicate) {
    return unchanged(s);
  }
  Builder b(s, now);
  AgentState& n = b.state();
  const bool shown_changed = !n.teams_presence || n.teams_presence->presence != e.observed.presence;
  std::string last_stamp = n.teams_presence ? n.teams_presence->sequence_number : std::string();
  n.teams_presence = e.observed;
  // An update without a stamp must not erase the order we know.
  if (n.teams_presence->sequence_number.empty()) n.teams_presence->sequence_number = last_stamp;
  if (shown_changed) b.effect(TeamsPresenceUpdated{n.agent});

  switch (outcome) {
    case PresenceOutcome::recorded:
    case PresenceOutcome::kept:
      n.baseline = e.observed.presence;
      break;
    case PresenceOutcome::remembered:
      n.baseline = e.observed.presence;
      n.remembered = RememberedPresence{e.observed.presence, e.mapped_code};
      break;
    case PresenceOutcome::applied:
      n.baseline = e.observed.presence;
      if (e.mapped_code) {
        b.enter(AgentStatus::idle, e.mapped_code, IdleOrigin::presence_sync);
      } else {
        b.enter(AgentStatus::available);
      }
      break;
    case PresenceOutcome::own_echo:
    case PresenceOutcome::unchanged:
    case PresenceOutcome::stale:
    case PresenceOutcome::duplicate:
      break;
  }
  return std::move(b).done();
}

}  // namespace

std::string_view agent_status_name(AgentStatus s) { return kStatusNames[static_cast<int>(s)]; }
std::optional<AgentStatus> parse_agent_status(std::string_view name) {
  return parse_name<AgentStatus>(kStatusNames, name);
}
std::string_view idle_origin_name(IdleOrigin o) { return kOriginNames[static_cast<int>(o)]; }
std::optional<IdleOrigin> parse_idle_origin(std::string_view name) {
  return parse_name<IdleOrigin>(kOriginNames, name);
}
std::string_view presence_channel_name(PresenceChannel c) {
  return kChannelNames[static_cast<int>(c)];
}
std::optional<PresenceChannel> parse_presence_channel(std::string_view name) {
  return parse_name<PresenceChannel>(kChannelNames, name);
}

AgentState logged_out_agent(UserId agent, std::optional<Timestamp> since) {
  AgentState s;
  s.agent = agent;
  s.since = since;
  return s;
}

PresenceChanged presence_changed(ObservedPresence observed, const PresenceMapping& mapping) {
  auto code = mapping.lookup(observed.presence);
  return PresenceChanged{std::move(observed), code};
}

bool attributed_to_own_session(const AgentState& s, const Presence& presence, Timestamp at) {
  if (presence != own_session_presence()) return false;
  if (s.own_session.active) return true;
  const auto& cleared = s.own_session.cleared_at;
  if (!cleared || at >= *cleared + kOwnSessionEchoWindow) return false;
  // Graph has already shown the user without our session since the clear: the clear is in
  // its aggregate, so a Busy/InACall now is the user's own (a Teams call taken after the
  // contact), not our echo.
  const auto& last = s.teams_presence;
  const bool clear_shown =
      last && last->presence != own_session_presence() && last->seen_at >= *cleared;
  return !clear_shown;
}

PresenceOutcome classify_presence(const AgentState& s, const PresenceChanged& e) {
  const std::string_view last =
      s.teams_presence ? std::string_view(s.teams_presence->sequence_number) : std::string_view();
  // Awaiting the first sync (sync just enabled, or a log-in): the same stamp as the one last
  // recorded is not a duplicate, it is the current presence, which the first sync must apply.
  const bool first_sync =
      !s.baseline && s.sync_enabled && s.status != AgentStatus::logged_out;
  switch (compare_sequence(last, e.observed.sequence_number)) {
    case SequenceVerdict::stale: return PresenceOutcome::stale;
    case SequenceVerdict::duplicate:
      if (!first_sync) return PresenceOutcome::duplicate;
      break;
    case SequenceVerdict::apply: break;
  }
  if (s.status == AgentStatus::logged_out || !s.sync_enabled) return PresenceOutcome::recorded;
  if (attributed_to_own_session(s, e.observed.presence, e.observed.seen_at)) {
    return PresenceOutcome::own_echo;
  }
  if (s.baseline == e.observed.presence) return PresenceOutcome::unchanged;
  switch (s.status) {
    case AgentStatus::available:
      return e.mapped_code ? PresenceOutcome::applied : PresenceOutcome::kept;
    case AgentStatus::idle:
      if (s.origin != IdleOrigin::presence_sync) return PresenceOutcome::kept;  // rule 4
      return e.mapped_code == s.idle_code ? PresenceOutcome::kept : PresenceOutcome::applied;
    case AgentStatus::reserved:
    case AgentStatus::engaged:
    case AgentStatus::wrap_up:
      return PresenceOutcome::remembered;
    case AgentStatus::logged_out:
      break;
  }
  return PresenceOutcome::recorded;
}

std::string_view presence_outcome_name(PresenceOutcome o) {
  static constexpr std::array<std::string_view, 8> kNames{
      "stale", "duplicate", "recorded", "own_echo", "unchanged", "remembered", "applied", "kept"};
  return kNames[static_cast<int>(o)];
}

Result<Transition> apply(const AgentState& s, const AgentEvent& event, Timestamp now) {
  Builder b(s, now);
  AgentState& n = b.state();
  auto visit = [&](const auto& e) -> Result<Transition> {
    using E = std::decay_t<decltype(e)>;
    if constexpr (std::is_same_v<E, Login>) {
      if (s.status != AgentStatus::logged_out) return unchanged(s);  // a desktop reconnecting
      n.baseline.reset();  // the first presence read after login is applied (first sync)
      n.remembered.reset();
      if (e.idle_code) {
        b.enter(AgentStatus::idle, e.idle_code, IdleOrigin::manual);
      } else {
        b.enter(AgentStatus::available);
      }
    } else if constexpr (std::is_same_v<E, Logout>) {
      if (s.status == AgentStatus::logged_out) return unchanged(s);
      if (holds_contact(s.status)) return refuse(s, "log out");
      b.enter(AgentStatus::logged_out);
    } else if constexpr (std::is_same_v<E, SetAvailable>) {
      if (s.status != AgentStatus::available && s.status != AgentStatus::idle) {
        return refuse(s, "going Available");
      }
      b.enter(AgentStatus::available);
    } else if constexpr (std::is_same_v<E, SetIdle>) {
      if (s.status != AgentStatus::available && s.status != AgentStatus::idle) {
        return refuse(s, "going Idle");
      }
      b.enter(AgentStatus::idle, e.idle_code, IdleOrigin::manual);
    } else if constexpr (std::is_same_v<E, Offer>) {
      if (s.status != AgentStatus::available) {
        return make_error(Errc::conflict, "agent is " + std::string(agent_status_name(s.status)) +
                                              "; only an Available agent can be offered a contact");
      }
      b.enter(AgentStatus::reserved, std::nullopt, std::nullopt, e.contact);
      b.effect(StartRonaTimer{e.contact, now + e.rona_timeout});
      b.set_teams_busy();
    } else if constexpr (std::is_same_v<E, Accept>) {
      if (auto err = expect(s, AgentStatus::reserved, e.contact, "accept")) return *err;
      b.enter(AgentStatus::engaged, std::nullopt, std::nullopt, e.contact);
      b.effect(CancelRonaTimer{e.contact});
      b.set_teams_busy();  // no-op unless sync came on while ringing
    } else if constexpr (std::is_same_v<E, Decline> || std::is_same_v<E, OfferWithdrawn>) {
      if (auto err = expect(s, AgentStatus::reserved, e.contact, "decline")) return *err;
      b.effect(CancelRonaTimer{e.contact});
      b.clear_teams_busy();
      if constexpr (std::is_same_v<E, Decline>) b.effect(RequeueContact{e.contact});
      b.after_contact();
    } else if constexpr (std::is_same_v<E, RonaTimeout>) {
      if (auto err = expect(s, AgentStatus::reserved, e.contact, "RONA")) return *err;
      b.clear_teams_busy();
      b.effect(RequeueContact{e.contact});
      n.remembered.reset();  // rule 4: sync never undoes a rona idle
      b.enter(AgentStatus::idle, e.rona_code, IdleOrigin::rona);
    } else if constexpr (std::is_same_v<E, ContactEnded>) {
      if (auto err = expect(s, AgentStatus::engaged, e.contact, "ending a contact")) return *err;
      b.clear_teams_busy();
      if (e.wrap_up.count() > 0) {
        b.enter(AgentStatus::wrap_up, std::nullopt, std::nullopt, e.contact);
        b.effect(StartWrapUpTimer{e.contact, now + e.wrap_up});
      } else {
        b.after_contact();
      }
    } else if constexpr (std::is_same_v<E, WrapUpDone>) {
      if (auto err = expect(s, AgentStatus::wrap_up, e.contact, "wrap-up")) return *err;
      b.after_contact();
    } else if constexpr (std::is_same_v<E, SupervisorSet>) {
      if (s.status != AgentStatus::available && s.status != AgentStatus::idle &&
          s.status != AgentStatus::wrap_up) {
        return refuse(s, "a supervisor's state change");
      }
      n.remembered.reset();  // the supervisor's choice stands until the next Teams change
      if (e.idle_code) {
        b.enter(AgentStatus::idle, e.idle_code, IdleOrigin::supervisor);
      } else {
        b.enter(AgentStatus::available);
      }
    } else if constexpr (std::is_same_v<E, ForceLogout>) {
      if (s.status == AgentStatus::logged_out) return unchanged(s);
      if (s.status == AgentStatus::reserved && s.contact) b.effect(CancelRonaTimer{*s.contact});
      b.clear_teams_busy();
      n.remembered.reset();
      b.enter(AgentStatus::logged_out);
    } else if constexpr (std::is_same_v<E, PresenceChanged>) {
      return on_presence(s, e, now);
    } else if constexpr (std::is_same_v<E, TeamsBusyCleared>) {
      if (n.own_session.active) return unchanged(s);  // an old clear; the session is wanted again
      n.own_session.cleared_at = std::max(n.own_session.cleared_at.value_or(e.confirmed_at),
                                          e.confirmed_at);
      b.session_gone();
    } else if constexpr (std::is_same_v<E, OwnSessionGone>) {
      b.session_gone();
    } else if constexpr (std::is_same_v<E, SyncEnabled>) {
      if (s.sync_enabled) return unchanged(s);
      n.sync_enabled = true;
      n.baseline.reset();  // first sync: the next read is applied
      n.remembered.reset();
      if (s.status == AgentStatus::reserved || s.status == AgentStatus::engaged) {
        b.set_teams_busy();  // sets it again over whatever an earlier process left
      } else {
        b.clear_stale_teams_busy();
      }
    } else if constexpr (std::is_same_v<E, SyncDisabled>) {
      if (!s.sync_enabled) return unchanged(s);
      b.clear_teams_busy();
      n.sync_enabled = false;
      n.baseline.reset();
      n.remembered.reset();
      if (s.status == AgentStatus::idle && s.origin == IdleOrigin::presence_sync) {
        b.enter(AgentStatus::available);
      }
    }
    return std::move(b).done();
  };
  return std::visit(visit, event);
}

}  // namespace ccteams
