#pragma once
// Entra's token signing keys fetched over HTTPS (graph-protocol.md §4.6: the validationTokens of
// rich notifications are checked against {login}/common/discovery/v2.0/keys). The decryptor
// caches them and limits refetches; this only fetches.

#include <string>

#include "adapters/graph/graph_notification_decryptor.hpp"

namespace ccteams {
class HttpClient;
}  // namespace ccteams

namespace ccteams::graph {

class HttpJwksSource final : public JwksSource {
 public:
  // client is not owned and must outlive the source. url: the JWKS document.
  HttpJwksSource(HttpClient& client, std::string url) : client_(client), url_(std::move(url)) {}
  // Errors: unavailable (no answer, not 200, not a key set).
  boost::asio::awaitable<Result<JwkSet>> fetch() override;

 private:
  HttpClient& client_;
  std::string url_;
};

}  // namespace ccteams::graph
