#include "core/media/wav.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/sip/g711.hpp"

namespace ccteams::media {
namespace {

using Bytes = std::vector<std::uint8_t>;

void put(Bytes& b, std::string_view s) { b.insert(b.end(), s.begin(), s.end()); }
void put16(Bytes& b, std::uint32_t v) {
  b.push_back(static_cast<std::uint8_t>(v));
  b.push_back(static_cast<std::uint8_t>(v >> 8));
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, v & 0xFFFF);
  put16(b, v >> 16);
}

struct Fmt {
  std::uint16_t tag = 1;
  std::uint16_t channels = 1;
  std::uint32_t rate = 8000;
  std::uint16_t bits = 16;
  std::optional<std::uint16_t> sub_format;  // WAVE_FORMAT_EXTENSIBLE
};

// A RIFF file with a LIST chunk (odd-sized, so padded) before "fmt ", as many tools write.
Bytes wav(const Fmt& f, const Bytes& data) {
  Bytes fmt;
  put16(fmt, f.sub_format ? 0xFFFE : f.tag);
  put16(fmt, f.channels);
  put32(fmt, f.rate);
  put32(fmt, f.rate * f.channels * f.bits / 8);
  put16(fmt, static_cast<std::uint16_t>(f.channels * f.bits / 8));
  put16(fmt, f.bits);
  if (f.sub_format) {
    put16(fmt, 22);
    put16(fmt, f.bits);
    put32(fmt, 4);  // channel mask
    put16(fmt, *f.sub_format);
    put(fmt, std::string(14, 'G'));  // the rest of the GUID
  }
  Bytes body;
  put(body, "WAVE");
  put(body, "LIST");
  put32(body, 3);
  put(body, "abc");
  body.push_back(0);
  put(body, "fmt ");
  put32(body, static_cast<std::uint32_t>(fmt.size()));
  body.insert(body.end(), fmt.begin(), fmt.end());
  put(body, "data");
  put32(body, static_cast<std::uint32_t>(data.size()));
  body.insert(body.end(), data.begin(), data.end());
  Bytes out;
  put(out, "RIFF");
  put32(out, static_cast<std::uint32_t>(body.size()));
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

TEST(Wav, ReadsTheThreeTelephonyFormats) {
  const std::int16_t linear[] = {0, 1000, -1000, 32767, -32768};
  Bytes pcm;
  for (auto s : linear) put16(pcm, static_cast<std::uint16_t>(s));
  Bytes ulaw, alaw;
  for (auto s : linear) {
    ulaw.push_back(sip::linear_to_ulaw(s));
    alaw.push_back(sip::linear_to_alaw(s));
  }
  struct Case {
    const char* name;
    Bytes file;
    std::vector<std::int16_t> want;
  };
  std::vector<std::int16_t> want_pcm(std::begin(linear), std::end(linear));
  std::vector<std::int16_t> want_ulaw, want_alaw;
  for (auto c : ulaw) want_ulaw.push_back(sip::ulaw_to_linear(c));
  for (auto c : alaw) want_alaw.push_back(sip::alaw_to_linear(c));
  const std::vector<Case> cases = {
      {"pcm16", wav({}, pcm), want_pcm},
      {"ulaw", wav({.tag = 7, .bits = 8}, ulaw), want_ulaw},
      {"alaw", wav({.tag = 6, .bits = 8}, alaw), want_alaw},
      {"extensible pcm16", wav({.sub_format = 1}, pcm), want_pcm},
      {"extensible ulaw", wav({.bits = 8, .sub_format = 7}, ulaw), want_ulaw},
  };
  for (const auto& c : cases) {
    auto audio = parse_wav(c.file);
    ASSERT_TRUE(audio) << c.name << ": " << audio.error().message;
    EXPECT_EQ(audio->samples, c.want) << c.name;
  }
}

TEST(Wav, RefusesOtherFormatsNamingWhatItFound) {
  const Bytes two_samples = {0, 0, 0, 0};
  Bytes truncated = wav({}, two_samples);
  truncated.resize(truncated.size() - 1);
  Bytes no_data = wav({}, two_samples);
  no_data.resize(no_data.size() - 12);  // "data", its size and the samples
  Bytes riff_only;
  put(riff_only, "RIFF");
  put32(riff_only, 4);
  put(riff_only, "WAVE");
  struct Case {
    const char* name;
    Bytes file;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"empty", {}, "not a RIFF/WAVE file"},
      {"text", Bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!'},
       "not a RIFF/WAVE file"},
      {"44.1 kHz", wav({.rate = 44100}, two_samples), "sample rate 44100 Hz"},
      {"stereo", wav({.channels = 2}, two_samples), "2 channels"},
      {"8-bit PCM", wav({.bits = 8}, two_samples), "PCM with 8 bits per sample"},
      {"16-bit u-law", wav({.tag = 7, .bits = 16}, two_samples), "u-law with 16 bits"},
      {"float", wav({.tag = 3, .bits = 32}, two_samples), "IEEE float is not supported"},
      {"mp3", wav({.tag = 0x55}, two_samples), "MP3 is not supported"},
      {"extensible float", wav({.bits = 32, .sub_format = 3}, two_samples), "IEEE float"},
      {"truncated", truncated, "chunk \"data\" runs past the end"},
      {"no data", no_data, "no \"data\" chunk"},
      {"no fmt", riff_only, "no \"fmt \" chunk"},
  };
  for (const auto& c : cases) {
    auto audio = parse_wav(c.file);
    ASSERT_FALSE(audio) << c.name;
    EXPECT_EQ(audio.error().code, Errc::invalid_input) << c.name;
    EXPECT_NE(audio.error().message.find(c.says), std::string::npos)
        << c.name << ": " << audio.error().message;
    EXPECT_NE(audio.error().message.find("8000 Hz mono"), std::string::npos) << c.name;
  }
}

TEST(Wav, WhatItBuildsReadsBack) {
  const PcmAudio audio{{1, -2, 300, -32768, 32767}};
  auto back = parse_wav(build_wav(audio));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->samples, audio.samples);
}

}  // namespace
}  // namespace ccteams::media
