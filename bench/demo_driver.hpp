#pragma once
// Drives the real binary, `ccteams demo`, for the benches that measure the whole service
// (presence_bench, soak): starts it on a free port with a data folder of its own (removed at the
// end), and offers the calls those benches make: the API as a user, the embedded emulator's
// control API, the Entra pages an administrator and a sync account go through, and readings of
// the process from /proc.
//
// Not part of the library: benches only. A bench runs one demo at a time; die() prints the end
// of that demo's output. Thread-safety: the calls may be made from several threads at once.

#include <sys/types.h>

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "adapters/http/http_client.hpp"
#include "core/result.hpp"
#include "support/raw_http.hpp"

namespace ccteams::testing {
class ChildProcess;
}

namespace ccteams::bench {

// Names the bench in die()'s message.
void set_program_name(std::string name);
// Prints the end of the running demo's output (if any) and what went wrong, and exits 1.
[[noreturn]] void die(const std::string& what);

// Polls done every 2 ms until it is true (true) or timeout passed (false).
bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);

struct DemoOptions {
  std::string binary;  // the ccteams executable
  int agents = 10;
  int emulator_users = 0;   // generated Teams users; 0: the demo's default
  bool simulation = false;  // simulated callers in the demo queues
  std::string password = "pw";  // of every demo account
};

class DemoProcess {
 public:
  // Starts the demo and waits until it printed its addresses; dies when it does not.
  explicit DemoProcess(const DemoOptions& options);
  // SIGTERM, waits for the exit, removes the data folder.
  ~DemoProcess();
  DemoProcess(const DemoProcess&) = delete;
  DemoProcess& operator=(const DemoProcess&) = delete;

  pid_t pid() const;
  const std::filesystem::path& data() const { return data_; }

  // The API: token may be empty.
  testing::RawResponse call(const std::string& method, const std::string& target,
                            const std::string& token, const std::string& body = {}) const;
  std::string login(const std::string& user) const;  // a session token; dies on failure
  // The embedded emulator (https, its CA from the data folder).
  Result<ClientResponse> emulator(const std::string& method, const std::string& path,
                                  const std::string& body = {}) const;
  // Sets the user's Teams client state; dies on failure.
  void teams_client(const std::string& user, const char* availability, const char* activity) const;
  // The connector's Set up by the tenant's admin (sign-in, admin consent, callback), as the
  // demo's admin; returns the tenant's domain.
  std::string connect_teams(const std::string& admin) const;
  // Signs in one sync account: a new emulator user `upn` consents on the sign-in link.
  void sign_in_sync_account(const std::string& admin, const std::string& upn) const;
  // The Teams user of agent1..agentN, by the agents list; dies when one has none.
  std::vector<std::string> agent_teams_users(const std::string& admin, int agents) const;
  // GET /api/v1/connectors/msteams/presence-sync.
  boost::json::object sync_status(const std::string& admin) const;
  // The demo's /metrics text.
  std::string metrics(const std::string& admin) const;

 private:
  void open_callback(const Result<std::string>& location, const std::string& upn) const;

  std::unique_ptr<testing::ChildProcess> process_;
  std::filesystem::path data_;
  std::string password_;
  std::uint16_t port_ = 0;
  std::string emulator_, ca_;
};

// A process's resident memory in MiB from /proc (VmRSS now, VmHWM its peak).
struct Rss {
  double now_mib = 0, peak_mib = 0;
};
Rss rss_of(pid_t pid);
// Open file descriptors of a process (entries of /proc/PID/fd).
std::size_t open_fds(pid_t pid);
// The value of the first sample line of /metrics text that starts with line_prefix (its full
// series name with labels and the space: `name{label="v"} `); 0 when absent.
double counter_value(const std::string& metrics, const std::string& line_prefix);

}  // namespace ccteams::bench
