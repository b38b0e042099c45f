#pragma once
// One actor per organisation (docs/architecture.md, "Actors"): everything live of an
// organisation (agents and contacts, routing and RONA timers, presence sync, the directory
// mirror) runs on that organisation's strand, so no mutex guards organisation state. Work for
// an organisation from elsewhere (an HTTP request, the webhook, a timer) is handed to its
// strand (asio::dispatch / co_await asio::dispatch(actors.strand(org))).

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <optional>

#include "core/ids.hpp"

namespace ccteams {

class OrgActors {
 public:
  explicit OrgActors(boost::asio::any_io_executor ex);
  ~OrgActors();
  OrgActors(const OrgActors&) = delete;
  OrgActors& operator=(const OrgActors&) = delete;

  // org's strand: made on first use, the same one for the registry's life. Any thread.
  boost::asio::any_io_executor strand(OrgId org);
  // Whether the calling thread is running org's strand now (for asserts).
  bool on_strand(OrgId org);
  // The organisation whose strand the calling thread is running now, if any (the cluster's
  // write fence: app/cluster/fenced_store.hpp). Linear in the organisations with a strand.
  std::optional<OrgId> current_org();
  // The executor the strands run on.
  boost::asio::any_io_executor executor() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccteams
