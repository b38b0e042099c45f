#include "core/media/mixer.hpp"

#include <algorithm>
#include <limits>
#include <string>

namespace ccteams::media {
namespace {

std::int16_t saturate(std::int32_t v) {
  return static_cast<std::int16_t>(std::clamp<std::int32_t>(
      v, std::numeric_limits<std::int16_t>::min(), std::numeric_limits<std::int16_t>::max()));
}

}  // namespace

Mixer::Mixer(Timestamp start) : start_(start) {}

Mixer::Party* Mixer::find(MixPartyId id) {
  auto it = std::find_if(parties_.begin(), parties_.end(),
                         [&](const Party& p) { return p.id == id; });
  return it == parties_.end() ? nullptr : &*it;
}

bool Mixer::contains(MixPartyId id) const {
  return std::any_of(parties_.begin(), parties_.end(),
                     [&](const Party& p) { return p.id == id; });
}

Result<void> Mixer::add(MixPartyId id) {
  if (contains(id)) {
    return make_error(Errc::invalid_input,
                      "party " + std::to_string(id.value) + " is already in the conference");
  }
  if (parties_.size() >= kMaxParties) {
    return make_error(Errc::conflict, "a conference mixes at most " +
                                          std::to_string(kMaxParties) +
                                          " parties; remove one before adding another");
  }
  parties_.push_back(Party{.id = id});
  return {};
}

void Mixer::remove(MixPartyId id) {
  std::erase_if(parties_, [&](const Party& p) { return p.id == id; });
}

void Mixer::push(MixPartyId id, std::span<const std::int16_t> samples) {
  Party* p = find(id);
  if (!p) return;
  p->in.insert(p->in.end(), samples.begin(), samples.end());
  constexpr std::size_t kCap = kMaxQueuedFrames * kFrameSamples;
  if (p->in.size() > kCap) {
    const std::size_t excess = p->in.size() - kCap;
    stats_.samples_dropped += excess;
    p->in.erase(p->in.begin(), p->in.begin() + static_cast<std::ptrdiff_t>(excess));
  }
}

void Mixer::advance_to(Timestamp now) {
  if (now < start_) return;
  const auto due = static_cast<std::uint64_t>((now - start_) / kFrameInterval) + 1;
  if (due > ticks_done_ + kMaxQueuedFrames) {
    stats_.ticks_skipped += due - kMaxQueuedFrames - ticks_done_;
    ticks_done_ = due - kMaxQueuedFrames;
  }
  for (; ticks_done_ < due; ++ticks_done_) tick();
}

void Mixer::tick() {
  ++stats_.ticks;
  std::fill(sum_.begin(), sum_.end(), 0);
  for (Party& p : parties_) {
    const std::size_t n = std::min<std::size_t>(kFrameSamples, p.in.size());
    std::copy_n(p.in.begin(), n, p.current.begin());
    std::fill(p.current.begin() + static_cast<std::ptrdiff_t>(n), p.current.end(), 0);
    p.in.erase(p.in.begin(), p.in.begin() + static_cast<std::ptrdiff_t>(n));
    stats_.samples_missing += kFrameSamples - n;
    for (std::size_t i = 0; i < kFrameSamples; ++i) sum_[i] += p.current[i];
  }
  // Everyone's sum minus one's own, in int32 (8 × 32768 fits): the N-1 mix of each party.
  for (Party& p : parties_) {
    Frame mix(kFrameSamples);
    for (std::size_t i = 0; i < kFrameSamples; ++i) mix[i] = saturate(sum_[i] - p.current[i]);
    p.out.push_back(std::move(mix));
    if (p.out.size() > kMaxQueuedFrames) {
      p.out.pop_front();
      ++stats_.frames_dropped;
    }
  }
}

void Mixer::pull(MixPartyId id, Timestamp now, std::span<std::int16_t, kFrameSamples> out) {
  advance_to(now);
  Party* p = find(id);
  if (!p || p->out.empty()) {
    std::fill(out.begin(), out.end(), 0);
    return;
  }
  std::copy(p->out.front().begin(), p->out.front().end(), out.begin());
  p->out.pop_front();
}

void Mixer::clear_output(MixPartyId id) {
  if (Party* p = find(id)) p->out.clear();
}

}  // namespace ccteams::media
