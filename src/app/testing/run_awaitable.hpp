#pragma once
// Runs one awaitable to completion on a private io_context and returns its result: how a test
// calls an awaitable app operation from plain test code. Work the awaitable hands to other
// threads (the store's executor) completes back on this io_context, which run() waits for.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <type_traits>
#include <utility>

namespace ccteams::testing {

template <class T>
T run_awaitable(boost::asio::awaitable<T> aw) {
  boost::asio::io_context ioc;
  if constexpr (std::is_void_v<T>) {
    boost::asio::co_spawn(ioc, std::move(aw), boost::asio::detached);
    ioc.run();
  } else {
    std::optional<T> out;
    auto body = [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(aw)); };
    boost::asio::co_spawn(ioc, body, boost::asio::detached);
    ioc.run();
    return std::move(*out);
  }
}

}  // namespace ccteams::testing
