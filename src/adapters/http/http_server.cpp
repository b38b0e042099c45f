// The listener, the connection registry and graceful shutdown. The per-connection protocol
// lives in http_session.cpp and ws_session.cpp.
#include "adapters/http/http_server.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/spdlog.h>

#include "adapters/http/client_address.hpp"
#include "adapters/http/server_state.hpp"

namespace ccteams::http {

namespace {

using tcp = asio::ip::tcp;

std::shared_ptr<spdlog::logger> access_logger(const std::string& name) {
  if (auto existing = spdlog::get(name)) return existing;
  const auto& sinks = spdlog::default_logger()->sinks();
  auto logger = std::make_shared<spdlog::logger>(name, sinks.begin(), sinks.end());
  try {
    spdlog::register_logger(logger);
  } catch (const spdlog::spdlog_ex&) {
    // Another server registered the same name in between; share that one.
    if (auto existing = spdlog::get(name)) return existing;
  }
  return logger;
}

// Metric label values must stay a small set: anything unusual counts as "OTHER".
std::string_view method_label(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == known) return known;
  }
  return method == "-" ? std::string_view{"-"} : std::string_view{"OTHER"};
}

// Paths are client-controlled: keep a log line one line, and bounded.
std::string loggable(std::string_view s) {
  constexpr std::size_t kMax = 200;
  std::string out;
  out.reserve(std::min(s.size(), kMax) + 3);
  for (char c : s.substr(0, kMax)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u < 0x20 || u == 0x7f ? '?' : c);
  }
  if (s.size() > kMax) out += "...";
  return out;
}

Result<asio::ssl::context> make_tls_context(const TlsConfig& cfg) {
  asio::ssl::context ctx(asio::ssl::context::tls_server);
  ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                  asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                  asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
  if (SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1) {
    return make_error(Errc::internal, "cannot require TLS 1.2");
  }
  boost::system::error_code ec;
  ctx.use_certificate_chain(asio::buffer(cfg.cert_chain_pem), ec);
  if (ec) return make_error(Errc::invalid_input, "TLS certificate chain unusable: " + ec.message());
  ctx.use_private_key(asio::buffer(cfg.private_key_pem), asio::ssl::context::pem, ec);
  if (ec) return make_error(Errc::invalid_input, "TLS private key unusable: " + ec.message());
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    return make_error(Errc::invalid_input, "TLS private key does not match the certificate");
  }
  // OpenSSL caches a certificate's extensions in the X509 object the first time it needs them;
  // filled here, concurrent handshakes on several I/O threads only read that cache.
  if (X509* leaf = SSL_CTX_get0_certificate(ctx.native_handle())) X509_check_purpose(leaf, -1, 0);
  return ctx;
}

asio::awaitable<void> accept_loop(std::shared_ptr<HttpServer::State> st) {
  asio::steady_timer backoff(co_await asio::this_coro::executor);
  for (;;) {
    auto [ec, socket] = co_await st->acceptor.async_accept(asio::make_strand(st->ioc), kAsTuple);
    if (ec == asio::error::operation_aborted || !st->acceptor.is_open()) co_return;
    if (ec) {
      // Typically EMFILE: retrying at once would spin; existing connections keep working.
      spdlog::warn("http: accept failed: {}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(kAsTuple);
      continue;
    }
    spawn_connection(st, std::move(socket));
  }
}

}  // namespace

HttpServer::State::State(asio::io_context& io, const Router& r, ServerOptions o)
    : ioc(io),
      router(r),
      options(std::move(o)),
      access_log(access_logger(options.access_log_name)),
      acceptor(asio::make_strand(io)) {}

void LogServerEscape::operator()(const std::exception_ptr& e) const {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("{} ended by an exception: {}", what, ex.what());
  } catch (...) {
    spdlog::error("{} ended by an exception that is not a std::exception", what);
  }
}

std::shared_ptr<ConnectionControl> HttpServer::State::add_connection(
    asio::any_io_executor strand, const std::string& peer_address) {
  auto control = std::make_shared<ConnectionControl>(std::move(strand), address_key(peer_address));
  std::lock_guard lock(mu_);
  if (draining.load()) return nullptr;
  // Caps, so that one client (or a crowd) cannot hold every socket and every coroutine.
  if (connections_.size() >= options.max_connections) {
    if (options.metrics) options.metrics->connection_refused(ServerMetrics::Refusal::total);
    spdlog::debug("http: connection from {} refused: {} connections open", peer_address,
                  connections_.size());
    return nullptr;
  }
  auto& from_address = per_address_[control->address_key];
  if (from_address >= options.max_connections_per_address) {
    if (options.metrics) options.metrics->connection_refused(ServerMetrics::Refusal::per_address);
    spdlog::debug("http: connection from {} refused: {} open from that address", peer_address,
                  from_address);
    return nullptr;
  }
  ++from_address;
  connections_.emplace(control.get(), control);
  if (options.metrics) options.metrics->open_connections_changed(1);
  return control;
}

void HttpServer::State::remove_connection(const ConnectionControl* control) {
  std::unique_lock lock(mu_);
  if (connections_.erase(control) == 0) return;
  if (auto it = per_address_.find(control->address_key); it != per_address_.end()) {
    if (--it->second == 0) per_address_.erase(it);
  }
  if (options.metrics) options.metrics->open_connections_changed(-1);
  if (draining.load() && connections_.empty()) finish_locked(lock);
}

std::size_t HttpServer::State::connection_count() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

void HttpServer::State::close_acceptor() {
  asio::post(acceptor.get_executor(), [this, self = shared_from_this()] {
    boost::system::error_code ignored;
    acceptor.close(ignored);
  });
}

void HttpServer::State::begin_shutdown(std::chrono::milliseconds grace,
                                       std::function<void()> done) {
  std::unique_lock lock(mu_);
  if (done) done_.push_back(std::move(done));
  if (finished_) {
    finish_locked(lock);  // only runs the newly added callback
    return;
  }
  if (draining.exchange(true)) return;  // the first call already set everything in motion
  close_acceptor();
  for (auto& [_, control] : connections_) {
    asio::post(control->strand, [control = control] {
      if (control->drain) control->drain();
    });
  }
  if (connections_.empty()) {
    finish_locked(lock);
    return;
  }
  grace_timer_.emplace(asio::make_strand(ioc));
  grace_timer_->expires_after(grace);
  grace_timer_->async_wait([this, self = shared_from_this()](boost::system::error_code ec) {
    if (ec) return;
    std::unique_lock inner(mu_);
    if (finished_) return;
    spdlog::warn("http: shutdown grace elapsed with {} connection(s) open; closing them",
                 connections_.size());
    for (auto& [_, control] : connections_) {
      asio::post(control->strand, [control = control] {
        if (control->force) control->force();
      });
    }
    finish_locked(inner);
  });
}

void HttpServer::State::finish_locked(std::unique_lock<std::mutex>& lock) {
  finished_ = true;
  if (grace_timer_) grace_timer_->cancel();
  auto callbacks = std::move(done_);
  done_.clear();
  lock.unlock();
  for (auto& cb : callbacks) asio::post(ioc, std::move(cb));
}

void HttpServer::State::force_close_all() {
  std::lock_guard lock(mu_);
  for (auto& [_, control] : connections_) {
    asio::post(control->strand, [control = control] {
      if (control->force) control->force();
    });
  }
}

void HttpServer::State::record(const RequestRecord& r) const {
  const double ms = std::chrono::duration<double, std::milli>(r.duration).count();
  access_log->info("{} {} {} {} {:.1f}ms {}", r.method, loggable(r.path), r.status, r.body_bytes,
                   ms, r.remote);
  if (options.metrics) {
    options.metrics->request_done(method_label(r.method), r.route, r.status, ms / 1000.0);
  }
}

HttpServer::HttpServer(asio::io_context& ioc, const Router& router, ServerOptions options)
    : state_(std::make_shared<State>(ioc, router, std::move(options))) {}

HttpServer::~HttpServer() {
  state_->draining = true;
  state_->close_acceptor();
  state_->force_close_all();
}

Result<std::uint16_t> HttpServer::listen(const std::string& host, std::uint16_t port) {
  auto& st = *state_;
  if (st.options.tls) {
    auto ctx = make_tls_context(*st.options.tls);
    if (!ctx) return std::move(ctx).error();
    st.tls.emplace(std::move(*ctx));
  }
  boost::system::error_code ec;
  tcp::endpoint endpoint;
  const auto address = asio::ip::make_address(host, ec);
  if (!ec) {
    endpoint = tcp::endpoint(address, port);
  } else {
    tcp::resolver resolver(st.ioc);
    auto results = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
    if (ec || results.empty()) {
      return make_error(Errc::invalid_input, "cannot resolve listen host '" + host + "'");
    }
    endpoint = results.begin()->endpoint();
  }
  auto fail = [&](const char* what) {
    return make_error(Errc::unavailable, std::string("cannot ") + what + " " +
                                             endpoint.address().to_string() + ":" +
                                             std::to_string(port) + ": " + ec.message());
  };
  st.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  st.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("configure");
  st.acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  st.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  const auto bound = st.acceptor.local_endpoint(ec).port();
  if (ec) return fail("read the address of");
  spdlog::info("http: listening on {}:{}{}", endpoint.address().to_string(), bound,
               st.tls ? " (TLS)" : "");
  return bound;
}

void HttpServer::start() {
  auto st = state_;
  asio::co_spawn(st->acceptor.get_executor(), accept_loop(st),
                 LogServerEscape{"http: accept loop"});
}

void HttpServer::shutdown(std::chrono::milliseconds grace, std::function<void()> done) {
  state_->begin_shutdown(grace, std::move(done));
}

std::size_t HttpServer::connection_count() const { return state_->connection_count(); }

}  // namespace ccteams::http
