#pragma once
// CallContacts on the ContactCenter: each request runs on the organisation's strand (co_spawn
// onto OrgActors), as the demo's simulated callers do. Refusals of fire-and-forget decisions
// are logged: a conflict is the expected race (the contact moved on meanwhile), anything else
// is a warning.

#include "app/contact_center.hpp"
#include "app/telephony/call_service.hpp"

namespace ccteams::telephony {

class ContactCenterCalls final : public CallContacts {
 public:
  // center must outlive this and every request still running.
  explicit ContactCenterCalls(ContactCenter& center) : center_(center) {}

  // CallContacts
  bool served(OrgId org) const override;
  void new_contact(OrgId org, QueueId queue, std::string caller,
                   std::function<void(Result<ContactId>)> done) override;
  void abandon(OrgId org, ContactId contact) override;
  void end(OrgId org, UserId agent, ContactId contact) override;
  void accept(OrgId org, UserId agent, ContactId contact) override;
  void decline(OrgId org, UserId agent, ContactId contact) override;

 private:
  ContactCenter& center_;
};

}  // namespace ccteams::telephony
