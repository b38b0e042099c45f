#pragma once
// Internal to the emulator's Entra side: the steps of an interactive flow after the first
// page (entra_flow.cpp) and the redirect that ends one (entra_handlers.cpp).
// Call with State::mu held.

#include <string>
#include <utility>
#include <vector>

#include "emulator/emulator_state.hpp"

namespace ccteams::emulator {

http::Response finish_flow(const Interaction& f,
                           const std::vector<std::pair<std::string, std::string>>& params);
// POST /{tenant}/login {flow, login}: the sign-in page's Next.
http::Response sign_in_submit(State& s, http::Request& req);
// POST /{tenant}/consent {flow, decision, consent_for_org}: Accept or Cancel.
http::Response consent_submit(State& s, http::Request& req);

}  // namespace ccteams::emulator
