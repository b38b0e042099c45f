#pragma once
// A background simulation of people using Teams, so a demo's presence board moves on its own:
// random users join meetings (Busy/InAMeeting), take calls (Busy/InACall), present
// (DoNotDisturb/Presenting), turn on DND, step away, and come back to Available/Available.
// Pure and deterministic: a seeded RNG and the time passed to tick(); the emulator applies
// the returned changes as the users' Teams client state.
// Thread-safety: none; GraphEmulator serialises access.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "emulator/graph_time.hpp"
#include "emulator/presence_model.hpp"
#include "emulator/seeded_random.hpp"

namespace ccteams::emulator {

struct ActivityChange {
  std::string user_id;
  PresencePair state;
};

class ActivityModel {
 public:
  // episodes_per_user_hour: mean rate at which an available user starts an episode
  // (Poisson); 0 disables the model.
  ActivityModel(std::uint64_t seed, double episodes_per_user_hour);

  bool enabled() const { return rate_per_hour_ > 0; }

  // The client-state changes due at now among user_ids: episodes that ended (back to
  // Available) and episodes that start. The first call only records the time (and signs
  // nobody in); long gaps are capped at one minute of simulated activity so that a stalled
  // timer does not produce a burst.
  std::vector<ActivityChange> tick(const std::vector<std::string>& user_ids, Timestamp now);

  // The episode a user is in at the moment, if any (tests, the control API).
  std::optional<PresencePair> current(const std::string& user_id) const;

 private:
  struct Episode {
    PresencePair state;
    Timestamp until;
  };
  Episode start_episode(Timestamp now);

  SeededRandom rng_;
  double rate_per_hour_;
  std::optional<Timestamp> last_;
  std::map<std::string, Episode> busy_;
};

}  // namespace ccteams::emulator
