#include "emulator/presence_model.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <span>

namespace ccteams::emulator {

namespace {

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool pair_in(const PresencePair& p, std::span<const std::array<std::string_view, 2>> list) {
  return std::any_of(list.begin(), list.end(), [&](const auto& e) {
    return ieq(p.availability, e[0]) && ieq(p.activity, e[1]);
  });
}

constexpr std::array<std::array<std::string_view, 2>, 5> kSetPresenceV1 = {{
    {"Available", "Available"},
    {"Busy", "InACall"},
    {"Busy", "InAConferenceCall"},
    {"Away", "Away"},
    {"DoNotDisturb", "Presenting"},
}};
constexpr std::array<std::array<std::string_view, 2>, 4> kSetPresenceBeta = {{
    {"Busy", "Busy"},
    {"DoNotDisturb", "DoNotDisturb"},
    {"BeRightBack", "BeRightBack"},
    {"Offline", "OffWork"},
}};
constexpr std::array<std::array<std::string_view, 2>, 6> kPreferred = {{
    {"Available", "Available"},
    {"Busy", "Busy"},
    {"DoNotDisturb", "DoNotDisturb"},
    {"BeRightBack", "BeRightBack"},
    {"Away", "Away"},
    {"Offline", "OffWork"},
}};

// Canonical spelling: clients may send any case, Graph answers in PascalCase.
PresencePair canonical(const PresencePair& p) {
  static constexpr std::array<std::string_view, 16> kNames = {
      "Available",  "AvailableIdle",   "Away",          "BeRightBack", "Busy",
      "BusyIdle",   "DoNotDisturb",    "Offline",       "PresenceUnknown", "InACall",
      "InAConferenceCall", "Inactive", "InAMeeting",    "OffWork",     "Presenting",
      "OutOfOffice"};
  PresencePair out = p;
  for (auto n : kNames) {
    if (ieq(out.availability, n)) out.availability = std::string(n);
    if (ieq(out.activity, n)) out.activity = std::string(n);
  }
  return out;
}

int rank(std::string_view availability) {
  if (availability == "DoNotDisturb") return 6;
  if (availability == "Busy" || availability == "BusyIdle") return 5;
  if (availability == "Available") return 4;
  if (availability == "AvailableIdle") return 3;
  if (availability == "BeRightBack") return 2;
  if (availability == "Away") return 1;
  return 0;
}

// A session's state at now, including the fading of an idle app session.
PresencePair effective(const PresenceSession& s, Timestamp now) {
  if (s.session_id == kTeamsClientSession || s.state.availability != "Available") return s.state;
  const auto idle = now - s.last_set;
  if (idle >= kFadeToAway) return {"Away", "Away"};
  if (idle >= kFadeToInactive) return {"Available", "Inactive"};
  return s.state;
}

GraphError bad_request(std::string message) {
  return graph_error(400, "invalidRequest", std::move(message));
}

}  // namespace

std::optional<std::chrono::seconds> parse_iso8601_duration(std::string_view text) {
  if (text.size() < 3 || (text[0] != 'P' && text[0] != 'p')) return std::nullopt;
  std::int64_t total = 0;
  bool in_time = false;
  bool any = false;
  std::int64_t number = -1;
  for (std::size_t i = 1; i < text.size(); ++i) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
    if (c >= '0' && c <= '9') {
      number = (number < 0 ? 0 : number) * 10 + (c - '0');
      if (number > 100000000) return std::nullopt;
      continue;
    }
    if (c == 'T') {
      if (in_time || number >= 0) return std::nullopt;
      in_time = true;
      continue;
    }
    if (number < 0) return std::nullopt;
    if (!in_time && c == 'D') {
      total += number * 86400;
    } else if (in_time && c == 'H') {
      total += number * 3600;
    } else if (in_time && c == 'M') {
      total += number * 60;
    } else if (in_time && c == 'S') {
      total += number;
    } else {
      return std::nullopt;  // years, months and weeks have no fixed length; Graph never uses them
    }
    number = -1;
    any = true;
  }
  if (!any || number >= 0) return std::nullopt;
  return std::chrono::seconds(total);
}

bool is_settable_presence(const PresencePair& p, bool allow_beta_pairs) {
  return pair_in(p, kSetPresenceV1) || (allow_beta_pairs && pair_in(p, kSetPresenceBeta));
}

bool is_settable_preferred_presence(const PresencePair& p) { return pair_in(p, kPreferred); }

PresenceModel::UserPresence& PresenceModel::user(std::string_view user_id) {
  auto it = users_.find(user_id);
  if (it == users_.end()) it = users_.emplace(std::string(user_id), UserPresence{}).first;
  return it->second;
}

GraphResult<Done> PresenceModel::set_presence(std::string_view user_id,
                                              std::string_view session_id,
                                              const PresencePair& state,
                                              std::optional<std::string_view> expiration_duration,
                                              Timestamp now) {
  if (session_id.empty()) return bad_request("sessionId is required.");
  if (!is_settable_presence(state, allow_beta_pairs_)) {
    return bad_request("The availability '" + state.availability + "' and activity '" +
                       state.activity + "' combination is not supported.");
  }
  std::chrono::seconds duration = kMinSessionExpiry;
  if (expiration_duration) {
    auto d = parse_iso8601_duration(*expiration_duration);
    if (!d) return bad_request("expirationDuration is not a valid ISO 8601 duration.");
    if (*d < kMinSessionExpiry || *d > kMaxSessionExpiry) {
      return bad_request("expirationDuration must be between PT5M and PT4H.");
    }
    duration = *d;
  }
  auto& u = user(user_id);
  auto it = std::find_if(u.sessions.begin(), u.sessions.end(),
                         [&](const PresenceSession& s) { return s.session_id == session_id; });
  if (it == u.sessions.end()) {
    u.sessions.push_back(PresenceSession{std::string(session_id), {}, now, std::nullopt});
    it = std::prev(u.sessions.end());
  }
  it->state = canonical(state);
  it->last_set = now;
  it->expires_at = now + std::chrono::duration_cast<Millis>(duration);
  refresh(std::string(user_id), u, now);
  return Done{};
}

GraphResult<Done> PresenceModel::clear_presence(std::string_view user_id,
                                                std::string_view session_id, Timestamp now) {
  auto& u = user(user_id);
  aggregate(u, now);  // an expired session is already gone: clearing it is a 404 too
  auto it = std::find_if(u.sessions.begin(), u.sessions.end(), [&](const PresenceSession& s) {
    return s.session_id == session_id && s.session_id != kTeamsClientSession;
  });
  if (it == u.sessions.end()) {
    return graph_error(404, "itemNotFound",
                       "The presence session '" + std::string(session_id) + "' was not found.");
  }
  u.sessions.erase(it);
  refresh(std::string(user_id), u, now);
  return Done{};
}

GraphResult<Done> PresenceModel::set_preferred(std::string_view user_id,
                                               const PresencePair& state,
                                               std::optional<std::string_view> expiration_duration,
                                               Timestamp now) {
  if (!is_settable_preferred_presence(state)) {
    return bad_request("The availability '" + state.availability + "' and activity '" +
                       state.activity + "' combination is not supported.");
  }
  const auto canon = canonical(state);
  std::chrono::seconds duration =
      (canon.availability == "Busy" || canon.availability == "DoNotDisturb")
          ? std::chrono::seconds(std::chrono::hours(24))
          : std::chrono::seconds(std::chrono::hours(24 * 7));
  if (expiration_duration) {
    auto d = parse_iso8601_duration(*expiration_duration);
    if (!d || d->count() <= 0) {
      return bad_request("expirationDuration is not a valid ISO 8601 duration.");
    }
    duration = *d;
  }
  auto& u = user(user_id);
  u.preferred = PreferredPresence{canon, now + std::chrono::duration_cast<Millis>(duration)};
  refresh(std::string(user_id), u, now);
  return Done{};
}

void PresenceModel::clear_preferred(std::string_view user_id, Timestamp now) {
  auto& u = user(user_id);
  u.preferred.reset();
  refresh(std::string(user_id), u, now);
}

void PresenceModel::set_client_state(std::string_view user_id, const PresencePair& state,
                                     Timestamp now) {
  auto& u = user(user_id);
  auto it = std::find_if(u.sessions.begin(), u.sessions.end(), [](const PresenceSession& s) {
    return s.session_id == kTeamsClientSession;
  });
  const auto canon = canonical(state);
  if (canon.availability == "Offline") {
    if (it != u.sessions.end()) u.sessions.erase(it);
  } else if (it == u.sessions.end()) {
    u.sessions.push_back(
        PresenceSession{std::string(kTeamsClientSession), canon, now, std::nullopt});
  } else {
    it->state = canon;
    it->last_set = now;
  }
  refresh(std::string(user_id), u, now);
}

std::optional<PresencePair> PresenceModel::client_state(std::string_view user_id) const {
  auto uit = users_.find(user_id);
  if (uit == users_.end()) return std::nullopt;
  for (const auto& s : uit->second.sessions) {
    if (s.session_id == kTeamsClientSession) return s.state;
  }
  return std::nullopt;
}

PresencePair PresenceModel::aggregate(UserPresence& u, Timestamp now) {
  std::erase_if(u.sessions, [&](const PresenceSession& s) {
    return s.expires_at && *s.expires_at <= now;
  });
  if (u.preferred && u.preferred->expires_at <= now) u.preferred.reset();
  if (u.sessions.empty()) return {"Offline", "Offline"};
  if (u.preferred) return u.preferred->state;
  const PresenceSession* best = nullptr;
  PresencePair best_state;
  for (const auto& s : u.sessions) {
    const auto st = effective(s, now);
    const bool stronger = best == nullptr || rank(st.availability) > rank(best_state.availability) ||
                          (rank(st.availability) == rank(best_state.availability) &&
                           s.last_set > best->last_set);
    if (stronger) {
      best = &s;
      best_state = st;
    }
  }
  return best_state;
}

void PresenceModel::refresh(const std::string& user_id, UserPresence& u, Timestamp now) {
  const auto agg = aggregate(u, now);
  if (!u.sequence_number.empty() && agg == u.last_aggregate) return;
  const bool changed = !u.sequence_number.empty() || !(agg == u.last_aggregate);
  u.last_aggregate = agg;
  char buf[24];
  // Fixed width makes the string order equal the numeric order (§3.1 "lexicographically
  // sortable"); one counter for all users keeps it strictly increasing per user too.
  std::snprintf(buf, sizeof buf, "C%016llu", static_cast<unsigned long long>(++sequence_));
  u.sequence_number = buf;
  if (!changed) return;
  const PresenceView view{user_id, agg, u.sequence_number};
  for (const auto& l : listeners_) l(view);
}

PresenceView PresenceModel::presence(std::string_view user_id, Timestamp now) {
  auto it = users_.find(user_id);
  if (it == users_.end()) it = users_.emplace(std::string(user_id), UserPresence{}).first;
  refresh(it->first, it->second, now);
  return PresenceView{it->first, it->second.last_aggregate, it->second.sequence_number};
}

void PresenceModel::tick(Timestamp now) {
  for (auto& [id, u] : users_) refresh(id, u, now);
}

std::vector<PresenceSession> PresenceModel::sessions(std::string_view user_id,
                                                     Timestamp now) const {
  std::vector<PresenceSession> out;
  auto it = users_.find(user_id);
  if (it == users_.end()) return out;
  for (const auto& s : it->second.sessions) {
    if (s.expires_at && *s.expires_at <= now) continue;
    auto copy = s;
    copy.state = effective(s, now);
    out.push_back(std::move(copy));
  }
  return out;
}

}  // namespace ccteams::emulator
