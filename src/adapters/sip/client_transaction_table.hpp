#pragma once
// The client transactions of a SIP transport (RFC 3261 §17.1): requests we send, each in its
// transaction (core/sip/client_transaction.hpp) with its timers on the Scheduler port, and the
// responses that arrive matched to them by top Via branch and CSeq method (§17.1.3). The owner
// (SipServer) supplies the sending, over UDP or on a TCP connection, and its strand.
//
// Thread-safety: every call on the owner's strand; timers come back through `post`.

#include <boost/asio/ip/udp.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <variant>

#include "app/ports/clock.hpp"
#include "app/ports/scheduler.hpp"
#include "core/sip/client_transaction.hpp"

namespace ccteams::sip {

// What the transaction user hears: every response that the transaction passes up, and at the
// end without a final response, one made here: 408 Request Timeout on Timer B or F, 503 on a
// transport error (§8.1.3.1). Called on the owner's strand.
using ResponseHandler = std::function<void(const SipMessage& response)>;

class ClientTransactionTable {
 public:
  // Sends to the peer's address and port: a datagram, or when `reliable` on the TCP connection
  // with that peer (none open: the message is lost and the transaction times out).
  using Send =
      std::function<void(const SipMessage&, const boost::asio::ip::udp::endpoint&, bool reliable)>;
  // Runs a function on the owner's strand later, while the owner (and so this table) lives.
  using Post = std::function<void(std::function<void()>)>;

  ClientTransactionTable(Clock& clock, Scheduler& scheduler, SipTimers timers, Send send,
                         Post post);

  // Starts a transaction for `request`, whose top Via carries a fresh z9hG4bK branch; false
  // (nothing sent) when a transaction with its key exists or the table is full. `reliable`:
  // over TCP (no retransmissions, Timers D and K at 0, §17.1).
  bool start(const SipMessage& request, const boost::asio::ip::udp::endpoint& to,
             ResponseHandler on_response, bool reliable = false);
  // A received response; false when it matches no transaction (a 2xx retransmission after an
  // INVITE transaction ended belongs to the dialog layer).
  bool on_response(SipMessage response);
  // Forgets the transaction `request` started, unheard: an INVITE left in Proceeding (it has
  // no timer there) once its CANCEL gave up waiting for the final response (RFC 3261 §9.1).
  void erase(const SipMessage& request);
  void clear() { transactions_.clear(); }
  std::size_t size() const { return transactions_.size(); }

  static constexpr std::size_t kMaxTransactions = 10000;

 private:
  struct Entry {
    std::variant<InviteClientTransaction, NonInviteClientTransaction> tx;
    boost::asio::ip::udp::endpoint to;
    bool reliable;
    ResponseHandler on_response;
    std::map<TimerKind, std::unique_ptr<TimerHandle>> timers;
  };

  void on_timer(const ClientTransactionKey& key, TimerKind kind);
  void apply(const ClientTransactionKey& key, ClientEffects effects);

  Clock& clock_;
  Scheduler& scheduler_;
  SipTimers timers_;
  Send send_;
  Post post_;
  std::map<ClientTransactionKey, Entry> transactions_;
};

}  // namespace ccteams::sip
