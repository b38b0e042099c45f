#pragma once
// Test tones and their detection: the RTP checker's ears. A known tone sent one way through
// the relay must arrive at the far end, and nothing else may pass for it. Detection is
// Goertzel's algorithm (one DFT bin, any frequency) compared with the block's total energy:
// a tone is present when most of the energy sits at its frequency and the block is loud enough
// to be more than quantisation noise. Pure.

#include <cstdint>
#include <span>

namespace ccteams::media {

// A sine of `frequency_hz` at `amplitude` (peak, 0-32767), 8 kHz, written into `out`; the
// first sample is sample number `first_sample` of the tone, so consecutive blocks join up.
void generate_tone(double frequency_hz, double amplitude, std::uint64_t first_sample,
                   std::span<std::int16_t> out);

// The share (0-1) of the block's energy at `frequency_hz`: 1 for a pure tone on a DFT bin
// (frequency × size / 8000 a whole number), near 0 for silence, noise and other tones.
double tone_share(std::span<const std::int16_t> samples, double frequency_hz);

struct ToneDetector {
  double min_share = 0.6;  // of the block's energy at the frequency
  double min_rms = 100;    // about -50 dBFS: below is silence or G.711's idle noise
  // Best with blocks of 400-800 samples (50-100 ms: bins 20-10 Hz wide), the tone on a bin.
  bool present(std::span<const std::int16_t> samples, double frequency_hz) const;
};

}  // namespace ccteams::media
