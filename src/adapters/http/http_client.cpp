#include "adapters/http/http_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <unordered_map>

namespace ccteams {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using SslStream = beast::ssl_stream<beast::tcp_stream>;

constexpr auto kAsTuple = net::as_tuple(net::use_awaitable);
constexpr std::uint32_t kHeaderLimit = 64 * 1024;

struct Target {
  bool tls = false;
  bool host_is_ip = false;
  std::string host;  // without brackets; DNS names lower-cased
  std::uint16_t port = 0;
  std::string host_header;     // "host", "host:port", "[::1]:port"
  std::string path_and_query;  // origin-form request target
  std::string origin;          // pool key: "https://host:port"
  std::string where() const { return host + ":" + std::to_string(port); }
};

Result<Target> parse_target(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return make_error(Errc::invalid_input, "invalid URL: " + parsed.error().message());
  const boost::urls::url_view u = *parsed;
  Target t;
  if (u.scheme_id() == boost::urls::scheme::https) {
    t.tls = true;
  } else if (u.scheme_id() != boost::urls::scheme::http) {
    return make_error(Errc::invalid_input, "unsupported URL scheme (http or https only)");
  }
  if (u.has_userinfo()) return make_error(Errc::invalid_input, "credentials in URLs are refused");
  switch (u.host_type()) {
    case boost::urls::host_type::name:
      t.host = u.host_name();
      std::transform(t.host.begin(), t.host.end(), t.host.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      break;
    case boost::urls::host_type::ipv4:
      t.host = u.host_ipv4_address().to_string();
      t.host_is_ip = true;
      break;
    case boost::urls::host_type::ipv6:
      t.host = u.host_ipv6_address().to_string();
      t.host_is_ip = true;
      break;
    default:
      break;
  }
  if (t.host.empty()) return make_error(Errc::invalid_input, "URL has no host");
  if (t.host.find_first_of(std::string_view("\0\r\n /", 5)) != std::string::npos) {
    return make_error(Errc::invalid_input, "URL host holds characters a host name cannot");
  }
  const std::uint16_t default_port = t.tls ? 443 : 80;
  t.port = default_port;
  if (u.has_port() && !u.port().empty()) {
    // port_number() wraps values over 65535, so the text is checked here.
    const std::string_view text = u.port();
    unsigned long value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
      return make_error(Errc::invalid_input, "URL port is not 1-65535");
    }
    t.port = static_cast<std::uint16_t>(value);
  }
  const std::string bracketed =
      u.host_type() == boost::urls::host_type::ipv6 ? "[" + t.host + "]" : t.host;
  t.host_header = t.port == default_port ? bracketed : bracketed + ":" + std::to_string(t.port);
  t.path_and_query = std::string(u.encoded_target());
  if (t.path_and_query.empty() || t.path_and_query.front() != '/') {
    t.path_and_query.insert(0, "/");
  }
  t.origin = std::string(t.tls ? "https://" : "http://") + bracketed + ":" + std::to_string(t.port);
  return t;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

Result<bhttp::request<bhttp::string_body>> build_request(ClientRequest& in, const Target& t,
                                                         const std::string& user_agent) {
  if (!is_token(in.method)) return make_error(Errc::invalid_input, "invalid HTTP method");
  bhttp::request<bhttp::string_body> req;
  if (const auto verb = bhttp::string_to_verb(in.method); verb != bhttp::verb::unknown) {
    req.method(verb);
  } else {
    req.method_string(in.method);
  }
  req.target(t.path_and_query);
  req.version(11);
  req.set(bhttp::field::host, t.host_header);
  req.set(bhttp::field::user_agent, user_agent);
  for (auto& h : in.headers) {
    if (!is_token(h.name) ||
        h.value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return make_error(Errc::invalid_input, "invalid request header '" + h.name + "'");
    }
    const auto field = bhttp::string_to_field(h.name);
    if (field == bhttp::field::content_length || field == bhttp::field::transfer_encoding) {
      continue;
    }
    if (field == bhttp::field::host || field == bhttp::field::user_agent ||
        field == bhttp::field::connection) {
      req.set(h.name, h.value);
    } else {
      req.insert(h.name, h.value);
    }
  }
  req.body() = std::move(in.body);
  req.prepare_payload();
  return req;
}

// One keep-alive connection. All its I/O runs on its own strand (executor), so that Beast's
// timeout handlers never race the operations they guard, whatever executor the caller uses.
struct Connection {
  explicit Connection(net::any_io_executor ex) : executor(std::move(ex)) {}
  net::any_io_executor executor;
  std::optional<beast::tcp_stream> plain;
  std::optional<SslStream> tls;
  beast::flat_buffer buffer;
  Clock::time_point idle_since;
  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

// An idle connection that the peer closed, or that holds unexpected bytes (a TLS close_notify,
// say), must not carry the next request. A non-blocking peek tells without consuming anything.
bool looks_alive(Connection& c) {
  char byte = 0;
  const auto n = ::recv(c.lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

// The peer went away between requests: the errors a stale keep-alive connection produces.
bool is_disconnect(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::connection_aborted ||
         ec == net::error::broken_pipe || ec == net::ssl::error::stream_truncated;
}

struct Outcome {
  Result<ClientResponse> response = make_error(Errc::internal, "no response");
  bool stale = false;     // failed on a reused connection before any response byte: retryable
  bool reusable = false;  // the connection can go back to the pool
};

Error unavailable(std::string message) { return make_error(Errc::unavailable, std::move(message)); }

std::string failure(const beast::error_code& ec, std::string_view stage, const Target& t,
                    std::chrono::milliseconds timeout) {
  if (ec == beast::error::timeout) {
    return "timed out after " + std::to_string(timeout.count()) + " ms (" + std::string(stage) +
           " " + t.where() + ")";
  }
  return std::string(stage) + " " + t.where() + " failed: " + ec.message();
}

}  // namespace

std::string_view ClientResponse::header(std::string_view name) const {
  for (const auto& h : headers) {
    if (http::iequals(h.name, name)) return h.value;
  }
  return {};
}

struct HttpClient::Impl {
  Impl(net::io_context& context, ClientOptions opts)
      : ioc(context), options(std::move(opts)), ssl_ctx(net::ssl::context::tls_client) {}

  net::io_context& ioc;
  const ClientOptions options;
  net::ssl::context ssl_ctx;
  std::optional<Error> config_error;

  std::mutex mutex;
  // Most recently used last. Guarded by mutex.
  std::unordered_map<std::string, std::deque<std::unique_ptr<Connection>>> idle;

  std::unique_ptr<Connection> take(const std::string& origin);
  void put(const std::string& origin, std::unique_ptr<Connection> conn);

  net::awaitable<Result<void>> open(Connection& conn, const Target& t, Clock::time_point deadline,
                                    std::chrono::milliseconds timeout);
  net::awaitable<Outcome> exchange(Connection& conn, bool fresh, const Target& t,
                                   const bhttp::request<bhttp::string_body>& req,
                                   Clock::time_point deadline, std::chrono::milliseconds timeout);
  template <class Stream>
  net::awaitable<Outcome> transfer(Stream& stream, Connection& conn, bool fresh, const Target& t,
                                   const bhttp::request<bhttp::string_body>& req,
                                   std::chrono::milliseconds timeout);
};

std::unique_ptr<Connection> HttpClient::Impl::take(const std::string& origin) {
  std::vector<std::unique_ptr<Connection>> dropped;  // closed outside the lock
  std::unique_ptr<Connection> found;
  {
    std::lock_guard lock(mutex);
    auto it = idle.find(origin);
    if (it == idle.end()) return nullptr;
    auto& list = it->second;
    const auto now = Clock::now();
    while (!list.empty() && !found) {
      auto conn = std::move(list.back());
      list.pop_back();
      if (now - conn->idle_since < options.idle_ttl && looks_alive(*conn)) {
        found = std::move(conn);
      } else {
        dropped.push_back(std::move(conn));
      }
    }
    if (list.empty()) idle.erase(it);
  }
  return found;
}

void HttpClient::Impl::put(const std::string& origin, std::unique_ptr<Connection> conn) {
  if (options.max_idle_per_origin == 0) return;
  std::vector<std::unique_ptr<Connection>> dropped;
  conn->idle_since = Clock::now();
  const auto now = conn->idle_since;
  std::lock_guard lock(mutex);
  auto& mine = idle[origin];
  mine.push_back(std::move(conn));
  while (mine.size() > options.max_idle_per_origin) {  // the oldest go first
    dropped.push_back(std::move(mine.front()));
    mine.pop_front();
  }
  // Sweep every origin, so that sockets to an origin no longer called do not linger.
  for (auto it = idle.begin(); it != idle.end();) {
    auto& list = it->second;
    while (!list.empty() && now - list.front()->idle_since >= options.idle_ttl) {
      dropped.push_back(std::move(list.front()));
      list.pop_front();
    }
    it = list.empty() ? idle.erase(it) : std::next(it);
  }
}

net::awaitable<Result<void>> HttpClient::Impl::open(Connection& conn, const Target& t,
                                                    Clock::time_point deadline,
                                                    std::chrono::milliseconds timeout) {
  std::vector<tcp::endpoint> endpoints;
  if (t.host_is_ip) {
    endpoints.emplace_back(net::ip::make_address(t.host), t.port);
  } else {
    // The resolver has no timeout of its own: a timer cancels it at the deadline. Both live on
    // this connection's strand; the resolver is shared with the timer's handler, which may run
    // after this frame is gone.
    auto resolver = std::make_shared<tcp::resolver>(conn.executor);
    net::steady_timer timer(conn.executor);
    timer.expires_at(deadline);
    timer.async_wait([resolver](const beast::error_code& ec) {
      if (!ec) resolver->cancel();
    });
    auto [ec, results] = co_await resolver->async_resolve(t.host, std::to_string(t.port), kAsTuple);
    timer.cancel();
    if (ec) {
      co_return unavailable(Clock::now() >= deadline
                                ? failure(beast::error::timeout, "resolving", t, timeout)
                                : "cannot resolve host " + t.host + ": " + ec.message());
    }
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }

  if (t.tls) {
    conn.tls.emplace(conn.executor, ssl_ctx);
  } else {
    conn.plain.emplace(conn.executor);
  }
  auto& lowest = conn.lowest();
  lowest.expires_at(deadline);
  if (auto [ec, ep] = co_await lowest.async_connect(endpoints, kAsTuple); ec) {
    co_return unavailable(failure(ec, "connecting to", t, timeout));
  }
  lowest.socket().set_option(tcp::no_delay(true));
  if (!t.tls) co_return ok();

  SSL* ssl = conn.tls->native_handle();
  // SNI is for DNS names only (RFC 6066); an IP literal is checked against IP SANs instead.
  const bool name_set =
      t.host_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), t.host.c_str()) == 1
                   : SSL_set_tlsext_host_name(ssl, t.host.c_str()) == 1 &&
                         SSL_set1_host(ssl, t.host.c_str()) == 1;
  if (!name_set) co_return unavailable("cannot set up TLS name checks for host " + t.host);
  if (auto [ec] = co_await conn.tls->async_handshake(net::ssl::stream_base::client, kAsTuple); ec) {
    const long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      co_return unavailable("certificate verify failed for host " + t.host + ": " +
                            X509_verify_cert_error_string(verify));
    }
    co_return unavailable(failure(ec, "TLS handshake with", t, timeout));
  }
  co_return ok();
}

template <class Stream>
net::awaitable<Outcome> HttpClient::Impl::transfer(Stream& stream, Connection& conn, bool fresh,
                                                   const Target& t,
                                                   const bhttp::request<bhttp::string_body>& req,
                                                   std::chrono::milliseconds timeout) {
  Outcome out;
  if (auto [ec, n] = co_await bhttp::async_write(stream, req, kAsTuple); ec) {
    out.stale = !fresh && is_disconnect(ec);
    out.response = unavailable(failure(ec, "sending request to", t, timeout));
    co_return out;
  }
  for (;;) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(options.max_response_body);
    if (req.method() == bhttp::verb::head) parser.skip(true);
    auto [ec, n] = co_await bhttp::async_read(stream, conn.buffer, parser, kAsTuple);
    if (ec) {
      out.stale = !fresh && is_disconnect(ec) && !parser.got_some() && conn.buffer.size() == 0;
      if (ec == bhttp::error::body_limit) {
        out.response = unavailable("response from " + t.where() + " exceeds " +
                                   std::to_string(options.max_response_body) + " bytes");
      } else {
        out.response = unavailable(failure(ec, "reading response from", t, timeout));
      }
      co_return out;
    }
    auto& res = parser.get();
    // Interim responses (100 Continue, 103 Early Hints) precede the real one; 101 is final.
    if (res.result_int() >= 100 && res.result_int() < 200 && res.result_int() != 101) continue;
    ClientResponse response;
    response.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      response.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    response.body = std::move(res.body());
    out.reusable = res.keep_alive() && req.keep_alive() && conn.buffer.size() == 0;
    out.response = std::move(response);
    co_return out;
  }
}

net::awaitable<Outcome> HttpClient::Impl::exchange(Connection& conn, bool fresh, const Target& t,
                                                   const bhttp::request<bhttp::string_body>& req,
                                                   Clock::time_point deadline,
                                                   std::chrono::milliseconds timeout) {
  try {
    if (fresh) {
      if (auto opened = co_await open(conn, t, deadline, timeout); !opened) {
        co_return Outcome{std::move(opened).error()};
      }
    }
    conn.lowest().expires_at(deadline);
    // Not a conditional expression: GCC 12 miscompiles co_await inside ?: (double destruction).
    Outcome out;
    if (conn.tls) {
      out = co_await transfer(*conn.tls, conn, fresh, t, req, timeout);
    } else {
      out = co_await transfer(*conn.plain, conn, fresh, t, req, timeout);
    }
    if (out.reusable) conn.lowest().expires_never();
    co_return out;
  } catch (const std::exception& e) {
    // Asio reports some setup failures (socket options, address parsing) only by throwing.
    co_return Outcome{unavailable("request to " + t.where() + " failed: " + e.what())};
  }
}

namespace {

// OpenSSL reads a certificate's extensions (key identifiers, basic constraints, purposes) the
// first time a verification needs them and keeps the result in the shared X509 object. Two
// handshakes on two I/O threads that both reach a trusted certificate for the first time then
// race on that cache (OpenSSL serialises the writes, but the reads that follow are not ordered
// with them; ThreadSanitizer reports it). Filling the cache here, before any handshake, leaves
// nothing for the handshakes to write.
void settle_trusted_certificates(SSL_CTX* ctx) {
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  if (store == nullptr) return;
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
    if (X509* cert = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i))) {
      X509_check_purpose(cert, -1, 0);
    }
  }
}

}  // namespace

HttpClient::HttpClient(net::io_context& ioc, ClientOptions options)
    : impl_(std::make_unique<Impl>(ioc, std::move(options))) {
  auto& ctx = impl_->ssl_ctx;
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.set_verify_mode(net::ssl::verify_peer);
  beast::error_code ec;
  if (impl_->options.use_system_roots) {
    ctx.set_default_verify_paths(ec);
    if (ec) impl_->config_error = make_error(Errc::internal, "cannot load system CA roots");
  }
  if (!impl_->options.extra_ca_pem.empty()) {
    ctx.add_certificate_authority(net::buffer(impl_->options.extra_ca_pem), ec);
    if (ec) {
      impl_->config_error = make_error(
          Errc::internal, "HTTP client: extra_ca_pem holds no valid certificate: " + ec.message());
    }
  }
  settle_trusted_certificates(ctx.native_handle());
}

HttpClient::~HttpClient() = default;

Result<void> HttpClient::status() const {
  if (impl_->config_error) return *impl_->config_error;
  return ok();
}

net::awaitable<Result<ClientResponse>> HttpClient::send(ClientRequest request) {
  if (impl_->config_error) co_return *impl_->config_error;
  auto target = parse_target(request.url);
  if (!target) co_return std::move(target).error();
  auto req = build_request(request, *target, impl_->options.user_agent);
  if (!req) co_return std::move(req).error();
  const auto deadline = Clock::now() + request.timeout;

  // At most two attempts: the second only when a reused connection turned out stale.
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> conn = attempt == 0 ? impl_->take(target->origin) : nullptr;
    const bool fresh = conn == nullptr;
    if (fresh) conn = std::make_unique<Connection>(net::make_strand(impl_->ioc));
    Outcome out = co_await net::co_spawn(
        conn->executor, impl_->exchange(*conn, fresh, *target, *req, deadline, request.timeout),
        net::use_awaitable);
    if (out.response && out.reusable) {
      impl_->put(target->origin, std::move(conn));
    }
    if (out.stale && attempt == 0 && Clock::now() < deadline) continue;
    co_return std::move(out.response);
  }
}

}  // namespace ccteams
