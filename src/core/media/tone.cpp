#include "core/media/tone.hpp"

#include <cmath>
#include <numbers>

#include "core/media/rtp_stream.hpp"

namespace ccteams::media {
namespace {

double energy(std::span<const std::int16_t> samples) {
  double sum = 0;
  for (std::int16_t s : samples) sum += double(s) * double(s);
  return sum;
}

}  // namespace

void generate_tone(double frequency_hz, double amplitude, std::uint64_t first_sample,
                   std::span<std::int16_t> out) {
  const double step = 2 * std::numbers::pi * frequency_hz / kSampleRate;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double v = amplitude * std::sin(step * double(first_sample + i));
    out[i] = static_cast<std::int16_t>(std::lround(v));
  }
}

double tone_share(std::span<const std::int16_t> samples, double frequency_hz) {
  const double total = energy(samples);
  if (samples.empty() || total == 0) return 0;
  const double coeff = 2 * std::cos(2 * std::numbers::pi * frequency_hz / kSampleRate);
  double s1 = 0;
  double s2 = 0;
  for (std::int16_t x : samples) {
    const double s0 = double(x) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  // |X(f)|²; a sine of amplitude A over N samples on a bin gives (A·N/2)², and its energy is
  // N·A²/2, so 2·|X|²/(N·energy) is 1.
  const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return 2 * power / (double(samples.size()) * total);
}

bool ToneDetector::present(std::span<const std::int16_t> samples, double frequency_hz) const {
  if (samples.empty()) return false;
  const double rms = std::sqrt(energy(samples) / double(samples.size()));
  return rms >= min_rms && tone_share(samples, frequency_hz) >= min_share;
}

}  // namespace ccteams::media
