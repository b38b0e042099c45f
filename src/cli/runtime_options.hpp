#pragma once
// What `ccteams serve` and `ccteams demo` ask of the runtime: the configuration file and the
// demo's extras.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/config.hpp"

namespace ccteams::cli {

struct RuntimeOptions {
  Config config;
  std::string secret_key_generate_path;  // demo: create the key file here when missing
  std::size_t min_password_length = 8;   // demo accepts short demo passwords
  // `ccteams demo`: demo telephony (POST /api/v1/demo/contacts) and the demo contact-center
  // configuration (queues, profile, idle codes) seeded at start().
  bool demo = false;
  // `ccteams demo --simulation on|off`: simulated callers arrive in the demo queues.
  bool simulation = false;
  // Demo: Teams user ids to link the demo agents to (agent1 to the first, ...), for those not
  // linked yet; the embedded emulator's generated users.
  std::vector<std::string> demo_teams_users;
  // `ccteams demo --tenants N`: the other demo organisations (demo_org_name(2)…) with the
  // Teams users of their own emulated tenant, seeded like the first (no simulated callers).
  struct DemoOrg {
    std::string name;
    std::vector<std::string> teams_users;
  };
  std::vector<DemoOrg> more_demo_orgs;
  // `ccteams demo --sip-port N`: SIP on 127.0.0.1:N (0: any free port), UDP and TCP, a number
  // for each demo queue, loopback as the demo's trunk, and each demo agent's extension
  // (agent1...) with the demo password. Unset: no SIP unless [sip] listen is configured.
  std::optional<std::uint16_t> demo_sip_port;
  std::string demo_sip_password;
  int demo_agents = 0;
  // Demo: GET /metrics answers loopback callers without a token (see MetricsConfig).
  bool metrics_open_to_loopback = false;
};

}  // namespace ccteams::cli
