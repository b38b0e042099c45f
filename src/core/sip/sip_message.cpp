#include "core/sip/sip_message.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace ccteams::sip {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

struct KnownHeader {
  std::string_view name;
  char compact;  // RFC 3261 §7.3.3 and the registry of compact forms; 0 when none
  bool list;
};

// The headers we name canonically. `list` marks the ones whose grammar is a comma-separated
// list (RFC 3261 §20); they are split into one Header per element.
constexpr std::array kKnown{
    KnownHeader{"Accept", 0, true},
    KnownHeader{"Accept-Contact", 'a', true},
    KnownHeader{"Accept-Encoding", 0, true},
    KnownHeader{"Accept-Language", 0, true},
    KnownHeader{"Alert-Info", 0, true},
    KnownHeader{"Allow", 0, true},
    KnownHeader{"Allow-Events", 'u', true},
    KnownHeader{"Authorization", 0, false},
    KnownHeader{"Call-ID", 'i', false},
    KnownHeader{"Call-Info", 0, true},
    KnownHeader{"Contact", 'm', true},
    KnownHeader{"Content-Disposition", 0, false},
    KnownHeader{"Content-Encoding", 'e', true},
    KnownHeader{"Content-Language", 0, true},
    KnownHeader{"Content-Length", 'l', false},
    KnownHeader{"Content-Type", 'c', false},
    KnownHeader{"CSeq", 0, false},
    KnownHeader{"Date", 0, false},
    KnownHeader{"Error-Info", 0, true},
    KnownHeader{"Event", 'o', false},
    KnownHeader{"Expires", 0, false},
    KnownHeader{"From", 'f', false},
    KnownHeader{"In-Reply-To", 0, true},
    KnownHeader{"Max-Forwards", 0, false},
    KnownHeader{"Min-Expires", 0, false},
    KnownHeader{"MIME-Version", 0, false},
    KnownHeader{"Organization", 0, false},
    KnownHeader{"P-Asserted-Identity", 0, true},
    KnownHeader{"Priority", 0, false},
    KnownHeader{"Proxy-Authenticate", 0, false},
    KnownHeader{"Proxy-Authorization", 0, false},
    KnownHeader{"Proxy-Require", 0, true},
    KnownHeader{"Record-Route", 0, true},
    KnownHeader{"Refer-To", 'r', false},
    KnownHeader{"Referred-By", 'b', false},
    KnownHeader{"Reject-Contact", 'j', true},
    KnownHeader{"Reply-To", 0, false},
    KnownHeader{"Require", 0, true},
    KnownHeader{"Retry-After", 0, false},
    KnownHeader{"Route", 0, true},
    KnownHeader{"Server", 0, false},
    KnownHeader{"Session-Expires", 'x', false},
    KnownHeader{"Subject", 's', false},
    KnownHeader{"Subscription-State", 0, false},
    KnownHeader{"Supported", 'k', true},
    KnownHeader{"Timestamp", 0, false},
    KnownHeader{"To", 't', false},
    KnownHeader{"Unsupported", 0, true},
    KnownHeader{"User-Agent", 0, false},
    KnownHeader{"Via", 'v', true},
    KnownHeader{"Warning", 0, true},
    KnownHeader{"WWW-Authenticate", 0, false},
};

const KnownHeader* find_known(std::string_view name) {
  if (name.size() == 1) {
    const char c = lower(name[0]);
    for (const auto& k : kKnown) {
      if (k.compact == c) return &k;
    }
    return nullptr;
  }
  for (const auto& k : kKnown) {
    if (iequals(k.name, name)) return &k;
  }
  return nullptr;
}

bool same_header(std::string_view stored, std::string_view wanted) {
  if (iequals(stored, wanted)) return true;
  const KnownHeader* k = find_known(wanted);
  return k != nullptr && iequals(stored, k->name);
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

std::string canonical_header_name(std::string_view name) {
  const KnownHeader* k = find_known(name);
  return k != nullptr ? std::string(k->name) : std::string(name);
}

bool is_list_header(std::string_view canonical_name) {
  const KnownHeader* k = find_known(canonical_name);
  return k != nullptr && k->list;
}

std::optional<std::string_view> SipMessage::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (same_header(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

std::vector<std::string_view> SipMessage::header_values(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& h : headers) {
    if (same_header(h.name, name)) out.emplace_back(h.value);
  }
  return out;
}

void SipMessage::add_header(std::string_view name, std::string value) {
  headers.push_back(Header{canonical_header_name(name), std::move(value)});
}

void SipMessage::set_header(std::string_view name, std::string value) {
  auto first = std::find_if(headers.begin(), headers.end(),
                            [&](const Header& h) { return same_header(h.name, name); });
  if (first == headers.end()) {
    add_header(name, std::move(value));
    return;
  }
  first->value = std::move(value);
  headers.erase(std::remove_if(std::next(first), headers.end(),
                               [&](const Header& h) { return same_header(h.name, name); }),
                headers.end());
}

void SipMessage::remove_header(std::string_view name) {
  std::erase_if(headers, [&](const Header& h) { return same_header(h.name, name); });
}

std::string serialize(const SipMessage& message) {
  std::string out;
  out.reserve(256 + message.body.size());
  if (message.is_request) {
    out.append(message.method).append(" ").append(message.request_uri).append(" SIP/2.0\r\n");
  } else {
    out.append("SIP/2.0 ").append(std::to_string(message.status_code)).append(" ");
    out.append(message.reason.empty() ? default_reason(message.status_code) : message.reason);
    out.append("\r\n");
  }
  for (const auto& h : message.headers) {
    if (iequals(h.name, "Content-Length")) continue;
    out.append(h.name).append(": ");
    // A value built from outside input (a caller's display name) must not start a new line.
    for (const char c : h.value) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
    out.append("\r\n");
  }
  // Always written: a stream peer cannot frame the message without it (RFC 3261 §18.3).
  out.append("Content-Length: ").append(std::to_string(message.body.size())).append("\r\n\r\n");
  out.append(message.body);
  return out;
}

std::string_view default_reason(int status_code) {
  switch (status_code) {
    case 100:
      return "Trying";
    case 180:
      return "Ringing";
    case 181:
      return "Call Is Being Forwarded";
    case 182:
      return "Queued";
    case 183:
      return "Session Progress";
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Timeout";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Unsupported URI Scheme";
    case 420:
      return "Bad Extension";
    case 423:
      return "Interval Too Brief";
    case 480:
      return "Temporarily Unavailable";
    case 481:
      return "Call/Transaction Does Not Exist";
    case 482:
      return "Loop Detected";
    case 483:
      return "Too Many Hops";
    case 486:
      return "Busy Here";
    case 487:
      return "Request Terminated";
    case 488:
      return "Not Acceptable Here";
    case 491:
      return "Request Pending";
    case 500:
      return "Server Internal Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Server Time-out";
    case 505:
      return "Version Not Supported";
    case 513:
      return "Message Too Large";
    case 600:
      return "Busy Everywhere";
    case 603:
      return "Decline";
    default:
      return "";
  }
}

}  // namespace ccteams::sip
