#pragma once
// The doctor's pieces shared by its files (internal to src/cli): the report it prints and the
// checks that talk to Microsoft (doctor_microsoft.cpp).

#include <boost/asio/awaitable.hpp>
#include <ostream>
#include <string>

#include "cli/config.hpp"

namespace ccteams {
class HttpClient;
class SecretBox;
class Stores;
}  // namespace ccteams

namespace ccteams::cli {

// One line per check: "ok    what", "FAIL  what: why. Fix: how", "skip  what: why".
class DoctorReport {
 public:
  explicit DoctorReport(std::ostream& out) : out_(out) {}
  void ok(const std::string& what) { line("ok  ", what); }
  void skip(const std::string& what, const std::string& why) { line("skip", what + ": " + why); }
  void fail(const std::string& what, const std::string& why, const std::string& fix) {
    ++failures_;
    line("FAIL", what + ": " + why + ". Fix: " + fix);
  }
  int failures() const { return failures_; }

 private:
  void line(const char* tag, const std::string& text) { out_ << tag << "  " << text << "\n"; }
  std::ostream& out_;
  int failures_ = 0;
};

// What the Microsoft checks need: the loaded configuration, the key and the database when
// their checks passed (null otherwise), and an HTTPS client for each side.
struct MicrosoftCheckInputs {
  const Config& config;
  const SecretBox* key = nullptr;  // null: the key check failed
  Stores* stores = nullptr;        // null: the database check failed (SQLite or PostgreSQL)
  HttpClient& public_client;       // system roots (+ the doctor's --ca-file)
  HttpClient& microsoft_client;    // system roots (+ microsoft.ca_file), as the service
};

// server.public_url as Graph reaches it: https, the TLS handshake and certificate chain valid
// for its host (one line), then the validation handshake of both webhook URLs (one line).
boost::asio::awaitable<void> check_public_url(const MicrosoftCheckInputs& in, DoctorReport& report);

// The public URL (check_public_url), Entra and the app registration in
// every connected tenant, the sync accounts' refresh tokens and the subscriptions' expiry.
boost::asio::awaitable<void> check_microsoft_side(const MicrosoftCheckInputs& in,
                                                  DoctorReport& report);

}  // namespace ccteams::cli
