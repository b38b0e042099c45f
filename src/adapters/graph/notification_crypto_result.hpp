#pragma once
// The result type of the rich-notification checks (decryption, validation tokens). Those
// callers branch on WHICH step failed (fall back to a read, re-fetch the JWKS, count a
// forgery), so the error is a typed value E with a `step`/`reason` enum rather than core
// Error; to_result() gives the core Error for passing further up, as GraphResult does.
// E must provide `Error to_error() const`.

#include "core/result.hpp"

namespace ccteams::graph {

template <class T, class E>
using CheckResult = Result<T, E>;

}  // namespace ccteams::graph
