#pragma once
// The telephony module (issue 20, part 7): with [sip] listen set, or `ccteams demo
// --sip-port`, the SIP server (UDP and TCP on one port) with the registrar for the agents'
// extensions, the call service turning trunk INVITEs into contacts, the RTP port allocator and
// the queue audio of [media]. Without either, nothing of it exists and nothing listens.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cli/module.hpp"

namespace ccteams {
class UserService;
}  // namespace ccteams

namespace ccteams::cli {

class ContactCenterModule;

struct TelephonyDeps {
  const SharedServices& shared;
  ContactCenterModule& contact_center;
  UserService& users;  // the demo organisation, for the demo's numbers
};

// What `ccteams demo` prints: where SIP listens and which number reaches which queue.
struct TelephonyInfo {
  std::string host;
  std::uint16_t port = 0;
  struct Number {
    std::string number;
    std::string queue;  // its name when known (the demo), else "org N queue M"
  };
  std::vector<Number> numbers;
};

class TelephonyModule final : public Module {
 public:
  // Whether the options ask for SIP at all.
  static bool wanted(const RuntimeOptions& options);
  explicit TelephonyModule(const TelephonyDeps& deps);
  ~TelephonyModule() override;

  // Loads the queue audio (errors name the file), maps the numbers (the demo's queues get
  // theirs), binds SIP over UDP and TCP on one port, and follows the numbers' organisations'
  // contacts on the event hub. Errors: the audio, the RTP address, the SIP port in use.
  Result<void> start(const Listening& at) override;
  void stop() override;

  const TelephonyInfo& info() const;
  // Calls with an open RTP port (tests: nothing leaks).
  std::size_t open_calls() const;
  std::size_t rtp_ports_in_use() const;
  std::size_t live_calls() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ccteams::cli
