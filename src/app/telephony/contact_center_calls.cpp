#include "app/telephony/contact_center_calls.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>

#include "app/log_escaped.hpp"

namespace ccteams::telephony {

namespace asio = boost::asio;

namespace {

asio::awaitable<void> create(ContactCenter& center, OrgId org, QueueId queue, std::string caller,
                             std::function<void(Result<ContactId>)> done) {
  auto contact = co_await center.new_contact(org, queue, std::move(caller));
  if (!contact) {
    done(std::move(contact).error());
  } else {
    done(contact->id);
  }
}

void log_refusal(const char* what, OrgId org, ContactId contact, const Error& e) {
  if (e.code == Errc::conflict) {
    spdlog::debug("telephony: {} of contact {} (org {}) refused: {}", what, contact.value,
                  org.value, e.message);
  } else {
    spdlog::warn("telephony: {} of contact {} (org {}) failed: {}", what, contact.value,
                 org.value, e.message);
  }
}

// One decision for a contact, its refusal logged. Parameters by value (GCC 12 coroutines).
template <class Fn>
asio::awaitable<void> decide(const char* what, OrgId org, ContactId contact, Fn fn) {
  auto r = co_await fn();
  if (!r) log_refusal(what, org, contact, r.error());
}

}  // namespace

bool ContactCenterCalls::served(OrgId org) const { return center_.served(org).has_value(); }

void ContactCenterCalls::new_contact(OrgId org, QueueId queue, std::string caller,
                                     std::function<void(Result<ContactId>)> done) {
  asio::co_spawn(center_.actors().strand(org),
                 create(center_, org, queue, std::move(caller), std::move(done)),
                 LogEscaped{"telephony: a new contact"});
}

// Fire and forget on the organisation's strand.
template <class Fn>
void spawn_decision(ContactCenter& center, const char* what, OrgId org, ContactId contact, Fn fn) {
  asio::co_spawn(center.actors().strand(org), decide(what, org, contact, std::move(fn)),
                 LogEscaped{"telephony: a decision"});
}

void ContactCenterCalls::abandon(OrgId org, ContactId contact) {
  spawn_decision(center_, "abandon", org, contact,
                 [this, org, contact] { return center_.abandon(org, contact); });
}

void ContactCenterCalls::end(OrgId org, UserId agent, ContactId contact) {
  spawn_decision(center_, "end", org, contact,
                 [this, org, agent, contact] { return center_.end(org, agent, contact); });
}

void ContactCenterCalls::accept(OrgId org, UserId agent, ContactId contact) {
  spawn_decision(center_, "accept", org, contact,
                 [this, org, agent, contact] { return center_.accept(org, agent, contact); });
}

void ContactCenterCalls::decline(OrgId org, UserId agent, ContactId contact) {
  spawn_decision(center_, "decline", org, contact,
                 [this, org, agent, contact] { return center_.decline(org, agent, contact); });
}

}  // namespace ccteams::telephony
