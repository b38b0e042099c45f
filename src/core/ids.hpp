#pragma once
// Strong types for ids (STYLE.md §5): an OrgId can never be passed where a UserId is expected.

#include <compare>
#include <cstdint>
#include <functional>

namespace ccteams {

#define CCTEAMS_STRONG_ID(Name)                                             \
  struct Name {                                                             \
    std::int64_t value = 0;                                                 \
    friend auto operator<=>(const Name&, const Name&) = default;            \
  };

CCTEAMS_STRONG_ID(OrgId)
CCTEAMS_STRONG_ID(UserId)
// Contact-center ids. An agent is a user account, so agents are named by UserId.
CCTEAMS_STRONG_ID(QueueId)
CCTEAMS_STRONG_ID(ContactId)
CCTEAMS_STRONG_ID(IdleCodeId)
CCTEAMS_STRONG_ID(DesktopProfileId)
// A connector sync account (the store's row id): the Entra account whose delegated token holds
// presence subscriptions. Parsed from and written to text at the HTTP boundary only.
CCTEAMS_STRONG_ID(SyncAccountId)

#undef CCTEAMS_STRONG_ID

}  // namespace ccteams

template <>
struct std::hash<ccteams::OrgId> {
  std::size_t operator()(ccteams::OrgId id) const noexcept { return std::hash<std::int64_t>{}(id.value); }
};
template <>
struct std::hash<ccteams::UserId> {
  std::size_t operator()(ccteams::UserId id) const noexcept { return std::hash<std::int64_t>{}(id.value); }
};
template <>
struct std::hash<ccteams::QueueId> {
  std::size_t operator()(ccteams::QueueId id) const noexcept { return std::hash<std::int64_t>{}(id.value); }
};
template <>
struct std::hash<ccteams::ContactId> {
  std::size_t operator()(ccteams::ContactId id) const noexcept { return std::hash<std::int64_t>{}(id.value); }
};
template <>
struct std::hash<ccteams::IdleCodeId> {
  std::size_t operator()(ccteams::IdleCodeId id) const noexcept { return std::hash<std::int64_t>{}(id.value); }
};
template <>
struct std::hash<ccteams::DesktopProfileId> {
  std::size_t operator()(ccteams::DesktopProfileId id) const noexcept { return std::hash<std::int64_t>{}(id.value); }
};
template <>
struct std::hash<ccteams::SyncAccountId> {
  std::size_t operator()(ccteams::SyncAccountId id) const noexcept {
    return std::hash<std::int64_t>{}(id.value);
  }
};
