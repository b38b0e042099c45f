#pragma once
// The queue audio from disk ([media] greeting and music_on_hold, docs/telephony.md): read once
// at start and shared by every call's MediaPlayer.

#include <memory>
#include <string>

#include "core/media/wav.hpp"
#include "core/result.hpp"

namespace ccteams::rtp {

struct QueueAudio {
  std::shared_ptr<const media::PcmAudio> greeting;
  std::shared_ptr<const media::PcmAudio> music_on_hold;
};

// The WAV file at `path` (parse_wav). Errors (invalid_input) start with the path: a file that
// cannot be read, or what parse_wav refuses, e.g. "/etc/ccteams/hold.wav: WAV: sample rate
// 44100 Hz is not supported; ...".
Result<std::shared_ptr<const media::PcmAudio>> load_wav_file(const std::string& path);

// Both files; the first error stops.
Result<QueueAudio> load_queue_audio(const std::string& greeting_path,
                                    const std::string& music_on_hold_path);

}  // namespace ccteams::rtp
