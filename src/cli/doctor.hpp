#pragma once
// `ccteams doctor --config F`: checks, in order, what a running service depends on and prints
// one line per check ("ok", "FAIL" or "skip", what was checked, and for a failure what to do):
// the configuration, the secret key, the database and its schema version, the public URL as
// Microsoft Graph reaches it (https, TLS chain and name, the webhook validation handshake),
// Microsoft Entra and the app registration in each connected tenant (app token, granted
// application permissions), each presence sync account's refresh token, and the stored
// subscriptions' expiry. docs/operations.md ("ccteams doctor") lists every line.
//
// Read-only, with one exception: redeeming a sync account's refresh token makes Entra rotate
// it, and the rotated token is stored exactly as the service stores it (sealed, compare-and-
// swap on the old one), so that the service's token is never lost. Nothing else is written;
// the schema is never migrated. Secrets (key, client secret, tokens) are never printed.

#include <iosfwd>
#include <string>

namespace ccteams::cli {

struct DoctorOptions {
  std::string config_path;
  // Extra CA certificates (PEM file) trusted for server.public_url besides the system's: a
  // private PKI in tests or a lab. Graph itself trusts only public certificate authorities.
  std::string public_url_ca_file;
};

// Runs every check, writing the lines to out. Returns 0 when no check failed, 1 otherwise.
int run_doctor(const DoctorOptions& options, std::ostream& out);

}  // namespace ccteams::cli
