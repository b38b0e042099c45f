#pragma once
// Teams presence as Graph models it (graph-protocol.md §3): per user, presence sessions (one
// per Teams client or app), a user-preferred presence, and the aggregate Graph returns.
// Pure: time is passed in. Thread-safety: none; GraphEmulator serialises access.
//
// Aggregation (§3.3), evaluated at a given time:
//  * no live session                   -> Offline/Offline (even with a preferred presence)
//  * preferred presence, not expired   -> the preferred pair
//  * otherwise the strongest session: DoNotDisturb > Busy > Available > BeRightBack > Away,
//    ties to the most recently set.
//  * an app session set to Available fades: after 5 min Available/Inactive, after 10 min
//    Away/Away, unless setPresence is called again.
//  * a session whose expirationDuration ran out is gone.
// The Teams client session of the user (set through the control API) neither fades nor
// expires: the real client keeps it fresh while it runs.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/graph_error.hpp"
#include "emulator/graph_time.hpp"

namespace ccteams::emulator {

inline constexpr std::string_view kTeamsClientSession = "teams-client";
inline constexpr auto kMinSessionExpiry = std::chrono::minutes(5);
inline constexpr auto kMaxSessionExpiry = std::chrono::hours(4);
inline constexpr auto kFadeToInactive = std::chrono::minutes(5);
inline constexpr auto kFadeToAway = std::chrono::minutes(10);

struct PresencePair {
  std::string availability;
  std::string activity;
  friend bool operator==(const PresencePair&, const PresencePair&) = default;
};

struct PresenceSession {
  std::string session_id;
  PresencePair state;
  Timestamp last_set;
  std::optional<Timestamp> expires_at;  // nullopt for the Teams client session
};

struct PreferredPresence {
  PresencePair state;
  Timestamp expires_at;
};

// What Graph returns for a user.
struct PresenceView {
  std::string user_id;
  PresencePair state;
  std::string sequence_number;  // lexicographically sortable, strictly increasing per change
};

// Parses the ISO-8601 durations Graph takes ("PT5M", "PT1H30M", "P1D", "PT300S").
// nullopt when malformed or using years/months/weeks.
std::optional<std::chrono::seconds> parse_iso8601_duration(std::string_view text);

// The five v1.0 setPresence pairs; with allow_beta_pairs also Busy/Busy, DND/DND,
// BeRightBack/BeRightBack and Offline/OffWork (the beta permutations table).
bool is_settable_presence(const PresencePair& p, bool allow_beta_pairs);
bool is_settable_preferred_presence(const PresencePair& p);

class PresenceModel {
 public:
  using Listener = std::function<void(const PresenceView&)>;

  explicit PresenceModel(bool allow_beta_pairs = false) : allow_beta_pairs_(allow_beta_pairs) {}

  // setPresence. Errors (400 invalidRequest): a pair outside the settable list, a duration
  // that is malformed or outside PT5M..PT4H. The default expiry is 5 minutes.
  GraphResult<Done> set_presence(std::string_view user_id, std::string_view session_id,
                                 const PresencePair& state,
                                 std::optional<std::string_view> expiration_duration,
                                 Timestamp now);
  // clearPresence. 404 (itemNotFound) when the user has no such live session.
  GraphResult<Done> clear_presence(std::string_view user_id, std::string_view session_id,
                                   Timestamp now);
  // setUserPreferredPresence; default expiry 1 day for Busy and DoNotDisturb, else 7 days.
  GraphResult<Done> set_preferred(std::string_view user_id, const PresencePair& state,
                                  std::optional<std::string_view> expiration_duration,
                                  Timestamp now);
  void clear_preferred(std::string_view user_id, Timestamp now);

  // The user's own Teams client (control API). Offline/* signs the client out.
  void set_client_state(std::string_view user_id, const PresencePair& state, Timestamp now);
  std::optional<PresencePair> client_state(std::string_view user_id) const;

  // The aggregate at now; a change since the last evaluation gets a new sequence number and
  // is reported to the listeners.
  PresenceView presence(std::string_view user_id, Timestamp now);
  // Re-evaluates every user (fading and expiry happen without any call); call periodically.
  void tick(Timestamp now);

  // Live sessions of a user at now (for the control API and tests).
  std::vector<PresenceSession> sessions(std::string_view user_id, Timestamp now) const;

  // Called for every aggregate change, on the thread that caused it. Not removable: the
  // listeners live as long as the model.
  void add_listener(Listener listener) { listeners_.push_back(std::move(listener)); }

 private:
  struct UserPresence {
    std::vector<PresenceSession> sessions;
    std::optional<PreferredPresence> preferred;
    PresencePair last_aggregate{"Offline", "Offline"};
    std::string sequence_number;
  };
  static PresencePair aggregate(UserPresence& u, Timestamp now);  // drops expired state
  void refresh(const std::string& user_id, UserPresence& u, Timestamp now);
  UserPresence& user(std::string_view user_id);

  bool allow_beta_pairs_;
  std::map<std::string, UserPresence, std::less<>> users_;
  std::uint64_t sequence_ = 0;
  std::vector<Listener> listeners_;
};

}  // namespace ccteams::emulator
