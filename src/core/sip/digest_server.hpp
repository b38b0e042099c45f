#pragma once
// The server side of SIP digest authentication (RFC 3261 §22, RFC 2617 qop=auth, MD5): the
// challenge a registrar sends, and the judgement of the credentials a client answers with.
//
// Nonces are stateless and unforgeable (RFC 2617 §3.2.1): the issue time and a sequence number,
// sealed by a MAC the caller supplies (HMAC-SHA256 with a per-process secret in production), so
// a nonce we did not make, or one altered, is refused without any table. A nonce older than its
// lifetime with otherwise right credentials is answered with stale=TRUE, so the client retries
// with a new one without asking its user (libre 1.1.0 gives up without it). Replays are refused
// by the nonce count (RFC 2617 §3.2.2: nc must grow per nonce), kept for at most
// `max_tracked_nonces` nonces that authenticated someone: beyond, the oldest are forgotten and
// every nonce issued up to them counts as stale, so forgetting never lets a replay through.
// Pure: time comes in as an argument, the MAC as a function.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/sip/digest.hpp"
#include "core/sip/sip_credentials.hpp"
#include "core/sip/sip_message.hpp"
#include "core/time.hpp"

namespace ccteams::sip {

// A keyed MAC over `data` (any length of raw bytes, at least 16); the first 16 bytes seal a
// nonce. Must be unforgeable without the key.
using NonceMac = std::function<std::string(std::string_view data)>;

struct DigestServerConfig {
  std::string realm = "ccteams";
  std::chrono::seconds nonce_lifetime{300};
  std::size_t max_tracked_nonces = 10000;
};

class DigestServer {
 public:
  DigestServer(DigestServerConfig config, NonceMac mac);

  // A fresh challenge: a new nonce, qop="auth", algorithm=MD5, stale as given.
  DigestChallenge challenge(Timestamp now, bool stale);

  struct Outcome {
    enum class Kind : std::uint8_t {
      authenticated,  // `user` proved the password for this request
      challenge,      // 401 with a fresh nonce: none, wrong or unknown credentials, replay
      stale,          // 401 with a fresh nonce and stale=TRUE: right, but the nonce expired
      bad_request,    // 400: the Authorization header is malformed; `reason` says how
    };
    Kind kind = Kind::challenge;
    std::string user;    // authenticated
    std::string reason;  // a reason phrase: "Bad Request (...)", "Unauthorized (...)"
  };
  // Judges the request's Authorization for our realm (another realm's is ignored): parsed
  // (400 when malformed, without qop=auth, or its uri is not the Request-URI, RFC 2617
  // §3.2.2.5), the nonce ours and unaltered, the response right for the user's H(A1) from
  // `credentials`, the nonce fresh, its nc above the last one seen for it (which it records).
  Outcome authenticate(const SipMessage& request, const SipCredentials& credentials, Timestamp now);

  // The response for an Outcome other than authenticated: 401 with WWW-Authenticate (stale as
  // the outcome says), or 400.
  SipMessage refusal(const SipMessage& request, const Outcome& outcome, Timestamp now,
                     std::string_view to_tag);

  const std::string& realm() const { return config_.realm; }
  std::size_t tracked_nonces() const { return counts_.size(); }

 private:
  struct Issued {
    Timestamp at;
    std::uint64_t sequence = 0;
  };
  std::string seal(std::string_view body) const;
  // The nonce's issue time when it is one of ours, unaltered; nullopt otherwise.
  std::optional<Issued> open(std::string_view nonce) const;
  // Records nc for a nonce issued at `issued`; false when it does not grow (a replay) or the
  // nonce was forgotten.
  bool count(const std::string& nonce, const Issued& issued, std::uint32_t nc);

  DigestServerConfig config_;
  NonceMac mac_;
  std::uint64_t next_sequence_ = 0;
  struct Count {
    Issued issued;
    std::uint32_t nc = 0;
  };
  std::map<std::string, Count, std::less<>> counts_;
  // Every nonce issued before this (time, sequence) was forgotten or never counted: stale.
  std::optional<std::uint64_t> forgotten_up_to_;
};

}  // namespace ccteams::sip
