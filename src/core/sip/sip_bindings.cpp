#include "core/sip/sip_bindings.hpp"

#include <algorithm>
#include <utility>

namespace ccteams::sip {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "%61gent1" is "agent1" (§10.3 step 5: escaped characters are compared unescaped).
std::optional<std::string> unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    if (i + 2 >= s.size()) return std::nullopt;
    const int hi = hex_digit(s[i + 1]);
    const int lo = hex_digit(s[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// delta-seconds (§20.19, §25.1): digits; a value past 2^32-1 counts as that, and any value past
// our maximum is shortened anyway.
std::optional<std::chrono::seconds> parse_delta_seconds(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = std::min<std::uint64_t>(v * 10 + static_cast<std::uint64_t>(c - '0'), 0xFFFFFFFFull);
  }
  return std::chrono::seconds(static_cast<std::int64_t>(v));
}

// §19.1.4 URI comparison, to the parts phones vary: scheme, user (case-sensitive), host (not),
// port, and the transport parameter.
bool same_uri(const SipUri& a, const SipUri& b) {
  const auto transport = [](const SipUri& u) {
    return lower(find_param(u.params, "transport").value_or(""));
  };
  return a.scheme == b.scheme && a.user == b.user && lower(a.host.host) == lower(b.host.host) &&
         a.host.port == b.host.port && transport(a) == transport(b);
}

RegisterOutcome refuse(int status, std::string reason) {
  RegisterOutcome r;
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

RegisterOutcome bad(std::string what) { return refuse(400, bad_request(std::move(what)).reason); }

struct Update {
  NameAddr contact;
  SipUri uri;
  std::chrono::seconds expires{0};
};

}  // namespace

SipResult<std::string> aor_user(const SipMessage& request) {
  const auto to = request.header("To");
  if (!to) return bad_request("missing To");
  auto addr = parse_name_addr(*to);
  if (!addr) return std::move(addr).error();
  auto uri = parse_sip_uri(addr->uri);
  if (!uri) return std::move(uri).error();
  auto user = unescape(uri->user);
  if (!user || user->empty()) return bad_request("To has no user part");
  return std::move(*user);
}

std::vector<Binding> SipBindings::bindings(std::string_view user, Timestamp now) {
  const auto it = aors_.find(user);
  if (it == aors_.end()) return {};
  std::erase_if(it->second, [&](const Binding& b) { return b.expires_at <= now; });
  if (it->second.empty()) {
    aors_.erase(it);
    return {};
  }
  return it->second;
}

RegisterOutcome SipBindings::update(std::string_view user, const SipMessage& request,
                                    const BindingSource& source, Timestamp now) {
  std::vector<Binding> current = bindings(user, now);
  const auto cseq = parse_cseq(request.header("CSeq").value_or(""));
  if (!cseq) return bad("bad CSeq");
  const std::string call_id(request.header("Call-ID").value_or(""));
  std::optional<std::chrono::seconds> expires_header;
  if (const auto e = request.header("Expires")) {
    expires_header = parse_delta_seconds(*e);
    if (!expires_header) return bad("bad Expires");
  }
  // §10.3 step 7: the same Call-ID must come with a higher CSeq, or the whole update fails;
  // the RFC's status for a failed update is 500.
  const auto out_of_order = [&](const Binding& b) {
    return b.call_id == call_id && cseq->number <= b.cseq;
  };
  const auto out_of_order_refusal = [] {
    return refuse(500, "Server Internal Error (CSeq not above the binding's for this Call-ID)");
  };

  const auto contacts = request.header_values("Contact");
  const bool wildcard = std::any_of(contacts.begin(), contacts.end(), [](std::string_view c) {
    while (!c.empty() && (c.back() == ' ' || c.back() == '\t')) c.remove_suffix(1);
    return c == "*";
  });
  std::vector<Binding> next = current;
  if (wildcard) {
    // §10.2.2, §10.3 step 6: "*" stands alone and only with Expires: 0.
    if (contacts.size() != 1) return bad("Contact * with other contacts");
    if (expires_header != std::chrono::seconds(0)) return bad("Contact * needs Expires: 0");
    if (std::any_of(current.begin(), current.end(), out_of_order)) return out_of_order_refusal();
    next.clear();
  } else {
    std::vector<Update> updates;
    for (const std::string_view value : contacts) {
      auto contact = parse_name_addr(value);
      if (!contact) return bad("bad Contact");
      auto uri = parse_sip_uri(contact->uri);
      if (!uri) return bad("Contact is not a SIP URI");
      std::chrono::seconds expires = expires_header.value_or(limits_.default_expires);
      if (const auto param = find_param(contact->params, "expires")) {
        const auto parsed = parse_delta_seconds(*param);
        if (!parsed) return bad("bad Contact expires");
        expires = *parsed;
      }
      // §10.3 step 7: 423 only for a non-zero expiry below our minimum.
      if (expires > std::chrono::seconds(0) && expires < limits_.min_expires) {
        RegisterOutcome r = refuse(423, {});
        r.min_expires = limits_.min_expires;
        return r;
      }
      expires = std::min(expires, limits_.max_expires);
      std::erase_if(contact->params, [](const Param& p) { return iequals(p.name, "expires"); });
      updates.push_back(Update{std::move(*contact), std::move(*uri), expires});
    }
    for (Update& u : updates) {
      const auto it = std::find_if(next.begin(), next.end(), [&](const Binding& b) {
        const auto bound = parse_sip_uri(b.contact.uri);
        return bound && same_uri(*bound, u.uri);
      });
      if (it != next.end() && out_of_order(*it)) return out_of_order_refusal();
      if (u.expires == std::chrono::seconds(0)) {
        if (it != next.end()) next.erase(it);
        continue;
      }
      Binding b{std::move(u.contact), call_id, cseq->number, now + u.expires, source};
      if (it != next.end()) {
        *it = std::move(b);
      } else {
        next.push_back(std::move(b));
      }
    }
    if (next.size() > limits_.max_bindings_per_aor) {
      return refuse(403, "Forbidden (more than " + std::to_string(limits_.max_bindings_per_aor) +
                             " contacts for one address-of-record)");
    }
  }

  RegisterOutcome ok;
  for (const Binding& b : next) {
    NameAddr listed = b.contact;
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(b.expires_at - now);
    set_param(listed.params, "expires", std::to_string(left.count()));
    ok.contacts.push_back(format_name_addr(listed));
  }
  if (next.empty()) {
    aors_.erase(std::string(user));
  } else {
    aors_.insert_or_assign(std::string(user), std::move(next));
  }
  return ok;
}

}  // namespace ccteams::sip
