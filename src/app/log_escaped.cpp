#include "app/log_escaped.hpp"

#include <spdlog/spdlog.h>

namespace ccteams {

void LogEscaped::operator()(const std::exception_ptr& e) const {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("{} ended by an exception: {}", what, ex.what());
  } catch (...) {
    spdlog::error("{} ended by an exception that is not a std::exception", what);
  }
}

}  // namespace ccteams
