#pragma once
// A registrar's location service (RFC 3261 §10.3): the contacts each address-of-record is
// bound to, updated by REGISTER requests and read by whoever sends INVITEs to registered phones.
// Pure: time comes in as an argument; bindings past their expiry are dropped when read, so no
// timers are needed.
//
// The index of an address-of-record is the user part of its canonical To URI (§10.3 step 5:
// parameters removed, escapes resolved): ccteams serves one domain under whatever host or
// address its phones use (step 3, "is this domain ours", is not checked), so "agent1@127.0.0.1"
// and "agent1@pbx.example" are the one extension agent1.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sip/sip_error.hpp"
#include "core/sip/sip_headers.hpp"
#include "core/sip/sip_message.hpp"
#include "core/time.hpp"

namespace ccteams::sip {

struct RegistrarLimits {
  // Below this (and above 0) a requested expiry gets 423 with Min-Expires (§10.3 step 7).
  std::chrono::seconds min_expires{60};
  std::chrono::seconds max_expires{3600};      // above: shortened to this
  std::chrono::seconds default_expires{3600};  // neither `expires` nor Expires (§10.3 step 7)
  std::size_t max_bindings_per_aor = 8;        // beyond: 403, nothing changes
};

// Where the REGISTER that made a binding came from: requests to the phone go there (the
// received/rport of RFC 3581 over UDP, the connection's peer over TCP), since a phone behind
// NAT cannot be reached at its Contact.
struct BindingSource {
  std::string transport;  // "UDP" or "TCP"
  std::string address;    // IP address
  std::uint16_t port = 0;
  friend bool operator==(const BindingSource&, const BindingSource&) = default;
};

struct Binding {
  NameAddr contact;  // as registered, without its expires parameter; INVITEs go to its uri
  std::string call_id;
  std::uint32_t cseq = 0;
  Timestamp expires_at;
  BindingSource source;
  friend bool operator==(const Binding&, const Binding&) = default;
};

// The AOR's user part of a REGISTER's To URI with %-escapes resolved; 400 when To is not a SIP
// URI with a user part (416 for another scheme).
SipResult<std::string> aor_user(const SipMessage& request);

// What a REGISTER came to: 200 and the AOR's bindings (a Contact value each, with its remaining
// `expires`), or a refusal: 400 (a malformed Contact or Expires, `*` with other contacts or a
// non-zero expiry), 423 with `min_expires`, 403 (too many contacts), 500 (an out-of-order
// CSeq on the same Call-ID, §10.3 step 7).
struct RegisterOutcome {
  int status = 200;
  std::string reason;  // a reason phrase naming the fault ("" for the default)
  std::vector<std::string> contacts;
  std::optional<std::chrono::seconds> min_expires;
};

class SipBindings {
 public:
  explicit SipBindings(RegistrarLimits limits = {}) : limits_(limits) {}

  // Applies a REGISTER for `user` (authenticated and known: the caller checked) atomically
  // (§10.3 steps 6-8): either every Contact's update is made, or none.
  RegisterOutcome update(std::string_view user, const SipMessage& request,
                         const BindingSource& source, Timestamp now);
  // The user's current bindings (expired ones are dropped first).
  std::vector<Binding> bindings(std::string_view user, Timestamp now);
  std::size_t aor_count() const { return aors_.size(); }
  const RegistrarLimits& limits() const { return limits_; }

 private:
  RegistrarLimits limits_;
  std::map<std::string, std::vector<Binding>, std::less<>> aors_;
};

}  // namespace ccteams::sip
