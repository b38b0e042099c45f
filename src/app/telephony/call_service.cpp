#include "app/telephony/call_service.hpp"

#include <spdlog/spdlog.h>

#include <cassert>

namespace ccteams::telephony {

namespace {

// What a published contact change means for its call; nullopt: nothing (Connected and the
// other talking states follow our own accept, or the agent's desktop).
std::optional<CallEvent> event_of(const ContactUpdate& u) {
  switch (u.status) {
    case ContactStatus::queued:
      return CallEvent{ContactRequeued{}};
    case ContactStatus::offered:
      if (u.agent) return CallEvent{ContactOffered{*u.agent}};
      return std::nullopt;
    case ContactStatus::ended:
      return CallEvent{ContactEnded{}};
    default:
      return std::nullopt;
  }
}

}  // namespace

CallService::CallService(std::vector<NumberRoute> numbers, CallLegs& legs, CallContacts& contacts)
    : numbers_(std::move(numbers)), legs_(legs), contacts_(contacts) {
  [[maybe_unused]] const auto invalid = invalid_number_routes(numbers_);
  assert(!invalid && "numbers are checked with the configuration");
}

RouteDecision CallService::incoming(const CallKey& key, const IncomingInvite& invite) {
  RouteDecision decision =
      route_invite(numbers_, invite, [this](OrgId org) { return contacts_.served(org); });
  const auto* route = std::get_if<RouteToQueue>(&decision);
  {
    std::lock_guard lock(mu_);
    if (route == nullptr) {
      ++refused_;
      return decision;
    }
    if (calls_.contains(key)) {
      // The adapter's keys are unique per call; a repeat is a bug there, refused here.
      return RefuseCall{500, "Server Internal Error (call already exists)", 0};
    }
    ++taken_;
    calls_.emplace(key, Entry{Call{}, route->org, route->queue, route->caller, true});
  }
  contacts_.new_contact(route->org, route->queue, route->caller,
                        [this, key](Result<ContactId> created) { on_contact(key, created); });
  return decision;
}

void CallService::on_contact(const CallKey& key, Result<ContactId> created) {
  std::optional<Work> work;
  std::optional<ContactUpdate> early;
  {
    std::lock_guard lock(mu_);
    auto it = calls_.find(key);
    if (it == calls_.end()) return;
    it->second.awaiting_contact = false;
    if (created) {
      by_contact_[*created] = key;
      if (auto e = early_.find(*created); e != early_.end()) {
        early = e->second;
        early_.erase(e);
      }
    }
  }
  if (created) {
    work = step(key, ContactCreated{*created});
  } else {
    spdlog::error("telephony: call {} got no contact: {}", key, created.error().message);
    // An unknown queue (a number mapped to a queue that was deleted): the number is not in
    // service. The organisation moved to another instance meanwhile: try again (§21.5.4).
    const Errc code = created.error().code;
    if (code == Errc::invalid_input) {
      work = step(key, ContactRefused{404, "Not Found (the number's queue does not exist)"});
    } else if (code == Errc::unavailable) {
      work = step(key, ContactRefused{503, "Service Unavailable"});
    } else {
      work = step(key, ContactRefused{500, "Server Internal Error"});
    }
  }
  if (work) run(*work);
  if (early) contact_changed(*early);
}

void CallService::caller_hung_up(const CallKey& key) {
  if (auto work = step(key, CallerHungUp{})) run(*work);
}

void CallService::contact_changed(const ContactUpdate& update) {
  const auto event = event_of(update);
  CallKey key;
  {
    std::lock_guard lock(mu_);
    const auto it = by_contact_.find(update.contact);
    if (it == by_contact_.end()) {
      // Maybe ours, before new_contact answered: kept for on_contact. Ended contacts are
      // not: ours end through the call.
      if (update.status == ContactStatus::ended) {
        early_.erase(update.contact);
        return;
      }
      if (early_.insert_or_assign(update.contact, update).second) {
        early_order_.push_back(update.contact);
      }
      while (early_.size() > kEarlyMax && !early_order_.empty()) {
        early_.erase(early_order_.front());
        early_order_.pop_front();
      }
      if (early_order_.size() > 2 * kEarlyMax) {
        std::erase_if(early_order_, [this](ContactId c) { return !early_.contains(c); });
      }
      return;
    }
    key = it->second;
  }
  if (!event) return;
  if (auto work = step(key, *event)) run(*work);
}

void CallService::device_answered(const CallKey& key, UserId agent) {
  if (auto work = step(key, DeviceAnswered{agent})) run(*work);
}
void CallService::device_failed(const CallKey& key, UserId agent) {
  if (auto work = step(key, DeviceFailed{agent})) run(*work);
}
void CallService::device_hung_up(const CallKey& key, UserId agent) {
  if (auto work = step(key, DeviceHungUp{agent})) run(*work);
}

std::optional<CallService::Work> CallService::step(const CallKey& key, const CallEvent& event) {
  std::lock_guard lock(mu_);
  auto it = calls_.find(key);
  if (it == calls_.end()) return std::nullopt;
  CallStep next = telephony::apply(it->second.call, event);
  it->second.call = next.call;
  Work work{key, it->second.org, it->second.caller, std::move(next.effects)};
  forget_if_done(it);
  return work;
}

void CallService::forget_if_done(std::map<CallKey, Entry>::iterator it) {
  if (it->second.call.state != CallState::ended || it->second.awaiting_contact) return;
  if (it->second.call.contact) by_contact_.erase(*it->second.call.contact);
  calls_.erase(it);
}

void CallService::run(const Work& w) {
  struct Runner {
    CallService& s;
    const Work& w;
    void operator()(const AnswerCaller&) const { s.legs_.answer_caller(w.key); }
    void operator()(const RejectCaller& e) const { s.legs_.reject_caller(w.key, e.status, e.reason); }
    void operator()(const HangUpCaller&) const { s.legs_.hang_up_caller(w.key); }
    void operator()(const PlayQueueAudio&) const { s.legs_.play_queue_audio(w.key); }
    void operator()(const RingAgent& e) const { s.legs_.ring_agent(w.key, w.org, e.agent, w.caller); }
    void operator()(const CancelAgent& e) const { s.legs_.cancel_agent(w.key, e.agent); }
    void operator()(const Bridge& e) const { s.legs_.bridge(w.key, e.agent); }
    void operator()(const AbandonContact& e) const { s.contacts_.abandon(w.org, e.contact); }
    void operator()(const EndContact& e) const { s.contacts_.end(w.org, e.agent, e.contact); }
    void operator()(const AcceptContact& e) const { s.contacts_.accept(w.org, e.agent, e.contact); }
    void operator()(const DeclineContact& e) const {
      s.contacts_.decline(w.org, e.agent, e.contact);
    }
    void operator()(const ReleaseMedia&) const { s.legs_.release_media(w.key); }
  };
  for (const auto& effect : w.effects) std::visit(Runner{*this, w}, effect);
}

CallServiceCounts CallService::counts() const {
  std::lock_guard lock(mu_);
  return CallServiceCounts{calls_.size(), taken_, refused_};
}

std::optional<Call> CallService::call(const CallKey& key) const {
  std::lock_guard lock(mu_);
  const auto it = calls_.find(key);
  if (it == calls_.end()) return std::nullopt;
  return it->second.call;
}

}  // namespace ccteams::telephony
