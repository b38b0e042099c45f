#pragma once
// Most handlers do not wait on anything (the store is synchronous): write them as plain
// functions and adapt them to the router's coroutine Handler here.

#include <functional>
#include <utility>

#include "adapters/http/router.hpp"

namespace ccteams::http {

using SyncHandler = std::function<Response(Request&)>;

inline Handler sync_handler(SyncHandler fn) {
  return [fn = std::move(fn)](Request& req) -> boost::asio::awaitable<Response> {
    co_return fn(req);
  };
}

}  // namespace ccteams::http
