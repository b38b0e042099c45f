#pragma once
// The one completion handler for detached coroutines (co_spawn's third argument): an exception
// that escapes one is a bug; it is logged with what the coroutine was, never swallowed.
//   asio::co_spawn(strand, loop(), LogEscaped{"presence sync: org loop"});

#include <exception>

namespace ccteams {

struct LogEscaped {
  const char* what;  // a literal: lives for the program
  void operator()(const std::exception_ptr& e) const;
};

}  // namespace ccteams
