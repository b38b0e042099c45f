#include "adapters/rtp/queue_audio.hpp"

#include <fstream>
#include <iterator>
#include <vector>

namespace ccteams::rtp {

Result<std::shared_ptr<const media::PcmAudio>> load_wav_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::invalid_input, path + ": cannot open the queue audio file");
  const std::vector<std::uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
  auto audio = media::parse_wav(bytes);
  if (!audio) return make_error(Errc::invalid_input, path + ": " + audio.error().message);
  return std::make_shared<const media::PcmAudio>(std::move(*audio));
}

Result<QueueAudio> load_queue_audio(const std::string& greeting_path,
                                    const std::string& music_on_hold_path) {
  auto greeting = load_wav_file(greeting_path);
  if (!greeting) return greeting.error();
  auto music = load_wav_file(music_on_hold_path);
  if (!music) return music.error();
  return QueueAudio{*greeting, *music};
}

}  // namespace ccteams::rtp
