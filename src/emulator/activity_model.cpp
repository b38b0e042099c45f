#include "emulator/activity_model.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace ccteams::emulator {

namespace {

struct EpisodeKind {
  const char* availability;
  const char* activity;
  double weight;         // relative frequency
  int min_minutes;       // plausible duration range
  int max_minutes;
};

// Meetings and calls dominate a contact-centre day; presenting and DND are rarer.
constexpr std::array<EpisodeKind, 6> kKinds{{
    {"Busy", "InAMeeting", 0.30, 15, 60},
    {"Busy", "InACall", 0.30, 2, 20},
    {"DoNotDisturb", "Presenting", 0.08, 10, 45},
    {"DoNotDisturb", "DoNotDisturb", 0.07, 15, 90},
    {"Away", "Away", 0.15, 5, 25},
    {"BeRightBack", "BeRightBack", 0.10, 2, 10},
}};

constexpr auto kMaxStep = std::chrono::minutes(1);

}  // namespace

ActivityModel::ActivityModel(std::uint64_t seed, double episodes_per_user_hour)
    : rng_(seed), rate_per_hour_(std::max(0.0, episodes_per_user_hour)) {}

ActivityModel::Episode ActivityModel::start_episode(Timestamp now) {
  double total = 0;
  for (const auto& k : kKinds) total += k.weight;
  double pick = rng_.unit() * total;
  const EpisodeKind* kind = &kKinds.back();
  for (const auto& k : kKinds) {
    if (pick < k.weight) {
      kind = &k;
      break;
    }
    pick -= k.weight;
  }
  const auto span = static_cast<std::uint64_t>(kind->max_minutes - kind->min_minutes + 1);
  const auto minutes = kind->min_minutes + static_cast<int>(rng_.below(span));
  // Seconds of jitter so that episodes do not all end on minute boundaries.
  const auto seconds = static_cast<std::int64_t>(rng_.below(60));
  return Episode{{kind->availability, kind->activity},
                 now + std::chrono::minutes(minutes) + std::chrono::seconds(seconds)};
}

std::vector<ActivityChange> ActivityModel::tick(const std::vector<std::string>& user_ids,
                                                Timestamp now) {
  std::vector<ActivityChange> out;
  if (!enabled()) return out;
  if (!last_ || now <= *last_) {
    last_ = last_ ? std::max(*last_, now) : now;
    return out;
  }
  const auto step = std::min<Millis>(now - *last_, kMaxStep);
  last_ = now;
  const double hours = std::chrono::duration<double, std::ratio<3600>>(step).count();
  // P(at least one episode start in the step) for a Poisson process of the given rate.
  const double p_start = 1.0 - std::exp(-rate_per_hour_ * hours);
  for (const auto& id : user_ids) {
    auto it = busy_.find(id);
    if (it != busy_.end()) {
      if (it->second.until <= now) {
        busy_.erase(it);
        out.push_back({id, {"Available", "Available"}});
      }
      continue;
    }
    if (rng_.chance(p_start)) {
      Episode e = start_episode(now);
      out.push_back({id, e.state});
      busy_.emplace(id, std::move(e));
    }
  }
  return out;
}

std::optional<PresencePair> ActivityModel::current(const std::string& user_id) const {
  auto it = busy_.find(user_id);
  if (it == busy_.end()) return std::nullopt;
  return it->second.state;
}

}  // namespace ccteams::emulator
