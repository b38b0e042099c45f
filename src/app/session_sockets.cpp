#include "app/session_sockets.hpp"

#include <vector>

namespace ccteams {

// Index of the live slots. Held by shared_ptr so that a slot outliving the registry (a socket
// still closing at shutdown) finds it gone instead of dangling.
struct SessionSockets::Slot::Registry {
  std::mutex mu;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, std::weak_ptr<Slot>> slots;
  std::map<std::string, std::size_t, std::less<>> per_session;

  void release(const std::string& digest, std::uint64_t id) {
    std::lock_guard lock(mu);
    if (slots.erase(id) == 0) return;
    auto it = per_session.find(digest);
    if (it != per_session.end() && --it->second == 0) per_session.erase(it);
  }
};

SessionSockets::Slot::Slot(std::weak_ptr<Registry> registry, SocketOwner owner, std::uint64_t id)
    : registry_(std::move(registry)), owner_(std::move(owner)), id_(id) {}

SessionSockets::Slot::~Slot() {
  if (expiry_) expiry_->cancel();
  if (auto r = registry_.lock()) r->release(owner_.session_digest, id_);
}

void SessionSockets::Slot::attach(std::function<void(std::string reason)> close) {
  std::unique_lock lock(mu_);
  if (ended_) {
    lock.unlock();
    close(kSessionEnded);
    return;
  }
  close_ = std::move(close);
}

bool SessionSockets::Slot::ended() const {
  std::lock_guard lock(mu_);
  return ended_;
}

void SessionSockets::Slot::end(std::string reason) {
  std::function<void(std::string)> close;
  {
    std::lock_guard lock(mu_);
    if (ended_) return;
    ended_ = true;
    close = std::move(close_);
  }
  if (close) close(std::move(reason));
}

SessionSockets::SessionSockets(Scheduler& scheduler, SessionSocketsOptions options)
    : scheduler_(scheduler),
      options_(options),
      registry_(std::make_shared<Slot::Registry>()) {}

SessionSockets::~SessionSockets() = default;

Result<std::shared_ptr<SessionSockets::Slot>> SessionSockets::reserve(SocketOwner owner) {
  std::shared_ptr<Slot> slot;
  {
    std::lock_guard lock(registry_->mu);
    auto& count = registry_->per_session[owner.session_digest];
    if (count >= options_.max_per_session) {
      if (count == 0) registry_->per_session.erase(owner.session_digest);
      return make_error(Errc::rate_limited,
                        "this session already has " + std::to_string(options_.max_per_session) +
                            " open event streams; close one (another tab or window) first");
    }
    ++count;
    const std::uint64_t id = registry_->next_id++;
    slot = std::shared_ptr<Slot>(new Slot(registry_, owner, id));
    registry_->slots.emplace(id, slot);
  }
  // One timer per socket on the scheduler port: tests drive it on simulated time. The session
  // itself is refused by authenticate after expiry; this closes what is already open.
  slot->expiry_ = scheduler_.schedule(owner.expires_at, [weak = std::weak_ptr<Slot>(slot)] {
    if (auto s = weak.lock()) s->end("session expired");
  });
  return slot;
}

template <class Pred>
std::size_t SessionSockets::end_where(Pred pred) {
  // Closed after the registry's lock is released: a close takes the socket's lock and must
  // never wait behind (or deadlock with) another session's bookkeeping.
  // Weak copies under the lock: locking a slot there could make this the last owner, and its
  // destructor takes the same lock.
  std::vector<std::weak_ptr<Slot>> all;
  {
    std::lock_guard lock(registry_->mu);
    all.reserve(registry_->slots.size());
    for (const auto& [_, weak] : registry_->slots) all.push_back(weak);
  }
  std::vector<std::shared_ptr<Slot>> doomed;
  for (const auto& weak : all) {
    auto slot = weak.lock();
    if (slot && pred(slot->owner_)) doomed.push_back(std::move(slot));
  }
  for (const auto& slot : doomed) slot->end(kSessionEnded);
  return doomed.size();
}

std::size_t SessionSockets::end_session(const std::string& session_digest) {
  return end_where([&](const SocketOwner& o) { return o.session_digest == session_digest; });
}

std::size_t SessionSockets::end_user(OrgId org, UserId user, const std::string& keep_session) {
  return end_where([&](const SocketOwner& o) {
    return o.org == org && o.user == user &&
           (keep_session.empty() || o.session_digest != keep_session);
  });
}

std::size_t SessionSockets::open_count() const {
  std::lock_guard lock(registry_->mu);
  return registry_->slots.size();
}

std::size_t SessionSockets::open_count(const std::string& session_digest) const {
  std::lock_guard lock(registry_->mu);
  auto it = registry_->per_session.find(session_digest);
  return it == registry_->per_session.end() ? 0 : it->second;
}

}  // namespace ccteams
