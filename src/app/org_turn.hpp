#pragma once
// One decision at a time for one organisation (docs/architecture.md, "Actors"). A decision
// awaits the store (to load what it reads, to write what it decided); while it waits, its
// strand runs other work, and another decision of the same organisation must not start from
// the half-written state. OrgTurn is the organisation's queue of decisions: take() returns at
// once when nobody holds the turn, else when the ones before have finished, in arrival order.
// Everything here runs on the organisation's strand: no lock.

#include <boost/asio/awaitable.hpp>
#include <deque>
#include <functional>

namespace ccteams {

class OrgTurn {
 public:
  // Held while alive; the next waiter (if any) is resumed on its own executor when it goes.
  class Held {
   public:
    explicit Held(OrgTurn* turn) : turn_(turn) {}
    Held(Held&& other) noexcept : turn_(other.turn_) { other.turn_ = nullptr; }
    Held& operator=(Held&&) = delete;
    Held(const Held&) = delete;
    Held& operator=(const Held&) = delete;
    ~Held() {
      if (turn_ != nullptr) turn_->release();
    }

   private:
    OrgTurn* turn_;
  };

  // On the organisation's strand.
  boost::asio::awaitable<Held> take();
  // Decisions waiting for the turn (not counting the one holding it).
  std::size_t waiting() const { return waiting_.size(); }
  bool held() const { return held_; }

 private:
  void release();

  bool held_ = false;
  std::deque<std::function<void()>> waiting_;  // each resumes one waiting take()
};

}  // namespace ccteams
