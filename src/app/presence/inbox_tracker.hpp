#pragma once
// The inbox tracker (presence_sync.hpp, "channel 2"): which stored inbox entries still wait for
// a read, which notified users they name, and when each user was notified (the delay metric).
// An entry is removed from the durable inbox only when, for every watched user it names, a
// read that started after the entry was stored has been applied: a crash at any point leaves
// the entry, which the next start processes.
//
// Thread-safety: none; the organisation's strand drives it. Its store work goes through the
// Store port: the read is awaited, removals are posted (their failure is logged and counted).

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "app/ports/store.hpp"
#include "app/presence/sync_metrics.hpp"
#include "core/ids.hpp"
#include "core/time.hpp"

namespace ccteams::presence {

class InboxTracker {
 public:
  // store: not owned, outlives the tracker.
  InboxTracker(Store& store, OrgId org, SyncMetrics& metrics)
      : store_(store), org_(org), metrics_(metrics) {}

  struct NewEntries {
    std::vector<InboxEntry> entries;  // not seen before, oldest first
    bool more = false;                // the read was full: read again
  };
  // Entries in the inbox that were not claimed yet, claimed now (also when calls overlap: each
  // entry is returned once). An entry this tracker removed is never returned again, even by a
  // read that raced its removal (the removal is posted). At start, and again whenever the inbox
  // grew behind the tracker's back (another instance stored entries: PresenceSync::inbox_grown).
  // nullopt: the inbox could not be read (logged).
  boost::asio::awaitable<std::optional<NewEntries>> read_new();
  // An entry handed over by the webhook: true when it was neither claimed (by a read or an
  // earlier hand-off) nor removed yet, claimed now.
  bool claim(std::int64_t seq) {
    return !removed_.contains(seq) && claimed_.insert(seq).second;
  }

  // Tracks a change entry: returns the watched users it names, to be read in bulk; empty when
  // none is watched (remove the entry now).
  std::vector<std::string> await_reads(const InboxEntry& e,
                                       const std::function<bool(const std::string&)>& watched);
  // A rich batch's user, applied from the notification itself (the delay metric's start).
  void note_notified(const std::string& user, Timestamp received_at);
  // A read that started at `started` covered user: entries stored before it are done for that
  // user; entries done for every user are removed from the inbox.
  void satisfied(const std::string& user, Timestamp started);
  // When user was notified (for the delay metric), forgetting it.
  std::optional<Timestamp> take_notified(const std::string& user);
  void forget_notified(const std::string& user) { notified_at_.erase(user); }

  // Removes entries from the durable inbox, without waiting (posted to the store; logged and
  // counted when the store fails).
  void remove(const std::vector<std::int64_t>& seqs);
  // Everything of the org (the connector is deleted); logged and counted when the store fails.
  boost::asio::awaitable<void> clear();

  std::size_t awaiting() const { return awaiting_.size(); }

 private:
  struct Awaiting {
    Timestamp received_at;
    std::unordered_set<std::string> users;  // not yet read since
  };

  Store& store_;
  OrgId org_;
  SyncMetrics& metrics_;
  std::map<std::int64_t, Awaiting> awaiting_;  // by seq
  std::unordered_map<std::string, std::vector<std::int64_t>> user_entries_;
  std::unordered_map<std::string, Timestamp> notified_at_;
  std::unordered_set<std::int64_t> claimed_;  // read or handed, not removed yet
  // Removed (the removal posted) and perhaps still in the inbox: a read skips them. Forgotten
  // once a read shows them gone (seqs are never reused); without reads (one instance: the
  // webhook hands everything over) the oldest are forgotten past kRememberRemoved, whose
  // removals finished long ago.
  static constexpr std::size_t kRememberRemoved = 4'096;
  std::set<std::int64_t> removed_;
};

}  // namespace ccteams::presence
