#include "core/sip/dialog.hpp"

#include <algorithm>
#include <utility>

namespace ccteams::sip {
namespace {

struct Parties {
  NameAddr from;
  NameAddr to;
  std::string call_id;
  CSeq cseq;
};

SipResult<NameAddr> header_addr(const SipMessage& m, std::string_view name) {
  const auto value = m.header(name);
  if (!value) return bad_request("missing " + std::string(name));
  return parse_name_addr(*value);
}

SipResult<Parties> parties(const SipMessage& m) {
  auto from = header_addr(m, "From");
  if (!from) return from.error();
  auto to = header_addr(m, "To");
  if (!to) return to.error();
  const auto call_id = m.header("Call-ID");
  const auto cseq_text = m.header("CSeq");
  if (!call_id || !cseq_text) return bad_request("missing Call-ID or CSeq");
  auto cseq = parse_cseq(*cseq_text);
  if (!cseq) return cseq.error();
  return Parties{std::move(*from), std::move(*to), std::string(*call_id), std::move(*cseq)};
}

// The URI of the (single) Contact: the remote target (§12.1.1, §12.1.2).
SipResult<std::string> contact_uri(const SipMessage& m) {
  auto contact = header_addr(m, "Contact");
  if (!contact) return bad_request("missing Contact");
  return std::move(contact->uri);
}

NameAddr without_tag(NameAddr addr) {
  std::erase_if(addr.params, [](const Param& p) { return iequals(p.name, "tag"); });
  return addr;
}

std::string with_tag(NameAddr addr, const std::string& tag) {
  if (!tag.empty()) set_param(addr.params, "tag", tag);
  return format_name_addr(addr);
}

bool is_loose_router(std::string_view route) {
  auto addr = parse_name_addr(route);
  if (!addr) return false;
  auto uri = parse_sip_uri(addr->uri);
  return uri && find_param(uri->params, "lr").has_value();
}

// The headers every in-dialog request carries; the CSeq number is the caller's.
SipMessage in_dialog_request(const Dialog& d, std::string_view method, std::uint32_t cseq,
                             const Via& via) {
  SipMessage m;
  m.method = std::string(method);
  m.add_header("Via", format_via(via));
  m.add_header("Max-Forwards", "70");
  // §12.2.1.1: an empty route set or a loose router first: Request-URI = remote target.
  if (d.route_set.empty() || is_loose_router(d.route_set.front())) {
    m.request_uri = d.remote_target;
    for (const auto& r : d.route_set) m.add_header("Route", r);
  } else {
    // A strict router takes the Request-URI; the remote target travels as the last Route.
    auto first = parse_name_addr(d.route_set.front());
    m.request_uri = first ? first->uri : d.remote_target;
    for (std::size_t i = 1; i < d.route_set.size(); ++i) m.add_header("Route", d.route_set[i]);
    m.add_header("Route", "<" + d.remote_target + ">");
  }
  m.add_header("From", with_tag(d.local, d.id.local_tag));
  m.add_header("To", with_tag(d.remote, d.id.remote_tag));
  m.add_header("Call-ID", d.id.call_id);
  m.add_header("CSeq", format_cseq(CSeq{cseq, std::string(method)}));
  return m;
}

}  // namespace

std::optional<DialogId> dialog_id_of_request(const SipMessage& request) {
  auto p = parties(request);
  if (!p || !p->to.tag()) return std::nullopt;
  return DialogId{p->call_id, std::string(*p->to.tag()), std::string(p->from.tag().value_or(""))};
}

std::optional<DialogId> dialog_id_of_response(const SipMessage& response) {
  auto p = parties(response);
  if (!p || !p->to.tag()) return std::nullopt;
  return DialogId{p->call_id, std::string(p->from.tag().value_or("")), std::string(*p->to.tag())};
}

namespace {

enum class Side : std::uint8_t { uac, uas };

// §12.1.1 and §12.1.2 are one rule seen from either end: the UAC's local party is the From
// of the request, the UAS's the To of the response (with its tag), and so on.
SipResult<Dialog> dialog_from(const SipMessage& request, const SipMessage& response, Side side) {
  if (response.is_request || response.status_code <= 100 || response.status_code >= 300) {
    return bad_request("only a 101-299 response creates a dialog");
  }
  auto req = parties(request);
  if (!req) return req.error();
  auto res = parties(response);
  if (!res) return res.error();
  if (!res->to.tag()) return bad_request("no To tag in the response");
  auto request_contact = contact_uri(request);
  if (!request_contact) return request_contact.error();
  auto response_contact = contact_uri(response);
  if (!response_contact) return response_contact.error();
  // An RFC 2543 peer sends no From tag: that tag is empty (§12.1.1).
  std::string from_tag(req->from.tag().value_or(""));
  std::string to_tag(*res->to.tag());
  Dialog d;
  d.state = response.status_code < 200 ? Dialog::State::early : Dialog::State::confirmed;
  for (const auto rr : (side == Side::uac ? response : request).header_values("Record-Route")) {
    d.route_set.emplace_back(rr);
  }
  if (side == Side::uac) {
    d.id = DialogId{req->call_id, std::move(from_tag), std::move(to_tag)};
    d.local_seq = req->cseq.number;
    d.local = without_tag(std::move(req->from));
    d.remote = without_tag(std::move(res->to));
    d.remote_target = std::move(*response_contact);
    d.local_target = std::move(*request_contact);
    std::reverse(d.route_set.begin(), d.route_set.end());  // §12.1.2: the UAC reverses it
  } else {
    d.id = DialogId{req->call_id, std::move(to_tag), std::move(from_tag)};
    d.remote_seq = req->cseq.number;
    d.local = without_tag(std::move(res->to));
    d.remote = without_tag(std::move(req->from));
    d.remote_target = std::move(*request_contact);
    d.local_target = std::move(*response_contact);
  }
  return d;
}

}  // namespace

SipResult<Dialog> uac_dialog(const SipMessage& request, const SipMessage& response) {
  return dialog_from(request, response, Side::uac);
}

SipResult<Dialog> uas_dialog(const SipMessage& request, const SipMessage& response) {
  return dialog_from(request, response, Side::uas);
}

SipResult<void> confirm_uac_dialog(Dialog& dialog, const SipMessage& response) {
  if (response.status_code < 200 || response.status_code >= 300) {
    return bad_request("only a 2xx confirms a dialog");
  }
  auto remote_target = contact_uri(response);
  if (!remote_target) return remote_target.error();
  dialog.state = Dialog::State::confirmed;
  dialog.remote_target = std::move(*remote_target);
  dialog.route_set.clear();
  for (const auto rr : response.header_values("Record-Route")) dialog.route_set.emplace_back(rr);
  std::reverse(dialog.route_set.begin(), dialog.route_set.end());
  return {};
}

SipMessage make_in_dialog_request(Dialog& dialog, std::string_view method, const Via& via) {
  dialog.local_seq = dialog.local_seq ? *dialog.local_seq + 1 : 1;
  SipMessage m = in_dialog_request(dialog, method, *dialog.local_seq, via);
  if (method == "INVITE") m.add_header("Contact", "<" + dialog.local_target + ">");
  return m;
}

SipMessage make_2xx_ack(const Dialog& dialog, std::uint32_t invite_cseq, const Via& via) {
  return in_dialog_request(dialog, "ACK", invite_cseq, via);
}

std::optional<int> accept_in_dialog_request(Dialog& dialog, const SipMessage& request) {
  const auto cseq_text = request.header("CSeq");
  if (!cseq_text) return 400;
  auto cseq = parse_cseq(*cseq_text);
  if (!cseq) return 400;
  if (request.method == "ACK") return std::nullopt;
  // §12.2.2: lower than the remote sequence number is out of order; higher (not only one
  // higher: requests in between may be lost or still in flight) is accepted.
  if (dialog.remote_seq && cseq->number < *dialog.remote_seq) return 500;
  dialog.remote_seq = cseq->number;
  if (request.method == "INVITE") {
    if (auto target = contact_uri(request)) dialog.remote_target = std::move(*target);
  }
  return std::nullopt;
}

DialogTable::Verdict DialogTable::route_request(const SipMessage& request) {
  Verdict v;
  const auto id = dialog_id_of_request(request);
  Dialog* dialog = id ? find(*id) : nullptr;
  if (dialog == nullptr) {
    // An ACK is never answered; a 2xx's ACK that matches nothing is dropped (§17.2.3, §12.2.2).
    if (request.method != "ACK") v.reject = 481;
    return v;
  }
  v.reject = accept_in_dialog_request(*dialog, request);
  if (!v.reject) v.dialog = dialog;
  return v;
}

Dialog& DialogTable::add(Dialog dialog) {
  DialogId id = dialog.id;
  return dialogs_.insert_or_assign(std::move(id), std::move(dialog)).first->second;
}

Dialog* DialogTable::find(const DialogId& id) {
  const auto it = dialogs_.find(id);
  return it == dialogs_.end() ? nullptr : &it->second;
}

}  // namespace ccteams::sip
