#pragma once
// A SIP message as values (RFC 3261 §7): a request or a response, its headers in order, and its
// body. Pure: parsing is in sip_parser.hpp, the structured header values in sip_headers.hpp.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccteams::sip {

// One header value. A header line with a comma-separated list (Via, Contact, Route...) is held
// as one Header per element, in order; other headers (WWW-Authenticate, Date...) keep their
// commas. `name` is the canonical long form for the headers we know ("Call-ID" for "i" or
// "call-id"), the name as received otherwise.
struct Header {
  std::string name;
  std::string value;
  friend bool operator==(const Header&, const Header&) = default;
};

struct SipMessage {
  bool is_request = true;
  // Request line (is_request).
  std::string method;       // "INVITE"; case-sensitive (RFC 3261 §7.1)
  std::string request_uri;  // "sip:+4930123456@trunk;user=phone", as received
  // Status line (!is_request).
  int status_code = 0;  // 100-699
  std::string reason;
  std::vector<Header> headers;
  std::string body;

  // The first value of a header, names compared case-insensitively and compact forms
  // accepted ("v" finds "Via"); nullopt when absent.
  std::optional<std::string_view> header(std::string_view name) const;
  // Every value of a header, in order.
  std::vector<std::string_view> header_values(std::string_view name) const;
  bool has_header(std::string_view name) const { return header(name).has_value(); }
  // Appends one value (name canonicalised).
  void add_header(std::string_view name, std::string value);
  // Replaces every value of a header by one (appends when absent).
  void set_header(std::string_view name, std::string value);
  void remove_header(std::string_view name);

  friend bool operator==(const SipMessage&, const SipMessage&) = default;
};

// "Via" for "v", "VIA" or "via"; the name unchanged when it is not one we know.
std::string canonical_header_name(std::string_view name);
// Whether values of this header may be comma-separated lists (RFC 3261 §7.3.1: the headers
// whose grammar is a comma list). Authentication headers are not: their parameters hold commas.
bool is_list_header(std::string_view canonical_name);
bool iequals(std::string_view a, std::string_view b);

// The message on the wire: start line, headers one value per line (a CR or LF in a value is
// written as a space), Content-Length set from the body (any Content-Length in `headers` is
// replaced), a blank line, the body.
std::string serialize(const SipMessage& message);

// The default reason phrase of a status code ("Not Found" for 404), "" when we have none.
std::string_view default_reason(int status_code);

}  // namespace ccteams::sip
