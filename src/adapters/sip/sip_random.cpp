#include "adapters/sip/sip_random.hpp"

#include <openssl/rand.h>

namespace ccteams::sip {

std::string random_tag() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return "ccteams";
  constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0F]);
  }
  return out;
}

std::uint64_t random_session_id() {
  std::uint64_t id = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&id), sizeof id) != 1) return 1;
  return id >> 2;
}

SdpOrigin new_sdp_origin(const std::string& address) {
  SdpOrigin origin;
  origin.session_id = random_session_id();
  origin.session_version = origin.session_id;
  origin.address = address;
  if (address.find(':') != std::string::npos) origin.address_type = "IP6";
  return origin;
}

}  // namespace ccteams::sip
