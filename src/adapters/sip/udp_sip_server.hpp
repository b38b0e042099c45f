#pragma once
// SIP over UDP on Asio (RFC 3261 §18): receives datagrams, parses them (core/sip), keeps the
// server transactions (core/sip/server_transaction.hpp) with their timers on the Scheduler
// port, and sends responses where RFC 3261 §18.2.2 and RFC 3581 say. What a new request is
// answered with is the handler's decision. No client transactions, dialogs or TCP yet
// (docs/telephony.md).

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <variant>

#include "app/ports/clock.hpp"
#include "app/ports/scheduler.hpp"
#include "core/result.hpp"
#include "core/sip/server_transaction.hpp"
#include "core/sip/sip_message.hpp"

namespace ccteams::sip {

// The final response to a new request other than ACK; `to_tag` is a fresh random tag for it.
// Called on the server's strand.
using RequestHandler =
    std::function<SipMessage(const SipMessage& request, std::string_view to_tag)>;

// Part 1's answers: OPTIONS 200 (with Allow); INVITE 404 "Not Found" (no dialled number is
// routed to a queue yet); BYE and CANCEL 481 (no dialogs, and INVITEs are answered at once);
// anything else 405 with Allow. A CANCEL that matches a live INVITE transaction gets 200 from
// the server without reaching the handler (RFC 3261 §9.2).
SipMessage default_answer(const SipMessage& request, std::string_view to_tag);

class UdpSipServer : public std::enable_shared_from_this<UdpSipServer> {
 public:
  // At most this many live transactions: a flood of new requests beyond it is dropped
  // unanswered (an answer would be a reflection amplifier).
  static constexpr std::size_t kMaxTransactions = 10000;

  // clock and scheduler must outlive the server (SystemClock + AsioScheduler in production,
  // SimulatedTime in tests).
  static std::shared_ptr<UdpSipServer> create(boost::asio::io_context& io, Clock& clock,
                                              Scheduler& scheduler, RequestHandler handler,
                                              SipTimers timers = {});

  // Binds (port 0: any free port) and starts receiving. The bound endpoint, or unavailable.
  Result<boost::asio::ip::udp::endpoint> start(const boost::asio::ip::udp::endpoint& at);
  // Closes the socket and drops every transaction (and its timers). Any thread.
  void stop();
  // Live transactions. Thread-safety: only while the io_context is not run by another thread.
  std::size_t transaction_count() const { return transactions_.size(); }

  UdpSipServer(boost::asio::io_context& io, Clock& clock, Scheduler& scheduler,
               RequestHandler handler, SipTimers timers);

 private:
  struct Entry {
    std::variant<InviteServerTransaction, NonInviteServerTransaction> tx;
    boost::asio::ip::udp::endpoint peer;
    std::map<TimerKind, std::unique_ptr<TimerHandle>> timers;
  };

  void receive_next();
  void on_datagram(std::string_view data, const boost::asio::ip::udp::endpoint& from);
  std::optional<SipMessage> cancel_answer(const SipMessage& request,
                                          const TransactionKey& key) const;
  void on_timer(const TransactionKey& key, TimerKind kind);
  void apply(const TransactionKey& key, TransactionEffects effects);
  void send(const SipMessage& message, const boost::asio::ip::udp::endpoint& to);

  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::udp::socket socket_;
  Clock& clock_;
  Scheduler& scheduler_;
  RequestHandler handler_;
  SipTimers timers_;
  std::map<TransactionKey, Entry> transactions_;  // on strand_
  std::array<char, 65536> buffer_{};              // one datagram, on strand_
  boost::asio::ip::udp::endpoint from_;
};

}  // namespace ccteams::sip
