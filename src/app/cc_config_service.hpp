#pragma once
// Administration of the contact center's configuration within one organisation (admin API:
// /api/v1/idle-codes, /api/v1/desktop-profiles, /api/v1/queues, /api/v1/agents).
//
// Validation happens here, before anything is stored: a refused request changes nothing.
// Errors: invalid_input naming the API field; not_found for ids of another organisation;
// conflict for the system RONA code and for deleting what is still in use (naming the user).
// Thread-safety: every call may run concurrently, from any coroutine.

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "app/ports/account_store.hpp"
#include "app/ports/contact_center_store.hpp"
#include "app/ports/store.hpp"

namespace ccteams {

struct IdleCodeChanges {
  std::optional<std::string> name;
  std::optional<bool> active;
};

struct DesktopProfileChanges {
  std::optional<std::string> name;
  std::optional<bool> microsoft_teams;
  std::optional<bool> webex_app;
  std::optional<int> rona_timeout_seconds;
  std::optional<int> wrap_up_seconds;
  std::optional<std::vector<IdleCodeId>> allowed_idle_codes;
};

struct AgentChanges {
  std::optional<std::optional<DesktopProfileId>> desktop_profile;  // inner nullopt: none
  std::optional<std::vector<QueueId>> queues;
  std::optional<std::optional<std::string>> teams_user_id;
};

// An agent as the API shows it: the account with the agent role and its settings (defaults
// when an admin has not configured it yet).
// What an agent's desktop offers them: their profile (none: the defaults), the idle codes they
// may choose by hand (active, not system, allowed by the profile; all of those when it allows
// any), and their queues, in the agent's order.
struct AgentDesktop {
  std::optional<DesktopProfile> profile;
  std::vector<IdleCode> idle_codes;
  std::vector<CcQueue> queues;
};

struct AgentView {
  UserAccount user;
  AgentConfig config;
  bool configured = false;
};

// Asked before an idle code is deleted, inside the deleting store job (on the store's executor,
// so what it reads of the store is read atomically with the deletion): a reason text ("the
// presence mapping of the Microsoft Teams connector") when the code is in use there, nullopt
// when it is not, or an error (which refuses the deletion: a guard that cannot answer must not
// let a used code go). It must not wait for anything but the store.
using IdleCodeGuard = std::function<Result<std::optional<std::string>>(Stores&, OrgId, IdleCodeId)>;

// Every operation is awaitable and runs as one job on the store's executor: its reads and the
// writes they decide are atomic with respect to every other store job.
class CcConfigService {
 public:
  template <class T>
  using Async = boost::asio::awaitable<T>;

  // on_change (may be empty) is called with the organisation after every successful write of
  // its idle codes, desktop profiles, queues or agents (not after a refused one), on the
  // writing caller's executor once the write is stored. delete_idle_code consults
  // idle_code_guards besides the desktop profiles (the Teams connector's presence mapping is
  // one), in that order.
  explicit CcConfigService(Store& store, std::function<void(OrgId)> on_change = {},
                           std::vector<IdleCodeGuard> idle_code_guards = {});

  // Idle codes. The list always contains the org's RONA code (created on first use).
  Async<Result<std::vector<IdleCode>>> list_idle_codes(OrgId org);
  Async<Result<IdleCode>> get_idle_code(OrgId org, IdleCodeId id);
  // conflict for the reserved name RONA.
  Async<Result<IdleCode>> create_idle_code(OrgId org, std::string name, bool active);
  Async<Result<IdleCode>> update_idle_code(OrgId org, IdleCodeId id, IdleCodeChanges changes);
  // conflict for RONA and for a code in use: a desktop profile allows it (naming the profiles)
  // or a guard gives a reason (naming it). A guard's error is returned as is.
  Async<Result<void>> delete_idle_code(OrgId org, IdleCodeId id);

  Async<Result<std::vector<DesktopProfile>>> list_desktop_profiles(OrgId org);
  Async<Result<DesktopProfile>> get_desktop_profile(OrgId org, DesktopProfileId id);
  // profile.org must be org; the id is assigned.
  Async<Result<DesktopProfile>> create_desktop_profile(OrgId org, DesktopProfile profile);
  Async<Result<DesktopProfile>> update_desktop_profile(OrgId org, DesktopProfileId id,
                                                       DesktopProfileChanges changes);
  Async<Result<void>> delete_desktop_profile(OrgId org, DesktopProfileId id);

  Async<Result<std::vector<CcQueue>>> list_queues(OrgId org);
  Async<Result<CcQueue>> get_queue(OrgId org, QueueId id);
  Async<Result<CcQueue>> create_queue(OrgId org, std::string name);
  Async<Result<CcQueue>> rename_queue(OrgId org, QueueId id, std::string name);
  Async<Result<void>> delete_queue(OrgId org, QueueId id);

  // Every account of org with the agent role.
  Async<Result<std::vector<AgentView>>> list_agents(OrgId org);
  Async<Result<AgentView>> get_agent(OrgId org, UserId user);
  // Configures an account as an agent. invalid_input ("userId") when the account lacks the
  // agent role; not_found for another org's user, profile or queue.
  Async<Result<AgentView>> put_agent(OrgId org, UserId user, AgentChanges changes);
  // Forgets the agent's settings and state (the account stays).
  Async<Result<void>> delete_agent(OrgId org, UserId user);
  // The agent's own desktop settings. not_found when user is not an agent of org.
  Async<Result<AgentDesktop>> desktop_of(OrgId org, UserId user);

 private:
  // store_.run(job), then on_change(org) when the write succeeded.
  template <class Fn>
  Async<std::invoke_result_t<Fn&, Stores&>> write(OrgId org, Fn job) {
    auto r = co_await store_.run(std::move(job));
    if (r && on_change_) on_change_(org);
    co_return r;
  }
  Result<void> delete_code(Stores& s, OrgId org, IdleCodeId id);

  Store& store_;
  std::function<void(OrgId)> on_change_;
  const std::vector<IdleCodeGuard> idle_code_guards_;
};

// invalid_input naming "queueIds" when an id repeats.
Result<void> validate_queue_ids(const std::vector<QueueId>& queues);

}  // namespace ccteams
