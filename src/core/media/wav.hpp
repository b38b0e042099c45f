#pragma once
// WAV files (RIFF WAVE) for queue media: the greeting and music on hold the admin ships. We take
// what G.711 telephony plays without resampling: 8 kHz mono, as 16-bit PCM, µ-law or A-law
// (format tags 1, 7, 6, or WAVE_FORMAT_EXTENSIBLE with one of those sub-formats). Everything
// else is refused with an error naming what the file holds, so the admin knows what to convert
// (e.g. `sox in.wav -r 8000 -c 1 -b 16 out.wav`). Pure: the bytes come in.

#include <cstdint>
#include <span>
#include <vector>

#include "core/result.hpp"

namespace ccteams::media {

// Linear 16-bit samples at 8 kHz, mono.
struct PcmAudio {
  std::vector<std::int16_t> samples;
};

// Errors (invalid_input): not RIFF/WAVE, a chunk running past the end, no "fmt " or "data"
// chunk, a format other than the three above, a rate other than 8000 Hz, more than one channel,
// PCM that is not 16-bit, G.711 that is not 8-bit.
Result<PcmAudio> parse_wav(std::span<const std::uint8_t> bytes);

// The 16-bit PCM WAV of `audio` (what parse_wav reads back): for tests and tools.
std::vector<std::uint8_t> build_wav(const PcmAudio& audio);

}  // namespace ccteams::media
