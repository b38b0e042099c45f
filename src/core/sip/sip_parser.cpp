#include "core/sip/sip_parser.hpp"

#include <charconv>
#include <string>

#include "core/sip/sip_headers.hpp"

namespace ccteams::sip {
namespace {

constexpr std::string_view kSpace = " \t";

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(kSpace);
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(kSpace);
  return s.substr(b, e - b + 1);
}

std::string_view skip_keepalives(std::string_view data, std::size_t* skipped) {
  std::size_t i = 0;
  while (i < data.size() && (data[i] == '\r' || data[i] == '\n')) ++i;
  *skipped = i;
  return data.substr(i);
}

// Where the header block ends: the head (without its last line break) and where the body
// starts. Bare LF line ends are accepted as well as CRLF (robustness; RFC 3261 §7.5).
struct HeadEnd {
  std::size_t head_length;
  std::size_t body_start;
};
std::optional<HeadEnd> find_head_end(std::string_view data) {
  for (auto nl = data.find('\n'); nl != std::string_view::npos; nl = data.find('\n', nl + 1)) {
    const std::size_t line_end = (nl > 0 && data[nl - 1] == '\r') ? nl - 1 : nl;
    if (nl + 1 < data.size() && data[nl + 1] == '\n') return HeadEnd{line_end, nl + 2};
    if (nl + 2 < data.size() && data[nl + 1] == '\r' && data[nl + 2] == '\n') {
      return HeadEnd{line_end, nl + 3};
    }
  }
  return std::nullopt;
}

bool bad_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t') || u == 0x7F;
}

SipResult<void> parse_start_line(std::string_view line, SipMessage& m) {
  if (line.starts_with("SIP/")) {
    m.is_request = false;
    const auto sp1 = line.find(' ');
    if (sp1 == std::string_view::npos) return bad_request("bad status line");
    if (!iequals(line.substr(0, sp1), "SIP/2.0"))
      return SipParseError{505, "Version Not Supported"};
    const std::string_view rest = line.substr(sp1 + 1);
    const std::string_view code = rest.substr(0, 3);
    int status = 0;
    const auto [ptr, ec] = std::from_chars(code.data(), code.data() + code.size(), status);
    if (ec != std::errc() || ptr != code.data() + 3 || status < 100 || status > 699 ||
        (rest.size() > 3 && rest[3] != ' ')) {
      return bad_request("bad status code");
    }
    m.status_code = status;
    m.reason = std::string(rest.size() > 4 ? rest.substr(4) : std::string_view());
    return {};
  }
  const auto sp1 = line.find(' ');
  const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return bad_request("bad request line");
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view uri = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!is_token(method) || uri.empty()) return bad_request("bad request line");
  if (!iequals(version, "SIP/2.0")) {
    if (version.starts_with("SIP/")) return SipParseError{505, "Version Not Supported"};
    return bad_request("bad request line");
  }
  m.is_request = true;
  m.method = std::string(method);
  m.request_uri = std::string(uri);
  return {};
}

// Splits a list header's value at commas outside quotes and angle brackets.
SipResult<void> add_values(SipMessage& m, const std::string& name, std::string_view value) {
  if (!is_list_header(name)) {
    m.headers.push_back(Header{name, std::string(value)});
    return {};
  }
  const std::size_t before = m.headers.size();
  bool quoted = false;
  bool angled = false;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    const char c = i < value.size() ? value[i] : ',';
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == '<') {
      angled = true;
    } else if (c == '>') {
      angled = false;
    } else if (c == ',' && !angled) {
      const std::string_view item = trim(value.substr(start, i - start));
      if (!item.empty()) m.headers.push_back(Header{name, std::string(item)});
      start = i + 1;
    }
  }
  if (quoted || angled) return bad_request("unterminated quote or '<' in " + name);
  // An empty list ("Supported:") is one empty value, so that the header is still seen.
  if (m.headers.size() == before) m.headers.push_back(Header{name, std::string()});
  return {};
}

SipResult<void> parse_head(std::string_view head, SipMessage& m) {
  std::string pending_name;
  std::string pending_value;
  bool have_pending = false;
  bool first = true;
  auto flush = [&]() -> SipResult<void> {
    if (!have_pending) return {};
    have_pending = false;
    return add_values(m, pending_name, trim(pending_value));
  };
  std::size_t pos = 0;
  while (pos <= head.size()) {
    auto nl = head.find('\n', pos);
    if (nl == std::string_view::npos) nl = head.size();
    std::string_view line = head.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    for (const char c : line) {
      if (bad_byte(c)) return bad_request("control character in header");
    }
    if (first) {
      first = false;
      auto r = parse_start_line(line, m);
      if (!r) return r;
      continue;
    }
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
      // A folded line continues the previous header (RFC 3261 §7.3.1): it reads as one space.
      if (!have_pending) return bad_request("continuation line without a header");
      pending_value.append(" ").append(trim(line));
      continue;
    }
    auto r = flush();
    if (!r) return r;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return bad_request("header line without ':'");
    const std::string_view name = trim(line.substr(0, colon));
    if (!is_token(name)) return bad_request("bad header name");
    pending_name = canonical_header_name(name);
    pending_value = std::string(line.substr(colon + 1));
    have_pending = true;
    if (m.headers.size() > kMaxHeaders) return bad_request("too many headers");
  }
  auto r = flush();
  if (!r) return r;
  if (m.headers.size() > kMaxHeaders) return bad_request("too many headers");
  return {};
}

// Content-Length: nullopt when absent; every value must be the same decimal number.
SipResult<std::optional<std::size_t>> content_length(const SipMessage& m, std::size_t max) {
  std::optional<std::size_t> out;
  for (const std::string_view v : m.header_values("Content-Length")) {
    std::size_t n = 0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || ptr != v.data() + v.size()) {
      return bad_request("bad Content-Length");
    }
    if (n > max) return SipParseError{513, "Message Too Large"};
    if (out && *out != n) return bad_request("conflicting Content-Length");
    out = n;
  }
  return out;
}

}  // namespace

SipResult<SipMessage> parse_sip_structure(std::string_view data, ParseOptions options) {
  if (data.size() > options.max_bytes) return SipParseError{513, "Message Too Large"};
  std::size_t skipped = 0;
  data = skip_keepalives(data, &skipped);
  if (data.empty()) return bad_request("empty message");
  const auto end = find_head_end(data);
  if (!end) return bad_request("no blank line after the headers");
  SipMessage m;
  auto head = parse_head(data.substr(0, end->head_length), m);
  if (!head) return std::move(head).error();
  auto length = content_length(m, options.max_bytes);
  if (!length) return std::move(length).error();
  const std::string_view rest = data.substr(end->body_start);
  if (!*length) {
    if (options.stream) return bad_request("missing Content-Length");
    m.body = std::string(rest);
  } else {
    // A datagram longer than Content-Length carries garbage after the message (discarded); a
    // shorter one lost part of it (RFC 3261 §18.3).
    if (**length > rest.size()) return bad_request("body shorter than Content-Length");
    m.body = std::string(rest.substr(0, **length));
  }
  return m;
}

SipResult<SipMessage> parse_sip_head(std::string_view data, std::size_t max_bytes) {
  std::size_t skipped = 0;
  data = skip_keepalives(data, &skipped);
  const auto end = find_head_end(data);
  if (!end) return bad_request("no blank line after the headers");
  if (end->body_start > max_bytes) return SipParseError{513, "Message Too Large"};
  SipMessage m;
  auto head = parse_head(data.substr(0, end->head_length), m);
  if (!head) return std::move(head).error();
  return m;
}

SipResult<void> validate_sip_message(const SipMessage& m) {
  if (m.is_request) {
    const std::string_view uri = m.request_uri;
    const auto colon = uri.find(':');
    if (colon == std::string_view::npos || colon == 0) return bad_request("bad Request-URI");
    const std::string_view scheme = uri.substr(0, colon);
    if (iequals(scheme, "sip") || iequals(scheme, "sips")) {
      auto parsed = parse_sip_uri(uri);
      if (!parsed) return std::move(parsed).error();
    } else if (!iequals(scheme, "tel")) {
      return SipParseError{416, "Unsupported URI Scheme"};
    }
  }
  const auto via = m.header("Via");
  if (!via) return bad_request("missing Via");
  if (auto v = parse_via(*via); !v) return std::move(v).error();
  for (const char* name : {"From", "To"}) {
    const auto value = m.header(name);
    if (!value) return bad_request(std::string("missing ") + name);
    if (auto a = parse_name_addr(*value); !a) return bad_request(std::string("bad ") + name);
  }
  const auto call_id = m.header("Call-ID");
  if (!call_id || call_id->empty()) return bad_request("missing Call-ID");
  const auto cseq_text = m.header("CSeq");
  if (!cseq_text) return bad_request("missing CSeq");
  auto cseq = parse_cseq(*cseq_text);
  if (!cseq) return std::move(cseq).error();
  if (m.is_request && cseq->method != m.method) return bad_request("CSeq method mismatch");
  if (const auto mf = m.header("Max-Forwards")) {
    unsigned n = 0;
    const auto [ptr, ec] = std::from_chars(mf->data(), mf->data() + mf->size(), n);
    if (mf->empty() || ec != std::errc() || ptr != mf->data() + mf->size() || n > 255) {
      return bad_request("bad Max-Forwards");
    }
  }
  return {};
}

SipResult<SipMessage> parse_sip_message(std::string_view data, ParseOptions options) {
  auto m = parse_sip_structure(data, options);
  if (!m) return m;
  auto valid = validate_sip_message(*m);
  if (!valid) return std::move(valid).error();
  return m;
}

SipResult<std::optional<StreamFrame>> frame_stream_message(std::string_view buffer,
                                                           std::size_t max_bytes) {
  std::size_t skipped = 0;
  const std::string_view data = skip_keepalives(buffer, &skipped);
  const auto end = find_head_end(data);
  if (!end) {
    // Keep-alives count too: a peer sending nothing but CRLFs must not grow the buffer forever.
    if (buffer.size() > max_bytes) return SipParseError{513, "Message Too Large"};
    return std::optional<StreamFrame>();
  }
  if (end->body_start > max_bytes) return SipParseError{513, "Message Too Large"};
  SipMessage m;
  auto head = parse_head(data.substr(0, end->head_length), m);
  if (!head) return std::move(head).error();
  auto length = content_length(m, max_bytes);
  if (!length) return std::move(length).error();
  if (!*length) return bad_request("missing Content-Length");
  const std::size_t total = end->body_start + **length;
  if (total > max_bytes) return SipParseError{513, "Message Too Large"};
  if (data.size() < total) return std::optional<StreamFrame>();
  return std::optional<StreamFrame>(StreamFrame{skipped, total});
}

}  // namespace ccteams::sip
