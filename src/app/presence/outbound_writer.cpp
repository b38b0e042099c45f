#include "app/presence/outbound_writer.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "app/presence/graph_outcomes.hpp"
#include "core/presence.hpp"

namespace ccteams::presence {

namespace asio = boost::asio;

OutboundWriter::OutboundWriter(OutboundWriterDeps deps)
    : deps_(std::move(deps)), queue_(deps_.config, deps_.budget) {}

void OutboundWriter::on_effect(const AgentEffect& effect) {
  if (queue_.apply_effect(effect, deps_.loop.now())) deps_.loop.wake();
  report_settled();
}

void OutboundWriter::report_settled() {
  for (UserId agent : queue_.take_settled()) {
    deps_.loop.spawn(gone(agent), "presence sync: own session gone");
  }
}

asio::awaitable<void> OutboundWriter::gone(UserId agent) {
  if (!deps_.on_gone) co_return;
  if (auto r = co_await deps_.on_gone(agent); !r) {
    spdlog::warn("presence sync: org {}: OwnSessionGone failed: {}", deps_.org.value,
                 r.error().message);
  }
}

void OutboundWriter::step(Timestamp t, const std::function<void(Timestamp)>& sooner) {
  while (in_flight_ < deps_.max_in_flight) {
    auto next = queue_.next(t);
    if (next.write) {
      ++in_flight_;
      deps_.loop.spawn(write(*next.write), "presence sync: presence write");
      continue;
    }
    if (next.next_at) sooner(*next.next_at);
    break;
  }
  report_settled();  // e.g. a session that lapsed before its clear could go
}

asio::awaitable<void> OutboundWriter::write(sync::OutboundWrite w) {
  const bool clear = w.kind == sync::WriteKind::clear;
  sync::WriteOutcome outcome = sync::WriteOutcome::rejected;
  std::optional<Millis> after;
  if (auto teams = deps_.teams_user(w.agent)) {
    const std::string user = *teams;
    // Two statements, not a conditional expression: GCC 12 miscompiles co_await inside ?:.
    std::optional<GraphError> failed;
    if (clear) {
      auto r = co_await deps_.graph.clear_presence(tenant_, user, deps_.client_id);
      if (!r) failed = r.error();
    } else {
      const Presence own = own_session_presence();
      SetPresenceRequest req{user, deps_.client_id, format_availability(own), format_activity(own),
                             std::chrono::duration_cast<std::chrono::seconds>(w.expiration)};
      auto r = co_await deps_.graph.set_presence(tenant_, std::move(req));
      if (!r) failed = r.error();
    }
    if (!failed) {
      outcome = sync::WriteOutcome::ok;
    } else {
      outcome = write_outcome(*failed, clear);
      after = retry_after(*failed);
      if (outcome != sync::WriteOutcome::not_found) {
        spdlog::warn("presence sync: org {}: {} for agent {} failed: {}", deps_.org.value,
                     clear ? "clearPresence" : "setPresence", w.agent.value,
                     failed->to_error().message);
        deps_.loop.report_authorization(*failed);
      }
    }
  }
  --in_flight_;
  const Timestamp t = deps_.loop.now();
  if (outcome == sync::WriteOutcome::ok || outcome == sync::WriteOutcome::not_found) {
    ++writes_;
    deps_.metrics.writes_ok.inc();
  } else {
    ++failures_;
    deps_.metrics.writes_failed.inc();
    if (outcome == sync::WriteOutcome::throttled) {
      ++throttles_;
      deps_.metrics.throttles.inc();
    }
  }
  const bool cleared = queue_.on_result(t, w, outcome, after);
  report_settled();
  if (cleared) {
    ++sessions_cleared_;
    if (auto r = co_await deps_.on_cleared(w.agent, t); !r) {
      spdlog::warn("presence sync: org {}: TeamsBusyCleared failed: {}", deps_.org.value,
                   r.error().message);
    }
  }
  deps_.loop.wake();
}

}  // namespace ccteams::presence
