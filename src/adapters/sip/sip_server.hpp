#pragma once
// SIP over UDP and TCP on Asio (RFC 3261 §18): receives datagrams and stream messages, parses
// them (core/sip), keeps the server transactions (core/sip/server_transaction.hpp) of both
// transports in one table with their timers on the Scheduler port, and sends responses where
// §18.2.2 and RFC 3581 say: over UDP to the top Via's received/rport, over TCP on the
// connection the request came in on. What a new request is answered with is the handler's
// decision. Requests we send go in client transactions over UDP (send_request). As a UAS, an
// INVITE the CallHandler takes is answered 180 and 200 with an SDP answer, the 2xx resent until
// its ACK (§13.3.1.4), and its dialog kept for re-INVITEs and the BYE (§12, §14, §15). As a
// UAC, place_call sends an INVITE over UDP (or on a TCP connection the peer opened) and ACKs
// its 2xx (§13.2). No outgoing TCP connections (docs/telephony.md).

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>

#include "adapters/sip/client_transaction_table.hpp"
#include "app/ports/clock.hpp"
#include "app/ports/scheduler.hpp"
#include "core/result.hpp"
#include "core/sip/answer_retransmission.hpp"
#include "core/sip/dialog.hpp"
#include "core/sip/offer_answer.hpp"
#include "core/sip/server_transaction.hpp"
#include "core/sip/sip_bindings.hpp"
#include "core/sip/sip_message.hpp"
#include "core/sip/sip_parser.hpp"

namespace ccteams::sip {

class SipTcpConnection;  // sip_tcp_connection.hpp

// The methods we take (Allow, RFC 3261 §20.5); REGISTER is added when a registrar is set.
inline constexpr std::string_view kSipAllow = "INVITE, ACK, BYE, CANCEL, OPTIONS";

// The final response to a new request other than ACK; `to_tag` is a fresh random tag for it.
// Called on the server's strand.
using RequestHandler =
    std::function<SipMessage(const SipMessage& request, std::string_view to_tag)>;

// Answers to requests outside calls: OPTIONS 200 (with Allow); INVITE 404 "Not Found" when no
// CallHandler takes INVITEs; BYE and CANCEL 481 (the server itself answers those that match a
// dialog or a live INVITE transaction, RFC 3261 §9.2, §12.2.2); anything else 405 with Allow.
SipMessage default_answer(const SipMessage& request, std::string_view to_tag);

// What the app does with a new INVITE (RFC 3261 §13.3.1): answer it at once (180, then 200
// with the SDP answer), ring (180, then answer_call or reject_call later, unless a CANCEL comes
// first: §9.2), or reject it with `status` (300-699). The SDP answer is made from `media` when
// the INVITE arrives, so an offer without a common codec is refused 488 before any ringing.
struct InviteDecision {
  enum class Kind : std::uint8_t { answer, ring, reject };
  Kind kind = Kind::reject;
  MediaConfig media;  // answer, ring: where we take RTP, and the codecs we accept
  int status = 404;   // reject
};
// Why a call the app took ended without the app asking: the peer's BYE, a CANCEL while it
// rang, or no ACK for the 2xx within 64*T1 (the server then sent a BYE itself, §13.3.1.4).
enum class CallEnd : std::uint8_t { bye, cancelled, no_ack };
// The app's port for calls (a fake in tests); its functions run on the server's strand. `id`
// is the dialog the call has or will have (Call-ID, our To tag, the caller's From tag).
struct CallHandler {
  std::function<InviteDecision(const SipMessage& invite, const DialogId& id)> on_invite;
  std::function<void(const DialogId& id, CallEnd how)> on_end;
  // The ACK of our 2xx arrived (§13.3.1.4): the caller has the answer. May be empty.
  std::function<void(const DialogId& id)> on_acked;
  // A re-INVITE in the call was answered 200 with our new SDP (a hold, a resume, a new
  // address): what flows now. May be empty.
  std::function<void(const DialogId& id, const NegotiatedAudio& audio)> on_reoffer;
};

// A call we place as a UAC (RFC 3261 §13.2): an INVITE with our SDP offer, over UDP unless
// `over_tcp`.
struct OutgoingCall {
  // A registered phone's Contact ("sip:agent1@192.0.2.7:5062;transport=udp") or a number at a
  // trunk ("sip:+4930123456@trunk.example").
  std::string request_uri;
  std::string to_uri;        // the To header's URI (the AOR or the number)
  std::string from_uri;      // "sip:+15551234567@<our host>" (the customer's number when bridging)
  std::string from_display;  // may be empty
  // Where every request of the call goes (the binding's source, or the trunk): the remote
  // target and route set are not resolved to an address (no RFC 3263).
  boost::asio::ip::udp::endpoint destination;
  MediaConfig media;  // our SDP offer: make_offer(media, origin)
  // Over the TCP connection `destination` has open to us (a phone registered over TCP: its
  // binding's source; RFC 5626 reuses the registration's connection). We open no connections:
  // without one, on_failed(503).
  bool over_tcp = false;
};
// What happens to a placed call; every function on the server's strand, `call` the handle
// place_call returned. After on_failed or on_end nothing more is heard of the call.
struct OutgoingCallHandler {
  std::function<void(const std::string& call, int status)> on_progress;  // 101-199; may be empty
  // A 2xx with a usable SDP answer, already ACKed.
  std::function<void(const std::string& call, const NegotiatedAudio& audio)> on_answered;
  // No call: the 300-699 status; 408 when nobody answered within Timer B (64*T1, no
  // provisional came); 487 when cancel_call ended it (also when a 2xx crossed the CANCEL: it
  // is ACKed and BYEd); 488 when a 2xx's SDP answer was unusable (ACKed, then BYEd); 503 when
  // the request could not be sent; 502 for a 2xx we cannot read (its From or To unreadable).
  std::function<void(const std::string& call, int status)> on_failed;
  // The callee ended the answered call: its BYE (CallEnd::bye), or no ACK came within 64*T1
  // for our 200 to its re-INVITE (CallEnd::no_ack; we sent a BYE, §13.3.1.4).
  std::function<void(const std::string& call, CallEnd how)> on_end;
  // The callee's re-INVITE was answered 200 with our new SDP. May be empty.
  std::function<void(const std::string& call, const NegotiatedAudio& audio)> on_reoffer;
};

// The final response to a REGISTER (RFC 3261 §10.3), `to_tag` a fresh tag for it; `source` is
// where the phone that sent it can be reached (the top Via's received/rport over UDP, the
// connection's peer over TCP), for its binding. Called on the server's strand
// (adapters/sip/sip_registrar.hpp implements it).
using RegisterHandler = std::function<SipMessage(
    const SipMessage& request, const BindingSource& source, std::string_view to_tag)>;

struct SipServerLimits {
  // At most this many live transactions: a flood of new requests beyond it is dropped
  // unanswered (an answer would be a reflection amplifier).
  std::size_t max_transactions = 10000;
  std::size_t max_message_bytes = kMaxMessageBytes;  // larger: 513, and a stream is closed
  std::size_t max_connections = 1000;                // TCP, all peers together
  std::size_t max_connections_per_address = 16;      // TCP, one peer IP address
  // A TCP connection without a byte either way for this long is closed. Longer than any
  // transaction on it lives (64*T1 = 32 s) and than RFC 5626's CRLF keep-alive interval of
  // 95-120 s, so a keeping-alive phone keeps its connection.
  std::chrono::milliseconds tcp_idle_timeout{std::chrono::seconds(180)};
};

class SipServer : public std::enable_shared_from_this<SipServer> {
 public:
  // clock and scheduler must outlive the server (SystemClock + AsioScheduler in production,
  // SimulatedTime in tests).
  static std::shared_ptr<SipServer> create(boost::asio::io_context& io, Clock& clock,
                                           Scheduler& scheduler, RequestHandler handler,
                                           SipTimers timers = {}, SipServerLimits limits = {});

  // Binds (port 0: any free port) and starts receiving or accepting. The bound endpoint, or
  // unavailable. RFC 3261 §18 wants both on one port: bind TCP to the port UDP got.
  Result<boost::asio::ip::udp::endpoint> start_udp(const boost::asio::ip::udp::endpoint& at);
  Result<boost::asio::ip::tcp::endpoint> start_tcp(const boost::asio::ip::tcp::endpoint& at);
  // Closes the sockets and connections and drops every transaction (and its timers). Any
  // thread.
  void stop();
  // Sends `request` over UDP to `to` in a client transaction (RFC 3261 §17.1), with a new top
  // Via (this server's UDP address, a fresh z9hG4bK branch, rport; a server bound to 0.0.0.0
  // writes that, and the peer's `received` brings the responses back) and Max-Forwards 70 when
  // it has none. `on_response` hears each response the transaction passes up, or the 408 or
  // 503 it ends with (client_transaction_table.hpp), on the server's strand; a 2xx to an
  // INVITE ends the transaction, so its ACK and later retransmissions are the caller's
  // (dialog.hpp). Any thread; after start_udp.
  void send_request(SipMessage request, boost::asio::ip::udp::endpoint to,
                    ResponseHandler on_response);
  // Takes new INVITEs as calls (without one, they go to the RequestHandler like any request).
  // Before start_udp/start_tcp.
  void set_call_handler(CallHandler handler) { calls_ = std::move(handler); }
  // Takes REGISTER requests, over UDP and TCP (without one, the RequestHandler answers them:
  // 405). Before start_udp/start_tcp.
  void set_register_handler(RegisterHandler handler) { register_ = std::move(handler); }
  // The answer (200 with the SDP answer) or a 300-699 rejection of a ringing call; nothing
  // when it is no longer ringing (cancelled meanwhile). Any thread.
  void answer_call(DialogId id);
  void reject_call(DialogId id, int status);
  // Places a call (RFC 3261 §13.2, §17.1.1): the INVITE in an INVITE client transaction, its
  // 2xx ACKed by us (again for each retransmission, §13.2.2.4), a 2xx from a second To tag
  // (a fork) ACKed and BYEd. Returns the call's handle, its Call-ID (fresh and unique). The
  // handler hears the outcome on the server's strand, never before place_call returned: a URI
  // that is not sip:/sips: is on_failed(416), an unreadable one 400. Any thread, after
  // start_udp.
  std::string place_call(OutgoingCall call, OutgoingCallHandler handler);
  // Before the final response: CANCEL (§9.1), sent once a provisional arrived (queued until
  // then), and on_failed(487) follows; a 2xx crossing it is ACKed then BYEd (still
  // on_failed(487)). After the answer: BYE, and the handler hears nothing more. Nothing when
  // the call is over. Any thread.
  void cancel_call(const std::string& call);
  // BYE in a confirmed dialog (one we took as UAS through the CallHandler, or a placed call);
  // the dialog is removed and the resends of an un-ACKed 2xx stop; nobody is told (the app
  // asked). Nothing when the dialog is gone. Any thread.
  void hang_up(const DialogId& id);
  // Thread-safety of the counts: only while the io_context is not run by another thread.
  std::size_t ringing_count() const { return ringing_.size(); }
  std::size_t dialog_count() const { return dialogs_.size(); }
  std::size_t transaction_count() const { return transactions_.size(); }
  std::size_t client_transaction_count() const { return client_transactions_->size(); }
  std::size_t connection_count() const { return connections_.size(); }
  std::size_t outgoing_count() const { return outgoing_.size(); }

  SipServer(boost::asio::io_context& io, Clock& clock, Scheduler& scheduler, RequestHandler handler,
            SipTimers timers, SipServerLimits limits);

 private:
  // Where a request came from, and so where its responses go.
  struct Origin {
    bool reliable = false;
    boost::asio::ip::udp::endpoint udp;   // UDP: the response target (§18.2.2)
    std::weak_ptr<SipTcpConnection> tcp;  // TCP: the connection it came in on
  };
  struct Entry {
    std::variant<InviteServerTransaction, NonInviteServerTransaction> tx;
    Origin origin;
    std::map<TimerKind, std::unique_ptr<TimerHandle>> timers;
  };

  void receive_next();
  void accept_next();
  void on_connection(std::shared_ptr<SipTcpConnection> connection);
  void touch(const std::shared_ptr<SipTcpConnection>& connection);
  void on_idle_timer(const std::weak_ptr<SipTcpConnection>& connection);
  void on_framing_error(const std::shared_ptr<SipTcpConnection>& connection,
                        const SipParseError& error, std::string_view buffer);
  // One message from either transport; `from_*` is the packet's or the connection's source.
  void on_message(std::string_view data, const boost::asio::ip::address& from_address,
                  std::uint16_t from_port, const std::shared_ptr<SipTcpConnection>& tcp);
  std::optional<SipMessage> cancel_answer(const SipMessage& request,
                                          const TransactionKey& key) const;
  // The INVITE a CANCEL matched was ringing: 487 to it, and the call ends (§9.2).
  void cancel_ringing(const TransactionKey& invite_key);
  // A 300-699 to a ringing call's INVITE, and it rings no more.
  void refuse_ringing(const DialogId& id, int status);
  // A new INVITE for the CallHandler: its first responses go through its transaction.
  void on_invite(const SipMessage& invite, const TransactionKey& key, const Origin& origin);
  // A request with a To tag (§12.2.2): the response, or nullopt for an ACK (never answered).
  std::optional<SipMessage> in_dialog(const SipMessage& request);
  void answer_ringing(const DialogId& id);
  void on_answer_timer(const DialogId& id);
  void schedule_answer_timer(const DialogId& id, std::chrono::milliseconds after);
  void send_bye(Dialog& dialog, const Origin& to);
  // A request in a client transaction over the origin's transport; false when not started
  // (the table is full, or the TCP connection has closed).
  bool start_client_transaction(const SipMessage& request, const Origin& to,
                                ResponseHandler on_response);
  // The open TCP connection with that peer address and port, or null.
  std::shared_ptr<SipTcpConnection> connection_to(const boost::asio::ip::udp::endpoint& peer) const;
  // A dialog's end from our side or the peer's: its media state and pending 2xx go too.
  void forget_dialog(const DialogId& id);
  // The peer ended the dialog (or never ACKed): forgotten, and its owner told, the
  // CallHandler or the placed call's handler.
  void tell_end(const DialogId& id, CallEnd how);
  // A re-INVITE in a confirmed dialog (§14.2): 200 with a new SDP answer, 491, 488, 481, 500.
  SipMessage reinvite(const SipMessage& request, const TransactionKey& key, const Origin& origin);
  // The UAC side (sip_server_uac.cpp).
  void start_outgoing(const std::string& call_id, OutgoingCall call, OutgoingCallHandler handler);
  void on_outgoing_response(const std::string& call_id, const SipMessage& response);
  void on_outgoing_2xx(const std::string& call_id, const SipMessage& response);
  // A response no client transaction took: a 2xx to a placed call's INVITE, resent or forked.
  void on_stray_response(const SipMessage& response);
  void cancel_outgoing(const std::string& call_id);
  void send_cancel(const std::string& call_id);
  void on_cancel_timer(const std::string& call_id);
  void on_linger_timer(const std::string& call_id);
  void end_outgoing(const std::string& call_id);
  static BindingSource binding_source(const Origin& origin);
  // Our Contact (and Via sent-by) for the transport a request came in on.
  HostPort local_address(const Origin& origin) const;
  Via new_via(const Origin& origin) const;
  std::string local_contact(const Origin& origin) const;  // "<sip:host:port[;transport=tcp]>"
  void on_timer(const TransactionKey& key, TimerKind kind);
  void apply(const TransactionKey& key, TransactionEffects effects);
  void send(const SipMessage& message, const Origin& to);
  void send_udp(const SipMessage& message, const boost::asio::ip::udp::endpoint& to);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::udp::socket socket_;
  boost::asio::ip::tcp::acceptor acceptor_;
  Clock& clock_;
  Scheduler& scheduler_;
  RequestHandler handler_;
  SipTimers timers_;
  SipServerLimits limits_;
  std::map<TransactionKey, Entry> transactions_;  // on strand_
  CallHandler calls_;
  RegisterHandler register_;
  // A call that rang and waits for answer_call: its INVITE, the 200 prepared for it.
  struct Ringing {
    SipMessage invite;
    TransactionKey key;
    SipMessage ok;
    MediaConfig media;
    SdpOrigin sdp_origin;
  };
  std::map<DialogId, Ringing> ringing_;  // on strand_
  DialogTable dialogs_;                  // confirmed, on strand_
  // A 2xx sent and not yet ACKed (§13.3.1.4), resent from here.
  struct Answered {
    SipMessage ok;
    TransactionKey invite_key;  // a retransmitted INVITE gets the 2xx again
    Origin origin;
    AnswerRetransmission retransmission;
    std::unique_ptr<TimerHandle> timer;
    bool reinvite = false;  // the 200 to a re-INVITE: its ACK is not the app's on_acked
  };
  std::map<DialogId, Answered> answered_;  // on strand_
  // Each confirmed dialog's media and where its requests go: a re-INVITE is answered from
  // them, hang_up sends its BYE there.
  struct DialogMedia {
    Origin origin;
    MediaConfig media;
    SdpOrigin sdp_origin;             // ours; its version goes up by one per new SDP (RFC 3264 §8)
    std::optional<std::string> call;  // the placed call's handle, for a UAC dialog
  };
  std::map<DialogId, DialogMedia> dialog_media_;  // on strand_
  // A call we placed, by its Call-ID, from place_call until 64*T1 after it ended (so that a
  // 2xx resent or forked late is still ACKed, and BYEd).
  struct Outgoing {
    SipMessage invite;
    Origin to;  // where every request of the call goes, over UDP or the TCP connection
    OutgoingCallHandler handler;
    MediaConfig media;
    SessionDescription offer;
    bool provisional = false;  // a 1xx arrived: a CANCEL may go (§9.1)
    bool cancelled = false;    // cancel_call came before the final response
    bool cancel_sent = false;
    bool final = false;                           // a final response arrived (or Timer B)
    bool ended = false;                           // the handler heard its last word
    std::optional<DialogId> dialog;               // the answered dialog
    std::optional<SipMessage> ack;                // its ACK, sent again for each resent 2xx
    std::map<std::string, SipMessage> fork_acks;  // by To tag: the ACKs of 2xx we BYEd
    std::unique_ptr<TimerHandle> timer;           // the CANCEL's 64*T1, then the linger
  };
  std::map<std::string, Outgoing> outgoing_;                          // on strand_
  std::unique_ptr<ClientTransactionTable> client_transactions_;       // on strand_; set by create()
  std::set<std::shared_ptr<SipTcpConnection>> connections_;           // on strand_
  std::map<boost::asio::ip::address, std::size_t> connections_from_;  // on strand_
  std::array<char, 65536> buffer_{};                                  // one datagram, on strand_
  boost::asio::ip::udp::endpoint from_;
};

}  // namespace ccteams::sip
