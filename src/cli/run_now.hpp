#pragma once
// Runs one awaitable to completion on a private io_context and returns its result: how the
// command line and the runtime's start-up (before the I/O threads run) call the awaitable
// services, such as seeding accounts. Work the awaitable hands to other threads (the store's
// executor, the password workers) completes back on this io_context, which run() waits for.
// An exception escaping the awaitable is rethrown here.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace ccteams::cli {

template <class T>
T run_now(boost::asio::awaitable<T> aw) {
  boost::asio::io_context ioc;
  std::exception_ptr failed;
  auto rethrow = [&failed](std::exception_ptr e) { failed = e; };
  if constexpr (std::is_void_v<T>) {
    boost::asio::co_spawn(ioc, std::move(aw), rethrow);
    ioc.run();
    if (failed) std::rethrow_exception(failed);
  } else {
    std::optional<T> out;
    auto body = [&]() -> boost::asio::awaitable<void> { out.emplace(co_await std::move(aw)); };
    boost::asio::co_spawn(ioc, body, rethrow);
    ioc.run();
    if (failed) std::rethrow_exception(failed);
    return std::move(*out);
  }
}

}  // namespace ccteams::cli
