#include "core/sip/digest_server.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "core/sip/server_transaction.hpp"

namespace ccteams::sip {
namespace {

constexpr std::size_t kFieldHex = 16;  // a 64-bit field as hex
constexpr std::size_t kMacHex = 32;    // 16 bytes of MAC as hex
constexpr std::size_t kNonceSize = 2 * kFieldHex + kMacHex;

std::string hex(std::string_view bytes) {
  constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0F]);
  }
  return out;
}

std::string hex64(std::uint64_t v) {
  std::string out(kFieldHex, '0');
  constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < kFieldHex; ++i) out[kFieldHex - 1 - i] = kHex[(v >> (4 * i)) & 0xF];
  return out;
}

std::optional<std::uint64_t> parse_hex(std::string_view text) {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 16);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

// Constant time over equal lengths: the time taken tells nothing of where a forgery differs.
bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |=
        static_cast<unsigned>(static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]));
  }
  return diff == 0;
}

using Kind = DigestServer::Outcome::Kind;

DigestServer::Outcome outcome(Kind kind, std::string reason = {}) {
  return DigestServer::Outcome{kind, {}, std::move(reason)};
}

}  // namespace

DigestServer::DigestServer(DigestServerConfig config, NonceMac mac)
    : config_(std::move(config)), mac_(std::move(mac)) {}

std::string DigestServer::seal(std::string_view body) const {
  const std::string mac = mac_(body);
  return hex(std::string_view(mac).substr(0, kMacHex / 2));
}

DigestChallenge DigestServer::challenge(Timestamp now, bool stale) {
  const std::string body =
      hex64(static_cast<std::uint64_t>(to_unix_millis(now))) + hex64(next_sequence_++);
  DigestChallenge c;
  c.realm = config_.realm;
  c.nonce = body + seal(body);
  c.qop_auth = true;
  c.stale = stale;
  return c;
}

std::optional<DigestServer::Issued> DigestServer::open(std::string_view nonce) const {
  if (nonce.size() != kNonceSize) return std::nullopt;
  const std::string_view body = nonce.substr(0, 2 * kFieldHex);
  if (!equal_constant_time(seal(body), nonce.substr(2 * kFieldHex))) return std::nullopt;
  const auto at = parse_hex(body.substr(0, kFieldHex));
  const auto sequence = parse_hex(body.substr(kFieldHex));
  if (!at || !sequence) return std::nullopt;
  return Issued{from_unix_millis(static_cast<std::int64_t>(*at)), *sequence};
}

bool DigestServer::count(const std::string& nonce, const Issued& issued, std::uint32_t nc) {
  auto it = counts_.find(nonce);
  if (it == counts_.end()) {
    if (forgotten_up_to_ && issued.sequence <= *forgotten_up_to_) return false;
    it = counts_.emplace(nonce, Count{issued, 0}).first;
  }
  if (nc <= it->second.nc) return false;
  it->second.nc = nc;
  return true;
}

DigestServer::Outcome DigestServer::authenticate(const SipMessage& request,
                                                 const SipCredentials& credentials, Timestamp now) {
  // One Authorization per realm (RFC 3261 §22.2); another realm's is not ours to judge.
  std::optional<DigestCredentials> creds;
  for (const std::string_view value : request.header_values("Authorization")) {
    auto parsed = parse_credentials(value);
    if (!parsed) return outcome(Kind::bad_request, parsed.error().reason);
    if (parsed->realm == config_.realm) {
      creds = std::move(*parsed);
      break;
    }
  }
  if (!creds) return outcome(Kind::challenge);
  // We always offer qop=auth, and a client MUST answer with it (RFC 3261 §22.4).
  if (creds->qop.empty())
    return outcome(Kind::bad_request, "Bad Request (digest without qop=auth)");
  // RFC 2617 §3.2.2.5: the digest-uri names the Request-URI, or the request is refused.
  if (creds->uri != request.request_uri) {
    return outcome(Kind::bad_request, "Bad Request (digest uri is not the Request-URI)");
  }
  const auto issued = open(creds->nonce);
  if (!issued) return outcome(Kind::challenge);
  const auto ha1 = credentials.ha1(creds->username);
  // An unknown user and a wrong password look the same from outside.
  if (!ha1 || !verify_digest(*creds, *ha1, request.method)) return outcome(Kind::challenge);
  if (now >= issued->at + config_.nonce_lifetime || issued->at > now + std::chrono::seconds(5)) {
    return outcome(Kind::stale);
  }
  // Tracking only nonces that authenticated someone: the table cannot be filled without a
  // password. Expired ones are refused by age anyway, so they go first.
  if (counts_.size() >= config_.max_tracked_nonces && !counts_.contains(creds->nonce)) {
    std::erase_if(counts_, [&](const auto& entry) {
      return now >= entry.second.issued.at + config_.nonce_lifetime;
    });
    while (counts_.size() >= config_.max_tracked_nonces) {
      const auto oldest =
          std::min_element(counts_.begin(), counts_.end(), [](const auto& a, const auto& b) {
            return a.second.issued.sequence < b.second.issued.sequence;
          });
      forgotten_up_to_ = std::max(forgotten_up_to_.value_or(0), oldest->second.issued.sequence);
      counts_.erase(oldest);
    }
  }
  const auto nc = parse_hex(creds->nc);
  if (!nc || *nc > 0xFFFFFFFFu || !count(creds->nonce, *issued, static_cast<std::uint32_t>(*nc))) {
    // A nonce forgotten is stale (the client retries at once); a count that does not grow is
    // a replay.
    if (nc && forgotten_up_to_ && issued->sequence <= *forgotten_up_to_ &&
        !counts_.contains(creds->nonce)) {
      return outcome(Kind::stale);
    }
    return outcome(Kind::challenge, "Unauthorized (nonce count replayed)");
  }
  return Outcome{Kind::authenticated, creds->username, {}};
}

SipMessage DigestServer::refusal(const SipMessage& request, const Outcome& outcome, Timestamp now,
                                 std::string_view to_tag) {
  if (outcome.kind == Kind::bad_request) {
    return make_response(request, 400, to_tag, outcome.reason);
  }
  SipMessage r = make_response(request, 401, to_tag, outcome.reason);
  r.add_header("WWW-Authenticate", format_challenge(challenge(now, outcome.kind == Kind::stale)));
  return r;
}

}  // namespace ccteams::sip
