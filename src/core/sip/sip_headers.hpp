#pragma once
// The structured SIP header values the transaction and dialog layers read (RFC 3261 §19-20):
// URIs, Via, name-addr (From, To, Contact, Route), CSeq. Parsers take one header value (a list
// header's element, as SipMessage holds it) and never read outside it; formatters write what the
// parsers read back.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sip/sip_error.hpp"

namespace ccteams::sip {

// A `;name[=value]` parameter; a flag (`;lr`, an empty `;rport`) has no value. Values are kept
// as received (a quoted value keeps its quotes).
struct Param {
  std::string name;
  std::optional<std::string> value;
  friend bool operator==(const Param&, const Param&) = default;
};
using Params = std::vector<Param>;

// The parameter's value ("" for a flag), names compared case-insensitively; nullopt if absent.
std::optional<std::string_view> find_param(const Params& params, std::string_view name);
// Sets (or adds) a parameter; nullopt makes it a flag.
void set_param(Params& params, std::string_view name, std::optional<std::string> value);
std::string format_params(const Params& params);  // ";a=1;lr" ("" when empty)

struct HostPort {
  std::string host;  // a name, an IPv4 address, or an IPv6 reference with its brackets
  std::optional<std::uint16_t> port;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};
std::string format_host_port(const HostPort& hp);
// host [":" port]; the host a name, IPv4, or "[IPv6]"; the port 1-65535.
SipResult<HostPort> parse_host_port(std::string_view text);

// sip: and sips: URIs (RFC 3261 §19.1). Other schemes (tel:...) give 416.
struct SipUri {
  std::string scheme = "sip";  // "sip" or "sips", lower case
  std::string user;            // "+4930123456", "agent1"; may be empty
  std::string password;
  HostPort host;
  Params params;        // ";transport=tcp;lr;user=phone"
  std::string headers;  // after '?', as received
  friend bool operator==(const SipUri&, const SipUri&) = default;
};
SipResult<SipUri> parse_sip_uri(std::string_view text);
std::string format_sip_uri(const SipUri& uri);

// One Via value: "SIP/2.0/UDP host:port;branch=z9hG4bK...;rport".
struct Via {
  std::string transport;  // "UDP", "TCP", "TLS"..., upper case
  HostPort sent_by;
  Params params;

  std::optional<std::string_view> branch() const { return find_param(params, "branch"); }
  std::optional<std::string_view> received() const { return find_param(params, "received"); }
  // "" when the client asked for rport without a value (RFC 3581 §4).
  std::optional<std::string_view> rport() const { return find_param(params, "rport"); }
  friend bool operator==(const Via&, const Via&) = default;
};
SipResult<Via> parse_via(std::string_view text);
std::string format_via(const Via& via);
// The branch starts with RFC 3261's magic cookie "z9hG4bK" (§8.1.1.7): the transaction id is
// the branch; otherwise the peer follows RFC 2543 and matching needs more fields.
bool has_rfc3261_branch(const Via& via);
// What a server does to the top Via of a request it received from source_ip:source_port
// (RFC 3261 §18.2.1, RFC 3581 §4): adds received= when sent-by is not that address, or when
// the client asked for rport; fills an empty rport with the source port.
void stamp_received(Via& via, std::string_view source_ip, std::uint16_t source_port);
// Where a response over UDP goes (RFC 3261 §18.2.2, RFC 3581 §4): received (else the sent-by
// host), and the rport value (else the sent-by port, else 5060).
HostPort udp_response_target(const Via& via);

// From, To, Contact, Route, Record-Route: [display-name] <uri> *(;param), or an addr-spec whose
// parameters belong to the header (RFC 3261 §20.10).
struct NameAddr {
  std::string display_name;  // unquoted
  std::string uri;           // as received, without the angle brackets
  Params params;             // ";tag=..." for From and To, ";expires=" for Contact

  std::optional<std::string_view> tag() const { return find_param(params, "tag"); }
  friend bool operator==(const NameAddr&, const NameAddr&) = default;
};
SipResult<NameAddr> parse_name_addr(std::string_view text);
std::string format_name_addr(const NameAddr& addr);  // always with <>

struct CSeq {
  std::uint32_t number = 0;  // below 2^31 (RFC 3261 §8.1.1.5)
  std::string method;
  friend bool operator==(const CSeq&, const CSeq&) = default;
};
SipResult<CSeq> parse_cseq(std::string_view text);
std::string format_cseq(const CSeq& cseq);

// RFC 3261 §25.1 token characters (method names, header names, parameter names).
bool is_token(std::string_view text);

}  // namespace ccteams::sip
