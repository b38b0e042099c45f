#pragma once
// For the transaction tests: plays the adapter around a client or server transaction machine,
// keeping one deadline per timer kind and firing them in time order, like SimulatedTime.

#include <chrono>
#include <map>
#include <utility>
#include <vector>

#include "core/sip/sip_message.hpp"
#include "core/sip/transaction_timers.hpp"

namespace ccteams::sip {

template <class Transaction>
struct TransactionHarness {
  Transaction& tx;
  std::chrono::milliseconds now{0};
  std::map<TimerKind, std::chrono::milliseconds> pending;
  std::vector<std::pair<std::chrono::milliseconds, SipMessage>> sent;  // when, what
  std::vector<SipMessage> delivered;  // client transactions: what reached the TU
  bool terminated = false;
  bool timed_out = false;

  template <class Effects>
  void apply(const Effects& e) {
    if (e.send) sent.emplace_back(now, *e.send);
    if constexpr (requires { e.deliver; }) {
      if (e.deliver) delivered.push_back(*e.deliver);
    }
    for (const auto& t : e.timers) pending[t.kind] = now + t.after;
    terminated = terminated || e.terminated;
    timed_out = timed_out || e.timed_out;
  }
  // Runs every timer due up to `until`, in deadline order.
  void advance_to(std::chrono::milliseconds until) {
    while (!terminated && !pending.empty()) {
      auto next = pending.begin();
      for (auto it = pending.begin(); it != pending.end(); ++it) {
        if (it->second < next->second) next = it;
      }
      if (next->second > until) break;
      const TimerKind kind = next->first;
      now = next->second;
      pending.erase(next);
      apply(tx.on_timer(kind));
    }
    now = until;
  }
  // When responses with this status were sent (server transactions).
  std::vector<std::chrono::milliseconds> times_of(int status) const {
    std::vector<std::chrono::milliseconds> out;
    for (const auto& [t, m] : sent) {
      if (!m.is_request && m.status_code == status) out.push_back(t);
    }
    return out;
  }
  // When requests with this method were sent (client transactions).
  std::vector<std::chrono::milliseconds> times_of(std::string_view method) const {
    std::vector<std::chrono::milliseconds> out;
    for (const auto& [t, m] : sent) {
      if (m.is_request && m.method == method) out.push_back(t);
    }
    return out;
  }
};

}  // namespace ccteams::sip
