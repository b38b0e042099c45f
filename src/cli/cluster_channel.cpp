#include "cli/cluster_channel.hpp"

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "adapters/crypto/secret_box.hpp"
#include "adapters/http/http_client.hpp"
#include "adapters/http/internal_forwarder.hpp"
#include "adapters/pg/pg_org_lease_store.hpp"
#include "app/ports/clock.hpp"

namespace ccteams::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kCreateKey =
    "create one with: (umask 077; ccteams secret generate > /etc/ccteams/internal.key) and copy "
    "it to every instance";

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

Result<std::string> long_enough(std::string key, const std::string& source) {
  if (key.size() < http::kMinInternalKeyBytes) {
    return make_error(Errc::invalid_input,
                      source + " holds " + std::to_string(key.size()) + " bytes; the internal key "
                      "needs at least " + std::to_string(http::kMinInternalKeyBytes) + "; " +
                          kCreateKey);
  }
  return key;
}

}  // namespace

Result<std::string> load_internal_key(const ClusterConfig& c) {
  if (!c.internal_key_env.empty()) {
    const char* v = std::getenv(c.internal_key_env.c_str());
    if (v == nullptr || *v == '\0') {
      return make_error(Errc::invalid_input,
                        "cluster.internal_key_env: the environment variable " +
                            c.internal_key_env + " is not set or empty; " + kCreateKey);
    }
    return long_enough(trimmed(v), "the environment variable " + c.internal_key_env);
  }
  const std::string file = "cluster.internal_key_file " + c.internal_key_file;
  std::error_code ec;
  if (!fs::exists(c.internal_key_file, ec)) {
    return make_error(Errc::invalid_input, file + " does not exist; " + kCreateKey);
  }
  // The [secrets] key file's reader: no symlink, owner-only mode, bounded.
  auto text = read_key_file(c.internal_key_file);
  if (!text) {
    return make_error(text.error().code, "cluster.internal_key_file: " + text.error().message);
  }
  const std::string line = text->substr(0, text->find('\n'));
  return long_enough(trimmed(line), file);
}

Result<std::string> advertised_url(const ClusterConfig& c, const ServerConfig& server,
                                   std::uint16_t port) {
  if (!c.internal_url.empty()) return c.internal_url;
  const std::string& host = server.host;
  if (host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]") {
    return make_error(Errc::invalid_input,
                      "cluster.internal_url: server.host " + (host.empty() ? "''" : host) +
                          " listens on every address, so the URL the other instances forward "
                          "to cannot be derived from it: set cluster.internal_url (e.g. "
                          "\"http://10.0.0.5:" +
                          std::to_string(port) + "\")");
  }
  const bool v6 = host.find(':') != std::string::npos && host.front() != '[';
  const std::string scheme = server.tls_cert_file.empty() ? "http://" : "https://";
  return scheme + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

InternalChannel::InternalChannel() = default;
InternalChannel::InternalChannel(InternalChannel&&) noexcept = default;
InternalChannel& InternalChannel::operator=(InternalChannel&&) noexcept = default;
InternalChannel::~InternalChannel() = default;

Result<InternalChannel> make_internal_channel(boost::asio::io_context& ioc, const ClusterConfig& c,
                                              PgOrgLeaseStore& leases, std::string self_owner,
                                              const Clock& clock) {
  auto key = load_internal_key(c);
  if (!key) return std::move(key).error();
  InternalChannel channel;
  channel.client = std::make_unique<HttpClient>(ioc, ClientOptions{});
  http::InternalChannelOptions options;
  options.key = std::move(*key);
  auto lookup = [&leases, self_owner = std::move(self_owner)](std::int64_t org) {
    return leases.owner_url(OrgId{org}, self_owner);
  };
  auto now = [&clock] { return to_unix_millis(clock.now()); };
  channel.forwarder = std::make_shared<http::InternalForwarder>(
      *channel.client, std::move(lookup), std::move(now), std::move(options));
  return channel;
}

}  // namespace ccteams::cli
