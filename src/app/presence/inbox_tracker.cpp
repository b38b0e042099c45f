#include "app/presence/inbox_tracker.hpp"

#include <spdlog/spdlog.h>

namespace ccteams::presence {

boost::asio::awaitable<std::optional<InboxTracker::NewEntries>> InboxTracker::read_new() {
  // A full read holds new entries.
  const std::size_t limit = claimed_.size() + removed_.size() + 512;
  const OrgId org = org_;
  auto pending = [&](Stores& s) { return s.inbox().pending(org, limit); };
  auto entries = co_await store_.read(pending);
  if (!entries) {
    spdlog::warn("presence sync: org {}: inbox read failed: {}", org_.value,
                 entries.error().message);
    co_return std::nullopt;
  }
  // Claimed after the await: a call or a hand-off that overlapped this one took its entries.
  NewEntries out;
  out.more = entries->size() >= limit;
  // Oldest first: a removed seq the read did not return, below the last one it returned (or
  // any, when the read was not full), is gone from the inbox for good.
  const std::int64_t last = entries->empty() ? 0 : entries->back().seq;
  std::unordered_set<std::int64_t> still;
  for (auto& e : *entries) {
    if (removed_.contains(e.seq)) {
      still.insert(e.seq);
      continue;
    }
    if (claim(e.seq)) out.entries.push_back(std::move(e));
  }
  std::erase_if(removed_, [&](std::int64_t seq) {
    return !still.contains(seq) && (!out.more || seq < last);
  });
  co_return out;
}

std::vector<std::string> InboxTracker::await_reads(
    const InboxEntry& e, const std::function<bool(const std::string&)>& watched) {
  Awaiting a{e.received_at, {}};
  std::vector<std::string> users;
  for (const auto& n : e.batch.notifications) {
    const std::string& user = n.user;
    if (user.empty() || !watched(user)) continue;
    note_notified(user, e.received_at);
    if (a.users.insert(user).second) users.push_back(user);
  }
  if (users.empty()) return users;
  for (const auto& u : a.users) user_entries_[u].push_back(e.seq);
  awaiting_.emplace(e.seq, std::move(a));
  return users;
}

void InboxTracker::note_notified(const std::string& user, Timestamp received_at) {
  auto [it, fresh] = notified_at_.try_emplace(user, received_at);
  if (!fresh && received_at < it->second) it->second = received_at;
}

void InboxTracker::satisfied(const std::string& user, Timestamp started) {
  auto ue = user_entries_.find(user);
  if (ue == user_entries_.end()) return;
  std::vector<std::int64_t> done, keep;
  for (std::int64_t seq : ue->second) {
    auto a = awaiting_.find(seq);
    if (a == awaiting_.end()) continue;
    if (a->second.received_at > started) {
      keep.push_back(seq);
      continue;
    }
    a->second.users.erase(user);
    if (a->second.users.empty()) {
      done.push_back(seq);
      awaiting_.erase(a);
    }
  }
  if (keep.empty()) {
    user_entries_.erase(ue);
  } else {
    ue->second = std::move(keep);
  }
  if (!done.empty()) remove(done);
}

std::optional<Timestamp> InboxTracker::take_notified(const std::string& user) {
  auto n = notified_at_.find(user);
  if (n == notified_at_.end()) return std::nullopt;
  Timestamp at = n->second;
  notified_at_.erase(n);
  return at;
}

void InboxTracker::remove(const std::vector<std::int64_t>& seqs) {
  for (std::int64_t seq : seqs) {
    claimed_.erase(seq);
    removed_.insert(seq);
  }
  while (removed_.size() > kRememberRemoved) removed_.erase(removed_.begin());
  // A posted job outlives this tracker: it holds copies, and the registry's counter (the
  // runtime stops the store before the metrics go).
  store_.post([org = org_, seqs, failures = &metrics_.store_failures](Stores& s) {
    if (auto r = s.inbox().remove(org, seqs); !r) {
      failures->inc();
      spdlog::warn("presence sync: org {}: inbox remove failed: {}", org.value,
                   r.error().message);
    }
  });
}

boost::asio::awaitable<void> InboxTracker::clear() {
  const OrgId org = org_;
  auto clear = [&](Stores& s) { return s.inbox().clear(org); };
  if (auto r = co_await store_.run(clear); !r) {
    metrics_.store_failures.inc();
    spdlog::warn("presence sync: org {}: clearing the inbox failed: {}", org_.value,
                 r.error().message);
  }
}

}  // namespace ccteams::presence
