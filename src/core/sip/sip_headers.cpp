#include "core/sip/sip_headers.hpp"

#include <algorithm>
#include <charconv>

#include "core/sip/sip_message.hpp"

namespace ccteams::sip {
namespace {

constexpr std::string_view kSpace = " \t";

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(kSpace);
  return s.substr(b, e - b + 1);
}

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_host_char(char c) { return is_alnum(c) || c == '-' || c == '.' || c == '_'; }

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// The first `stop` character outside a quoted string (honouring \-escapes in it); npos if none,
// and npos in `*unterminated` when a quote is left open.
std::size_t find_unquoted(std::string_view s, char stop, bool* unterminated = nullptr) {
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == stop) {
      return i;
    }
  }
  if (unterminated != nullptr) *unterminated = quoted;
  return std::string_view::npos;
}

// Parses ";a=1;b" (text starts after the first ';'); names must be tokens.
SipResult<Params> parse_params(std::string_view text, std::string_view what) {
  Params out;
  while (true) {
    bool open = false;
    const auto end = find_unquoted(text, ';', &open);
    if (open) return bad_request("unterminated quote in " + std::string(what));
    const std::string_view item = trim(text.substr(0, end));
    const auto eq = item.find('=');
    const std::string_view name = trim(item.substr(0, eq));
    if (!is_token(name)) return bad_request("bad parameter in " + std::string(what));
    Param p{std::string(name), std::nullopt};
    if (eq != std::string_view::npos) p.value = std::string(trim(item.substr(eq + 1)));
    out.push_back(std::move(p));
    if (end == std::string_view::npos) return out;
    text.remove_prefix(end + 1);
  }
}

std::string unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) ++i;
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace

bool is_token(std::string_view text) {
  if (text.empty()) return false;
  constexpr std::string_view kMarks = "-.!%*_+`'~";
  return std::all_of(text.begin(), text.end(), [&](char c) {
    return is_alnum(c) || kMarks.find(c) != std::string_view::npos;
  });
}

std::optional<std::string_view> find_param(const Params& params, std::string_view name) {
  for (const auto& p : params) {
    if (iequals(p.name, name)) return p.value ? std::string_view(*p.value) : std::string_view();
  }
  return std::nullopt;
}

void set_param(Params& params, std::string_view name, std::optional<std::string> value) {
  for (auto& p : params) {
    if (iequals(p.name, name)) {
      p.value = std::move(value);
      return;
    }
  }
  params.push_back(Param{std::string(name), std::move(value)});
}

std::string format_params(const Params& params) {
  std::string out;
  for (const auto& p : params) {
    out.append(";").append(p.name);
    if (p.value) out.append("=").append(*p.value);
  }
  return out;
}

std::string format_host_port(const HostPort& hp) {
  std::string out = hp.host;
  if (hp.port) out.append(":").append(std::to_string(*hp.port));
  return out;
}

SipResult<HostPort> parse_host_port(std::string_view text) {
  HostPort out;
  std::string_view rest;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close < 3) return bad_request("bad IPv6 reference");
    const std::string_view inside = text.substr(1, close - 1);
    const bool ok = std::all_of(inside.begin(), inside.end(),
                                [](char c) { return is_alnum(c) || c == ':' || c == '.'; });
    if (!ok) return bad_request("bad IPv6 reference");
    out.host = std::string(text.substr(0, close + 1));
    rest = text.substr(close + 1);
  } else {
    const auto colon = text.find(':');
    const std::string_view host = text.substr(0, colon);
    if (host.empty() || !std::all_of(host.begin(), host.end(), is_host_char)) {
      return bad_request("bad host");
    }
    out.host = std::string(host);
    rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon);
  }
  if (rest.empty()) return out;
  if (rest.front() != ':' || rest.size() < 2 || rest.size() > 6) return bad_request("bad port");
  unsigned port = 0;
  const auto digits = rest.substr(1);
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || port == 0 || port > 65535) {
    return bad_request("bad port");
  }
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

SipResult<SipUri> parse_sip_uri(std::string_view text) {
  SipUri uri;
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return bad_request("bad URI");
  const std::string_view scheme = text.substr(0, colon);
  if (iequals(scheme, "sip")) {
    uri.scheme = "sip";
  } else if (iequals(scheme, "sips")) {
    uri.scheme = "sips";
  } else {
    return SipParseError{416, "Unsupported URI Scheme"};
  }
  std::string_view rest = text.substr(colon + 1);
  if (const auto at = rest.find('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    const auto pw = userinfo.find(':');
    uri.user = std::string(userinfo.substr(0, pw));
    if (pw != std::string_view::npos) uri.password = std::string(userinfo.substr(pw + 1));
    if (uri.user.empty()) return bad_request("empty user in URI");
    rest.remove_prefix(at + 1);
  }
  if (const auto q = rest.find('?'); q != std::string_view::npos) {
    uri.headers = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  const auto semi = rest.find(';');
  auto hp = parse_host_port(rest.substr(0, semi));
  if (!hp) return std::move(hp).error();
  uri.host = std::move(*hp);
  if (semi != std::string_view::npos) {
    auto params = parse_params(rest.substr(semi + 1), "URI");
    if (!params) return std::move(params).error();
    uri.params = std::move(*params);
  }
  return uri;
}

std::string format_sip_uri(const SipUri& uri) {
  std::string out = uri.scheme + ":";
  if (!uri.user.empty()) {
    out.append(uri.user);
    if (!uri.password.empty()) out.append(":").append(uri.password);
    out.append("@");
  }
  out.append(format_host_port(uri.host)).append(format_params(uri.params));
  if (!uri.headers.empty()) out.append("?").append(uri.headers);
  return out;
}

SipResult<Via> parse_via(std::string_view text) {
  // sent-protocol: name / version / transport, with optional whitespace around the slashes.
  Via via;
  std::string_view rest = trim(text);
  std::string_view parts[3];
  for (int i = 0; i < 3; ++i) {
    const auto end = i < 2 ? rest.find('/') : rest.find_first_of(kSpace);
    if (end == std::string_view::npos) return bad_request("bad Via");
    parts[i] = trim(rest.substr(0, end));
    rest = trim(rest.substr(end + 1));
  }
  if (!iequals(parts[0], "SIP") || parts[1] != "2.0" || !is_token(parts[2])) {
    return bad_request("bad Via");
  }
  via.transport = to_upper(parts[2]);
  const auto semi = find_unquoted(rest, ';');
  auto hp = parse_host_port(trim(rest.substr(0, semi)));
  if (!hp) return bad_request("bad Via sent-by");
  via.sent_by = std::move(*hp);
  if (semi != std::string_view::npos) {
    auto params = parse_params(rest.substr(semi + 1), "Via");
    if (!params) return std::move(params).error();
    via.params = std::move(*params);
  }
  return via;
}

std::string format_via(const Via& via) {
  return "SIP/2.0/" + via.transport + " " + format_host_port(via.sent_by) +
         format_params(via.params);
}

bool has_rfc3261_branch(const Via& via) {
  const auto b = via.branch();
  return b && b->size() > 7 && b->starts_with("z9hG4bK");
}

void stamp_received(Via& via, std::string_view source_ip, std::uint16_t source_port) {
  const auto rport = via.rport();
  if (rport) set_param(via.params, "rport", std::to_string(source_port));
  // An IPv6 source is compared without the brackets sent-by carries.
  std::string_view host = via.sent_by.host;
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (rport || host != source_ip) set_param(via.params, "received", std::string(source_ip));
}

HostPort udp_response_target(const Via& via) {
  HostPort out;
  const auto received = via.received();
  out.host = received && !received->empty() ? std::string(*received) : via.sent_by.host;
  unsigned port = 0;
  const auto rport = via.rport();
  if (rport && !rport->empty()) {
    const auto [ptr, ec] = std::from_chars(rport->data(), rport->data() + rport->size(), port);
    if (ec != std::errc() || ptr != rport->data() + rport->size() || port > 65535) port = 0;
  }
  out.port = port != 0 ? static_cast<std::uint16_t>(port) : via.sent_by.port.value_or(5060);
  return out;
}

SipResult<NameAddr> parse_name_addr(std::string_view text) {
  NameAddr out;
  text = trim(text);
  bool open = false;
  const auto lt = find_unquoted(text, '<', &open);
  if (open) return bad_request("unterminated quote in address");
  std::string_view params;
  if (lt != std::string_view::npos) {
    const auto gt = text.find('>', lt);
    if (gt == std::string_view::npos) return bad_request("missing '>' in address");
    out.display_name = unquote(trim(text.substr(0, lt)));
    out.uri = std::string(trim(text.substr(lt + 1, gt - lt - 1)));
    params = trim(text.substr(gt + 1));
    if (!params.empty() && params.front() != ';') return bad_request("text after '>' in address");
  } else {
    const auto semi = text.find(';');
    out.uri = std::string(trim(text.substr(0, semi)));
    if (semi != std::string_view::npos) params = text.substr(semi);
  }
  if (out.uri.empty() || out.uri.find(':') == std::string::npos) {
    return bad_request("bad URI in address");
  }
  if (!params.empty()) {
    auto parsed = parse_params(params.substr(1), "address");
    if (!parsed) return std::move(parsed).error();
    out.params = std::move(*parsed);
  }
  return out;
}

std::string format_name_addr(const NameAddr& addr) {
  std::string out;
  if (!addr.display_name.empty()) {
    out.push_back('"');
    for (const char c : addr.display_name) {
      if (c == '"' || c == '\\') out.push_back('\\');
      if (c != '\r' && c != '\n') out.push_back(c);
    }
    out.append("\" ");
  }
  out.append("<").append(addr.uri).append(">").append(format_params(addr.params));
  return out;
}

SipResult<CSeq> parse_cseq(std::string_view text) {
  text = trim(text);
  const auto space = text.find_first_of(kSpace);
  if (space == std::string_view::npos) return bad_request("bad CSeq");
  const std::string_view digits = text.substr(0, space);
  const std::string_view method = trim(text.substr(space));
  std::uint64_t n = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || n >= (1ULL << 31) ||
      !is_token(method)) {
    return bad_request("bad CSeq");
  }
  return CSeq{static_cast<std::uint32_t>(n), std::string(method)};
}

std::string format_cseq(const CSeq& cseq) {
  return std::to_string(cseq.number) + " " + cseq.method;
}

}  // namespace ccteams::sip
