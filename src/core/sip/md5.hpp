#pragma once
// MD5 (RFC 1321), for SIP digest authentication only (RFC 2617 / RFC 3261 §22: SIPp 3.6.1 and
// baresip 1.0.0 speak nothing else). Not for anything that needs collision resistance. Kept in
// the pure core, so that the registrar's checks are unit-tested without OpenSSL.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace ccteams::sip {

class Md5 {
 public:
  Md5();
  void update(std::string_view data);
  std::array<std::uint8_t, 16> finish();  // the object is spent afterwards

 private:
  void block(const std::uint8_t* p);
  std::array<std::uint32_t, 4> state_;
  std::array<std::uint8_t, 64> buffer_{};
  std::uint64_t length_ = 0;  // bytes so far
};

// Lower-case hex of MD5(data): "d41d8cd98f00b204e9800998ecf8427e" for "".
std::string md5_hex(std::string_view data);

}  // namespace ccteams::sip
