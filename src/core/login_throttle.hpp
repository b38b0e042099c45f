#pragma once
// How long a sign-in must wait after failed attempts: the rule of the per-username slowdown
// (app/auth_service), pure so that it is tested as a table.

#include "core/time.hpp"

namespace ccteams {

// The wait required since the latest failure before the next attempt, after `failures` recent
// failures: none while failures < delay_after (at least 1), then first_delay, doubling with
// each further failure, never more than max_delay. It slows guessing down without ever
// locking out.
Millis required_login_wait(int failures, int delay_after, Millis first_delay, Millis max_delay);

// Whole seconds to announce in Retry-After for a remaining wait (rounded up, at least 1).
int retry_after_seconds(Millis remaining);

}  // namespace ccteams
