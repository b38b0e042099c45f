#pragma once
// RFC 3261 §12 dialogs as values: the state two user agents share for a call, created from a
// dialog-creating request and its response on either side, and the rules for requests inside
// it: building ours (BYE, re-INVITE, the ACK for a 2xx) and checking the peer's (481, 500).
// Pure: the caller supplies the Via (transport, sent-by, fresh branch) of each request it sends.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/sip/sip_error.hpp"
#include "core/sip/sip_headers.hpp"
#include "core/sip/sip_message.hpp"

namespace ccteams::sip {

// §12: Call-ID, local tag, remote tag. The remote tag is empty only for an RFC 2543 peer that
// sent no From tag.
struct DialogId {
  std::string call_id;
  std::string local_tag;
  std::string remote_tag;
  friend auto operator<=>(const DialogId&, const DialogId&) = default;
};

// The dialog a received request belongs to, as its UAS sees it (To tag local, From tag
// remote); nullopt when To has no tag (not an in-dialog request) or the headers are unreadable.
std::optional<DialogId> dialog_id_of_request(const SipMessage& request);
// The dialog a received response belongs to, as its UAC sees it (From tag local, To tag
// remote); nullopt when To has no tag (a 100, or a response that creates no dialog).
std::optional<DialogId> dialog_id_of_response(const SipMessage& response);

struct Dialog {
  enum class State : std::uint8_t { early, confirmed };

  DialogId id;
  State state = State::early;
  // §12.1: empty until this side sends (local) or receives (remote) a request in the dialog.
  std::optional<std::uint32_t> local_seq;
  std::optional<std::uint32_t> remote_seq;
  NameAddr local;  // our From (without the tag, which is id.local_tag)
  NameAddr remote;
  std::string remote_target;  // the peer's Contact URI: the Request-URI of our requests
  std::string local_target;   // our Contact URI, sent again on a target refresh (re-INVITE)
  std::vector<std::string> route_set;  // Route values in the order our requests carry them

  friend bool operator==(const Dialog&, const Dialog&) = default;
};

// The UAC's dialog from its `request` (INVITE) and a response to it with a To tag: 101-199 an
// early dialog, 2xx a confirmed one (§12.1.2). Route set: the response's Record-Route reversed;
// remote target: its Contact; local sequence number: the request's CSeq. 400 errors name what
// is missing (no To tag, no Contact, an unreadable header).
SipResult<Dialog> uac_dialog(const SipMessage& request, const SipMessage& response);
// The UAS's dialog from the `request` it received and its `response` (with our To tag, 101-299,
// our Contact) (§12.1.1). Route set: the request's Record-Route in order; remote target: its
// Contact; remote sequence number: its CSeq.
SipResult<Dialog> uas_dialog(const SipMessage& request, const SipMessage& response);
// A 2xx for the UAC's early dialog confirms it: route set and remote target are taken from the
// 2xx, sequence numbers are kept (§12.1.2, §13.2.2.4).
SipResult<void> confirm_uac_dialog(Dialog& dialog, const SipMessage& response);

// A new request in the dialog (§12.2.1.1): From, To with the tags, Call-ID, CSeq one above the
// local sequence number (which it advances; 1 when empty), Max-Forwards 70, `via` as the only
// Via, Contact on an INVITE (a target refresh), and Request-URI and Route by the route set:
// the remote target and the routes when the first route is a loose router (`;lr`), else the
// first route as Request-URI and the rest, then the remote target, as Route (strict routing).
SipMessage make_in_dialog_request(Dialog& dialog, std::string_view method, const Via& via);
// The ACK for a 2xx to the INVITE with CSeq number `invite_cseq` (§13.2.2.4): built like an
// in-dialog request but with that CSeq number and method ACK, the local sequence number
// unchanged. Sent again for every retransmission of the 2xx, with the same `via`.
SipMessage make_2xx_ack(const Dialog& dialog, std::uint32_t invite_cseq, const Via& via);

// A received in-dialog request against its dialog (§12.2.2): the status to refuse it with (500
// when its CSeq is below the remote sequence number; the peer retries with a higher one), or
// nullopt when it is accepted, which records its CSeq as the remote sequence number and, on a
// target refresh (re-INVITE) with a Contact, takes that Contact as the remote target. An ACK is
// accepted without touching the sequence number (it reuses its INVITE's).
std::optional<int> accept_in_dialog_request(Dialog& dialog, const SipMessage& request);

// The dialogs of one user agent, by id.
class DialogTable {
 public:
  // Where a received request with a To tag goes (§12.2.2): `dialog` when it was accepted;
  // else `reject` is the status to answer with (481 Call/Transaction Does Not Exist for an
  // unknown dialog, 500 for a CSeq out of order), and neither for an ACK that matches nothing
  // (an ACK is never answered).
  struct Verdict {
    Dialog* dialog = nullptr;
    std::optional<int> reject;
  };
  Verdict route_request(const SipMessage& request);

  // Adds (or replaces) a dialog; the stored one.
  Dialog& add(Dialog dialog);
  Dialog* find(const DialogId& id);
  void erase(const DialogId& id) { dialogs_.erase(id); }
  std::size_t size() const { return dialogs_.size(); }

 private:
  std::map<DialogId, Dialog> dialogs_;
};

}  // namespace ccteams::sip
