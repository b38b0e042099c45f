#include "app/org_actors.hpp"

#include <boost/asio/strand.hpp>
#include <mutex>
#include <unordered_map>

namespace ccteams {

namespace asio = boost::asio;

struct OrgActors::Impl {
  asio::any_io_executor ex;
  std::mutex mu;  // guards the map of strands only, never an organisation's state
  std::unordered_map<OrgId, asio::strand<asio::any_io_executor>> strands;

  asio::strand<asio::any_io_executor>& get(OrgId org) {
    std::lock_guard lock(mu);
    auto it = strands.find(org);
    if (it == strands.end()) it = strands.emplace(org, asio::make_strand(ex)).first;
    return it->second;  // unordered_map never moves its elements
  }
};

OrgActors::OrgActors(asio::any_io_executor ex) : impl_(std::make_unique<Impl>()) {
  impl_->ex = std::move(ex);
}

OrgActors::~OrgActors() = default;

asio::any_io_executor OrgActors::strand(OrgId org) { return impl_->get(org); }

bool OrgActors::on_strand(OrgId org) { return impl_->get(org).running_in_this_thread(); }

std::optional<OrgId> OrgActors::current_org() {
  std::lock_guard lock(impl_->mu);
  for (const auto& [org, strand] : impl_->strands) {
    if (strand.running_in_this_thread()) return org;
  }
  return std::nullopt;
}

asio::any_io_executor OrgActors::executor() const { return impl_->ex; }

}  // namespace ccteams
