#include "core/media/wav.hpp"

#include <optional>
#include <string>
#include <string_view>

#include "core/media/rtp_stream.hpp"
#include "core/sip/g711.hpp"

namespace ccteams::media {
namespace {

constexpr std::uint16_t kFormatPcm = 1;
constexpr std::uint16_t kFormatAlaw = 6;
constexpr std::uint16_t kFormatUlaw = 7;
constexpr std::uint16_t kFormatExtensible = 0xFFFE;

std::uint16_t u16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}
std::uint32_t u32(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) | (static_cast<std::uint32_t>(b[at + 1]) << 8) |
         (static_cast<std::uint32_t>(b[at + 2]) << 16) |
         (static_cast<std::uint32_t>(b[at + 3]) << 24);
}
bool tag_is(std::span<const std::uint8_t> b, std::size_t at, std::string_view tag) {
  return std::string_view(reinterpret_cast<const char*>(b.data() + at), 4) == tag;
}
void put16(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}

Error refuse(std::string what) {
  return make_error(Errc::invalid_input,
                    "WAV: " + what +
                        "; queue audio must be 8000 Hz mono, 16-bit PCM, u-law or A-law");
}

std::string format_name(std::uint16_t tag) {
  switch (tag) {
    case kFormatPcm: return "PCM";
    case 3: return "IEEE float";
    case kFormatAlaw: return "A-law";
    case kFormatUlaw: return "u-law";
    case 0x55: return "MP3";
    default: return "format tag " + std::to_string(tag);
  }
}

struct Format {
  std::uint16_t tag = 0;
  std::uint16_t channels = 0;
  std::uint32_t rate = 0;
  std::uint16_t bits = 0;
};

Result<Format> read_format(std::span<const std::uint8_t> chunk) {
  if (chunk.size() < 16) return refuse("\"fmt \" chunk of " + std::to_string(chunk.size()) +
                                       " bytes is too short");
  Format f{u16(chunk, 0), u16(chunk, 2), u32(chunk, 4), u16(chunk, 14)};
  // WAVE_FORMAT_EXTENSIBLE: the real format tag opens the sub-format GUID (at offset 24).
  if (f.tag == kFormatExtensible) {
    if (chunk.size() < 26) return refuse("extensible \"fmt \" chunk without a sub-format");
    f.tag = u16(chunk, 24);
  }
  if (f.tag != kFormatPcm && f.tag != kFormatUlaw && f.tag != kFormatAlaw) {
    return refuse(format_name(f.tag) + " is not supported");
  }
  if (f.rate != kSampleRate) {
    return refuse("sample rate " + std::to_string(f.rate) + " Hz is not supported");
  }
  if (f.channels != 1) return refuse(std::to_string(f.channels) + " channels are not supported");
  const std::uint16_t want_bits = f.tag == kFormatPcm ? 16 : 8;
  if (f.bits != want_bits) {
    return refuse(format_name(f.tag) + " with " + std::to_string(f.bits) +
                  " bits per sample is not supported (need " + std::to_string(want_bits) + ")");
  }
  return f;
}

}  // namespace

Result<PcmAudio> parse_wav(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 12 || !tag_is(bytes, 0, "RIFF") || !tag_is(bytes, 8, "WAVE")) {
    return refuse("not a RIFF/WAVE file");
  }
  std::optional<Format> format;
  std::size_t at = 12;
  while (at + 8 <= bytes.size()) {
    const std::uint32_t size = u32(bytes, at + 4);
    if (size > bytes.size() - at - 8) {
      return refuse("chunk \"" + std::string(reinterpret_cast<const char*>(&bytes[at]), 4) +
                    "\" runs past the end of the file");
    }
    const auto body = bytes.subspan(at + 8, size);
    if (tag_is(bytes, at, "fmt ")) {
      auto f = read_format(body);
      if (!f) return f.error();
      format = *f;
    } else if (tag_is(bytes, at, "data")) {
      if (!format) return refuse("\"data\" chunk before the \"fmt \" chunk");
      PcmAudio audio;
      if (format->tag == kFormatPcm) {
        audio.samples.resize(body.size() / 2);
        for (std::size_t i = 0; i < audio.samples.size(); ++i) {
          audio.samples[i] = static_cast<std::int16_t>(u16(body, 2 * i));
        }
      } else if (format->tag == kFormatUlaw) {
        sip::decode_ulaw(body, audio.samples);
      } else {
        sip::decode_alaw(body, audio.samples);
      }
      return audio;
    }
    // Chunks are word-aligned: an odd size is followed by a pad byte.
    at += 8 + size + (size & 1);
  }
  return refuse(format ? "no \"data\" chunk" : "no \"fmt \" chunk");
}

std::vector<std::uint8_t> build_wav(const PcmAudio& audio) {
  const auto data_bytes = static_cast<std::uint32_t>(audio.samples.size() * 2);
  std::vector<std::uint8_t> out;
  out.reserve(44 + data_bytes);
  for (char c : std::string_view("RIFF")) out.push_back(static_cast<std::uint8_t>(c));
  put32(out, 36 + data_bytes);
  for (char c : std::string_view("WAVEfmt ")) out.push_back(static_cast<std::uint8_t>(c));
  put32(out, 16);
  put16(out, kFormatPcm);
  put16(out, 1);
  put32(out, kSampleRate);
  put32(out, kSampleRate * 2);
  put16(out, 2);
  put16(out, 16);
  for (char c : std::string_view("data")) out.push_back(static_cast<std::uint8_t>(c));
  put32(out, data_bytes);
  for (std::int16_t s : audio.samples) put16(out, static_cast<std::uint16_t>(s));
  return out;
}

}  // namespace ccteams::media
