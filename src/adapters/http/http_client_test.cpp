#include "adapters/http/http_client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <chrono>
#include <optional>
#include <thread>

#include "adapters/crypto/tls_cert.hpp"

namespace ccteams {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
constexpr auto kAsTuple = net::as_tuple(net::use_awaitable);

enum class Behaviour {
  echo,                  // answers every request, keeps the connection alive
  close_after_response,  // answers, then closes without saying "Connection: close"
  drop_second_request,   // on each connection, reads the second request and closes unanswered
  drop_every_request,    // reads each request and closes unanswered
  never_answer,          // reads the request and waits
  chunked,               // answers with a chunked body
};

// A loopback HTTP(S) server on its own thread, counting connections and requests.
class TestServer {
 public:
  TestServer(Behaviour behaviour, const TestPki* pki) : behaviour_(behaviour) {
    if (pki != nullptr) {
      ssl_.emplace(net::ssl::context::tls_server);
      ssl_->use_certificate_chain(net::buffer(pki->cert_chain_pem));
      ssl_->use_private_key(net::buffer(pki->private_key_pem), net::ssl::context::pem);
    }
    acceptor_.open(tcp::v4());
    acceptor_.bind({net::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    net::co_spawn(ioc_, accept_loop(), net::detached);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~TestServer() {
    ioc_.stop();
    thread_.join();
  }
  std::string url(std::string_view path = "/") const {
    return std::string(ssl_ ? "https" : "http") +
           "://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + std::string(path);
  }
  int connections() const { return connections_; }
  int requests() const { return requests_; }

 private:
  net::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(kAsTuple);
      if (ec) co_return;
      ++connections_;
      if (ssl_) {
        net::co_spawn(ioc_, serve_tls(std::move(socket)), net::detached);
      } else {
        net::co_spawn(ioc_, serve(beast::tcp_stream(std::move(socket))), net::detached);
      }
    }
  }

  net::awaitable<void> serve_tls(tcp::socket socket) {
    beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *ssl_);
    // A client that refuses our certificate fails the handshake: that is the test passing.
    if (auto [ec] = co_await stream.async_handshake(net::ssl::stream_base::server, kAsTuple); ec) {
      co_return;
    }
    co_await serve(std::move(stream));
  }

  template <class Stream>
  net::awaitable<void> serve(Stream stream) {
    beast::flat_buffer buffer;
    for (int on_connection = 1;; ++on_connection) {
      bhttp::request<bhttp::string_body> req;
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, req, kAsTuple);
      if (ec) co_return;
      ++requests_;
      if (behaviour_ == Behaviour::drop_every_request ||
          (behaviour_ == Behaviour::drop_second_request && on_connection == 2)) {
        co_return;  // the stream's destructor closes the socket
      }
      if (behaviour_ == Behaviour::never_answer) {
        net::steady_timer timer(ioc_, 30s);
        co_await timer.async_wait(kAsTuple);
        co_return;
      }
      bhttp::response<bhttp::string_body> res(bhttp::status::created, 11);
      res.set("x-method", req.method_string());
      res.set("x-user-agent", req[bhttp::field::user_agent]);
      res.set("x-custom", req["x-custom"]);
      res.body() = std::string(req.target()) + "|" + req.body();
      if (behaviour_ == Behaviour::chunked) {
        res.body() = std::string(100000, 'c');
        res.chunked(true);
      } else {
        res.prepare_payload();
      }
      res.keep_alive(req.keep_alive());
      if (auto [wec, wn] = co_await bhttp::async_write(stream, res, kAsTuple); wec) co_return;
      if (behaviour_ == Behaviour::close_after_response || !req.keep_alive()) co_return;
    }
  }

  Behaviour behaviour_;
  net::io_context ioc_;
  std::optional<net::ssl::context> ssl_;
  tcp::acceptor acceptor_{ioc_};
  std::thread thread_;
  std::atomic<int> connections_{0};
  std::atomic<int> requests_{0};
};

TestPki make_pki(std::vector<std::string> dns, std::vector<std::string> ips) {
  auto pki = generate_test_pki(dns, ips);
  EXPECT_TRUE(pki) << pki.error().message;
  return *pki;
}

ClientOptions trusting(const TestPki& pki) {
  ClientOptions options;
  options.extra_ca_pem = pki.ca_cert_pem;
  options.use_system_roots = false;
  return options;
}

void rethrow(const std::exception_ptr& e) {
  if (e) std::rethrow_exception(e);
}

// Runs the client's requests on a fixture-owned io_context with a watchdog: a hang fails.
class HttpClientTest : public ::testing::Test {
 protected:
  Result<ClientResponse> send(HttpClient& client, ClientRequest request) {
    // Result has no default constructor, which co_spawn's completion handlers need: keep it here.
    std::optional<Result<ClientResponse>> out;
    net::co_spawn(
        ioc_,
        [&]() -> net::awaitable<void> { out.emplace(co_await client.send(std::move(request))); },
        rethrow);
    ioc_.restart();
    ioc_.run_for(10s);
    EXPECT_TRUE(out.has_value()) << "request hung";
    if (!out) return make_error(Errc::internal, "hung");
    return std::move(*out);
  }
  Result<ClientResponse> get(HttpClient& client, std::string url) {
    ClientRequest request;
    request.url = std::move(url);
    return send(client, std::move(request));
  }

  net::io_context ioc_;
  TestPki pki_ = make_pki({"localhost"}, {"127.0.0.1"});
};

TEST_F(HttpClientTest, GetAndPostOverTlsWithExtraCa) {
  TestServer server(Behaviour::echo, &pki_);
  HttpClient client(ioc_, trusting(pki_));
  ASSERT_TRUE(client.status());

  auto got = get(client, server.url("/v1.0/users?$top=5"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->status, 201);
  EXPECT_EQ(got->body, "/v1.0/users?$top=5|");
  EXPECT_EQ(got->header("X-Method"), "GET");
  EXPECT_EQ(got->header("x-user-agent"), "ccteams");

  ClientRequest post;
  post.method = "POST";
  post.url = server.url("/token");
  post.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Custom", "42"}};
  post.body = "grant_type=client_credentials";
  auto posted = send(client, post);
  ASSERT_TRUE(posted) << posted.error().message;
  EXPECT_EQ(posted->body, "/token|grant_type=client_credentials");
  EXPECT_EQ(posted->header("x-method"), "POST");
  EXPECT_EQ(posted->header("x-custom"), "42");
}

TEST_F(HttpClientTest, DnsNameIsVerifiedWithSni) {
  TestServer server(Behaviour::echo, &pki_);
  HttpClient client(ioc_, trusting(pki_));
  std::string url = server.url("/x");
  url.replace(url.find("127.0.0.1"), 9, "localhost");
  auto got = get(client, url);
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->body, "/x|");
}

TEST_F(HttpClientTest, CertificateForAnotherHostIsRefused) {
  const TestPki other = make_pki({"other.example"}, {});
  TestServer server(Behaviour::echo, &other);
  HttpClient client(ioc_, trusting(other));
  auto got = get(client, server.url());
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::unavailable);
  EXPECT_NE(got.error().message.find("certificate verify failed for host 127.0.0.1"),
            std::string::npos)
      << got.error().message;
  EXPECT_EQ(server.requests(), 0);
}

TEST_F(HttpClientTest, UntrustedCaIsRefused) {
  const TestPki stranger = make_pki({"localhost"}, {"127.0.0.1"});
  TestServer server(Behaviour::echo, &pki_);
  HttpClient client(ioc_, trusting(stranger));
  auto got = get(client, server.url());
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::unavailable);
  EXPECT_NE(got.error().message.find("certificate verify failed"), std::string::npos)
      << got.error().message;
  EXPECT_EQ(server.requests(), 0);
}

TEST_F(HttpClientTest, SequentialRequestsReuseOneConnection) {
  TestServer server(Behaviour::echo, &pki_);
  HttpClient client(ioc_, trusting(pki_));
  for (int i = 0; i < 3; ++i) {
    auto got = get(client, server.url("/n" + std::to_string(i)));
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->body, "/n" + std::to_string(i) + "|");
  }
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(HttpClientTest, ExpiredOrUnpooledConnectionsAreNotReused) {
  TestServer server(Behaviour::echo, nullptr);
  ClientOptions short_ttl;
  short_ttl.use_system_roots = false;
  short_ttl.idle_ttl = 20ms;
  HttpClient expiring(ioc_, short_ttl);
  ASSERT_TRUE(get(expiring, server.url()));
  std::this_thread::sleep_for(40ms);
  ASSERT_TRUE(get(expiring, server.url()));
  EXPECT_EQ(server.connections(), 2);

  ClientOptions no_pool;
  no_pool.use_system_roots = false;
  no_pool.max_idle_per_origin = 0;
  HttpClient unpooled(ioc_, no_pool);
  ASSERT_TRUE(get(unpooled, server.url()));
  ASSERT_TRUE(get(unpooled, server.url()));
  EXPECT_EQ(server.connections(), 4);

  ClientOptions pooled;
  pooled.use_system_roots = false;
  HttpClient closing(ioc_, pooled);  // "Connection: close" from the caller wins over the pool
  ClientRequest request;
  request.url = server.url();
  request.headers = {{"Connection", "close"}};
  ASSERT_TRUE(send(closing, request));
  ASSERT_TRUE(send(closing, request));
  EXPECT_EQ(server.connections(), 6);
}

TEST_F(HttpClientTest, ServerClosingKeepAliveConnectionsIsHandled) {
  TestServer server(Behaviour::close_after_response, &pki_);
  HttpClient client(ioc_, trusting(pki_));
  for (int i = 0; i < 3; ++i) {
    auto got = get(client, server.url());
    ASSERT_TRUE(got) << got.error().message;
  }
  EXPECT_EQ(server.requests(), 3);
  EXPECT_EQ(server.connections(), 3);
}

TEST_F(HttpClientTest, StaleReusedConnectionIsRetriedOnceOnAFreshOne) {
  TestServer server(Behaviour::drop_second_request, &pki_);
  HttpClient client(ioc_, trusting(pki_));
  ASSERT_TRUE(get(client, server.url()));
  auto second = get(client, server.url());  // reused, dropped unanswered, retried fresh
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(server.connections(), 2);
  EXPECT_EQ(server.requests(), 3);
}

TEST_F(HttpClientTest, FreshConnectionClosedUnansweredIsNotRetried) {
  TestServer server(Behaviour::drop_every_request, nullptr);
  HttpClient client(ioc_, ClientOptions{});
  auto got = get(client, server.url());
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::unavailable);
  EXPECT_EQ(server.requests(), 1);
}

TEST_F(HttpClientTest, DeadlineCoversAServerThatNeverAnswers) {
  TestServer server(Behaviour::never_answer, &pki_);
  HttpClient client(ioc_, trusting(pki_));
  ClientRequest request;
  request.url = server.url();
  request.timeout = 300ms;
  const auto start = std::chrono::steady_clock::now();
  auto got = send(client, request);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::unavailable);
  EXPECT_NE(got.error().message.find("timed out after 300 ms"), std::string::npos)
      << got.error().message;
  EXPECT_GE(elapsed, 280ms);
  EXPECT_LT(elapsed, 30s);  // ended by the deadline, not by the test's own timeout
}

TEST_F(HttpClientTest, PlainHttpAndChunkedBodies) {
  TestServer server(Behaviour::chunked, nullptr);
  HttpClient client(ioc_, ClientOptions{});
  auto got = get(client, server.url());
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->body, std::string(100000, 'c'));
  EXPECT_TRUE(get(client, server.url()));
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(HttpClientTest, BodyOverTheLimitIsRefused) {
  TestServer server(Behaviour::chunked, nullptr);
  ClientOptions options;
  options.max_response_body = 1000;
  HttpClient client(ioc_, options);
  auto got = get(client, server.url());
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::unavailable);
  EXPECT_NE(got.error().message.find("exceeds 1000 bytes"), std::string::npos);
}

TEST_F(HttpClientTest, ConnectionRefusedIsUnavailable) {
  std::uint16_t port = 0;
  {
    net::io_context tmp;
    tcp::acceptor acceptor(tmp, {net::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }  // closed: nothing listens there now
  HttpClient client(ioc_, ClientOptions{});
  auto got = get(client, "http://127.0.0.1:" + std::to_string(port) + "/");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::unavailable);
  EXPECT_NE(got.error().message.find("connecting to 127.0.0.1"), std::string::npos);
}

TEST_F(HttpClientTest, BadUrlsAndHeadersAreInvalidInput) {
  HttpClient client(ioc_, ClientOptions{});
  for (const char* url : {"not a url", "ftp://example.com/", "https://", "http://:80/",
                          "http://user:pw@example.com/", "http://example.com:99999/", ""}) {
    auto got = get(client, url);
    ASSERT_FALSE(got) << url;
    EXPECT_EQ(got.error().code, Errc::invalid_input) << url;
  }
  ClientRequest injected;
  injected.url = "http://127.0.0.1:1/";
  injected.headers = {{"X-Evil", "a\r\nHost: elsewhere"}};
  auto got = send(client, injected);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::invalid_input);
  ClientRequest bad_method;
  bad_method.url = "http://127.0.0.1:1/";
  bad_method.method = "GET /x";
  auto got2 = send(client, bad_method);
  ASSERT_FALSE(got2);
  EXPECT_EQ(got2.error().code, Errc::invalid_input);
}

TEST_F(HttpClientTest, InvalidExtraCaIsAConfigurationError) {
  ClientOptions options;
  options.extra_ca_pem = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  HttpClient client(ioc_, options);
  ASSERT_FALSE(client.status());
  auto got = get(client, "https://127.0.0.1:1/");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, Errc::internal);
}

TEST_F(HttpClientTest, ConcurrentRequestsFromSeveralThreadsShareThePool) {
  TestServer server(Behaviour::echo, &pki_);
  HttpClient client(ioc_, trusting(pki_));
  constexpr int kRequests = 40;
  std::atomic<int> succeeded{0};
  for (int i = 0; i < kRequests; ++i) {
    net::co_spawn(
        net::make_strand(ioc_),
        [&client, &server, &succeeded, i]() -> net::awaitable<void> {
          ClientRequest request;
          request.url = server.url("/c" + std::to_string(i));
          auto got = co_await client.send(request);
          if (got && got->body == "/c" + std::to_string(i) + "|") ++succeeded;
        },
        rethrow);
  }
  std::thread helper([this] { ioc_.run_for(10s); });
  ioc_.run_for(10s);
  helper.join();
  EXPECT_EQ(succeeded, kRequests);
  EXPECT_EQ(server.requests(), kRequests);
  EXPECT_LE(server.connections(), kRequests);
  // A second wave reuses what the first left idle (up to max_idle_per_origin = 8).
  const int before = server.connections();
  EXPECT_TRUE(get(client, server.url()));
  EXPECT_EQ(server.connections(), before);
}

}  // namespace
}  // namespace ccteams
