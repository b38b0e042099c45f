#pragma once
// Who may register which extension (RFC 3261 §10.3 step 2, §22): a port from an extension name
// (an address-of-record's user part, "agent1") to its digest H(A1) = MD5(user:realm:password)
// (RFC 2617 §3.2.2.2), so that a registrar never holds passwords in clear (RFC 2617 §4.13).
// The in-memory implementation serves tests and the demo; an admin-managed store comes later.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/sip/digest.hpp"

namespace ccteams::sip {

class SipCredentials {
 public:
  virtual ~SipCredentials() = default;
  // The extension's H(A1) for our realm (32 lower-case hex digits), or nullopt when there is
  // no such extension. Called on the SIP server's strand; must not block.
  virtual std::optional<std::string> ha1(std::string_view extension) const = 0;
};

class InMemorySipCredentials : public SipCredentials {
 public:
  explicit InMemorySipCredentials(std::string realm) : realm_(std::move(realm)) {}
  // Adds or replaces an extension; only H(A1) is kept.
  void set_password(std::string_view extension, std::string_view password) {
    ha1_[std::string(extension)] = digest_ha1(extension, realm_, password);
  }
  std::optional<std::string> ha1(std::string_view extension) const override {
    const auto it = ha1_.find(extension);
    if (it == ha1_.end()) return std::nullopt;
    return it->second;
  }

 private:
  std::string realm_;
  std::map<std::string, std::string, std::less<>> ha1_;
};

}  // namespace ccteams::sip
