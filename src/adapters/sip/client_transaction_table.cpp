#include "adapters/sip/client_transaction_table.hpp"

#include <utility>

#include "core/sip/server_transaction.hpp"

namespace ccteams::sip {
namespace net = boost::asio;

ClientTransactionTable::ClientTransactionTable(Clock& clock, Scheduler& scheduler, SipTimers timers,
                                               Send send, Post post)
    : clock_(clock),
      scheduler_(scheduler),
      timers_(timers),
      send_(std::move(send)),
      post_(std::move(post)) {}

bool ClientTransactionTable::start(const SipMessage& request, const net::ip::udp::endpoint& to,
                                   ResponseHandler on_response, bool reliable) {
  const auto key = client_transaction_key(request);
  if (!key || transactions_.contains(*key) || transactions_.size() >= kMaxTransactions) {
    return false;
  }
  auto make = [&]() -> std::variant<InviteClientTransaction, NonInviteClientTransaction> {
    if (request.method == "INVITE") return InviteClientTransaction(request, reliable, timers_);
    return NonInviteClientTransaction(request, reliable, timers_);
  };
  auto& entry = transactions_.emplace(*key, Entry{make(), to, reliable, std::move(on_response), {}})
                    .first->second;
  apply(*key, std::visit([](auto& tx) { return tx.start(); }, entry.tx));
  return true;
}

bool ClientTransactionTable::on_response(SipMessage response) {
  const auto key = client_transaction_key(response);
  if (!key) return false;
  const auto it = transactions_.find(*key);
  if (it == transactions_.end()) return false;
  apply(*key,
        std::visit([&](auto& tx) { return tx.on_response(std::move(response)); }, it->second.tx));
  return true;
}

void ClientTransactionTable::erase(const SipMessage& request) {
  if (const auto key = client_transaction_key(request)) transactions_.erase(*key);
}

void ClientTransactionTable::on_timer(const ClientTransactionKey& key, TimerKind kind) {
  const auto it = transactions_.find(key);
  if (it == transactions_.end()) return;  // ended meanwhile
  apply(key, std::visit([&](auto& tx) { return tx.on_timer(kind); }, it->second.tx));
}

void ClientTransactionTable::apply(const ClientTransactionKey& key, ClientEffects effects) {
  const auto it = transactions_.find(key);
  if (it == transactions_.end()) return;
  Entry& entry = it->second;
  if (effects.send) send_(*effects.send, entry.to, entry.reliable);
  for (const auto& t : effects.timers) {
    // The scheduler runs callbacks on its own thread; the owner's strand takes them.
    entry.timers[t.kind] =
        scheduler_.schedule(clock_.now() + t.after, [post = post_, this, key, kind = t.kind] {
          post([this, key, kind] { on_timer(key, kind); });
        });
  }
  std::optional<SipMessage> heard = std::move(effects.deliver);
  if (!heard && (effects.timed_out || effects.transport_failed)) {
    const SipMessage& request =
        std::visit([](const auto& tx) -> const SipMessage& { return tx.request(); }, entry.tx);
    heard = make_response(request, effects.timed_out ? 408 : 503);
  }
  // The handler may start other transactions or end this one's caller: it runs last, with
  // its own copy, after the table is done with the entry.
  ResponseHandler handler = entry.on_response;
  if (effects.terminated) transactions_.erase(it);
  if (heard && handler) handler(*heard);
}

}  // namespace ccteams::sip
