#include "app/org_turn.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace ccteams {

namespace asio = boost::asio;

asio::awaitable<OrgTurn::Held> OrgTurn::take() {
  if (!held_) {
    held_ = true;
    co_return Held(this);
  }
  // Suspended until release() hands the turn over (held_ stays true across the hand-over).
  auto queue_up = [this](auto handler) {
    // std::function needs a copyable callable: the move-only handler goes behind a pointer.
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    waiting_.emplace_back([h] {
      auto ex = asio::get_associated_executor(*h);
      asio::post(ex, std::move(*h));
    });
  };
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(queue_up,
                                                                       asio::use_awaitable);
  co_return Held(this);
}

void OrgTurn::release() {
  if (waiting_.empty()) {
    held_ = false;
    return;
  }
  auto next = std::move(waiting_.front());
  waiting_.pop_front();
  next();
}

}  // namespace ccteams
