#pragma once
// Deterministic randomness for the emulator: the generated organisation, its ids and the
// fault-injection dice all come from one seed, so a run can be reproduced exactly.
// Not thread-safe; each owner keeps its own instance.

#include <cstdint>
#include <string>

namespace ccteams::emulator {

class SeededRandom {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed) {}

  // splitmix64: tiny, fast and statistically good enough for test data (not for secrets).
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n must be > 0.
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
  bool chance(double p) { return unit() < p; }

  // A version-4 shaped GUID, lower-case, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".
  std::string guid() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::uint64_t hi = next();
    std::uint64_t lo = next();
    hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
    lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
    std::string out;
    out.reserve(36);
    for (int i = 15; i >= 0; --i) {
      out.push_back(kHex[(hi >> (i * 4)) & 15]);
      if (i == 8 || i == 4) out.push_back('-');
    }
    out.push_back('-');
    for (int i = 15; i >= 0; --i) {
      out.push_back(kHex[(lo >> (i * 4)) & 15]);
      if (i == 12) out.push_back('-');
    }
    return out;
  }

 private:
  std::uint64_t state_;
};

}  // namespace ccteams::emulator
