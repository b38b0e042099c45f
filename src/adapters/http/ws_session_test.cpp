// WebSocket connections and TLS, on the wire.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <mutex>

#include "adapters/crypto/tls_cert.hpp"
#include "adapters/http/http_server.hpp"
#include "adapters/http/server_test_support.hpp"
#include "adapters/http/sync_handler.hpp"

namespace ccteams::http {
namespace {

using namespace testing;
namespace bws = beast::websocket;
namespace ssl = asio::ssl;

// What the server side of the test WebSockets saw.
struct WsProbe {
  std::mutex mu;
  std::shared_ptr<WebSocket> socket;
  std::atomic<int> opened{0};
  std::atomic<int> closed{0};
  std::shared_ptr<WebSocket> get() {
    std::lock_guard lock(mu);
    return socket;
  }
};

Router make_router(WsProbe& probe) {
  Router router;
  router.add("GET", "/hello", sync_handler([](Request&) {
               return text_response(200, "text/plain", "hello");
             }));
  router.add_websocket(
      "/ws/{room}",
      [&probe](Request& req) -> asio::awaitable<std::variant<Response, WsCallbacks>> {
        if (req.query_param("token").value_or("") != "good") {
          co_return error_response(make_error(Errc::unauthenticated, "token required"));
        }
        WsCallbacks cb;
        cb.on_open = [&probe](std::shared_ptr<WebSocket> ws) {
          std::lock_guard lock(probe.mu);
          probe.socket = ws;
          probe.opened++;
        };
        cb.on_message = [&probe, room = std::string(req.path_param("room"))](std::string_view m) {
          if (auto ws = probe.get()) ws->send(room + ":" + std::string(m));
        };
        cb.on_close = [&probe] { probe.closed++; };
        co_return cb;
      });
  return router;
}

bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

// A WebSocket client on its own io_context; every operation has a deadline.
template <class Next>
class WsClient {
 public:
  template <class... Args>
  explicit WsClient(Args&&... args) : ws_(ioc_, std::forward<Args>(args)...) {}
  bws::stream<Next>& ws() { return ws_; }
  asio::io_context& ioc() { return ioc_; }
  template <class Start>
  boost::system::error_code run(Start start, std::chrono::milliseconds timeout = 5s) {
    boost::system::error_code result = asio::error::would_block;
    start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run_for(timeout);
    if (result == asio::error::would_block) {
      beast::get_lowest_layer(ws_).close();
      ioc_.restart();
      ioc_.run_for(1s);
      return beast::error::timeout;
    }
    return result;
  }
  boost::system::error_code handshake(const std::string& target, bws::response_type* res) {
    return run([&](auto handler) { ws_.async_handshake(*res, "localhost", target, handler); });
  }
  boost::system::error_code write(const std::string& text) {
    ws_.text(true);
    return run([&](auto handler) { ws_.async_write(asio::buffer(text), handler); });
  }
  boost::system::error_code read(std::string* out, std::chrono::milliseconds timeout = 5s) {
    beast::flat_buffer buffer;
    auto ec = run([&](auto handler) { ws_.async_read(buffer, handler); }, timeout);
    *out = beast::buffers_to_string(buffer.data());
    return ec;
  }

 private:
  asio::io_context ioc_;
  bws::stream<Next> ws_;
};

using PlainWs = WsClient<beast::tcp_stream>;

std::unique_ptr<PlainWs> connect_ws(std::uint16_t port) {
  auto client = std::make_unique<PlainWs>();
  auto ec = client->run([&](auto handler) {
    beast::get_lowest_layer(client->ws()).async_connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), handler);
  });
  if (ec) throw std::runtime_error("connect failed: " + ec.message());
  return client;
}

class WsSessionTest : public ::testing::Test {
 protected:
  virtual ServerOptions options() { return {}; }
  void start() { harness_ = std::make_unique<ServerHarness>(router_, options()); }
  WsProbe probe_;
  Router router_ = make_router(probe_);
  std::unique_ptr<ServerHarness> harness_;
};

TEST_F(WsSessionTest, EchoesTextMessagesAndReportsCloseOnce) {
  start();
  auto client = connect_ws(harness_->port());
  bws::response_type res;
  ASSERT_FALSE(client->handshake("/ws/lobby?token=good", &res));
  EXPECT_EQ(res.result_int(), 101);
  EXPECT_EQ(res[bhttp::field::server], "ccteams");
  for (const std::string msg : {"one", "two"}) {
    ASSERT_FALSE(client->write(msg));
    std::string got;
    ASSERT_FALSE(client->read(&got));
    EXPECT_EQ(got, "lobby:" + msg);
  }
  EXPECT_EQ(probe_.opened.load(), 1);
  ASSERT_FALSE(client->run([&](auto h) { client->ws().async_close(bws::close_code::normal, h); }));
  EXPECT_TRUE(wait_for([&] { return probe_.closed.load() == 1; }, 30s));
  EXPECT_FALSE(probe_.get()->send("after close"));
  EXPECT_TRUE(wait_for([&] { return harness_->server().connection_count() == 0; }, 30s));
  EXPECT_EQ(probe_.closed.load(), 1);
}

TEST_F(WsSessionTest, HandlerRefusalIsSentAsHttpResponse) {
  start();
  auto client = connect_ws(harness_->port());
  bws::response_type res;
  EXPECT_TRUE(client->handshake("/ws/lobby?token=bad", &res));
  EXPECT_EQ(res.result_int(), 401);
  EXPECT_NE(res.body().find("unauthenticated"), std::string::npos);
  EXPECT_EQ(probe_.opened.load(), 0);
}

TEST_F(WsSessionTest, PlainGetToWebSocketRouteIs400) {
  start();
  auto r = fetch(harness_->port(), "GET", "/ws/lobby?token=good");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 400);
}

TEST_F(WsSessionTest, BinaryAndOversizedMessagesCloseTheSocket) {
  start();
  {
    auto client = connect_ws(harness_->port());
    bws::response_type res;
    ASSERT_FALSE(client->handshake("/ws/a?token=good", &res));
    client->ws().binary(true);
    const std::string bytes = "\x01\x02";
    ASSERT_FALSE(client->run([&](auto h) { client->ws().async_write(asio::buffer(bytes), h); }));
    std::string got;
    EXPECT_EQ(client->read(&got), bws::error::closed);
    EXPECT_EQ(client->ws().reason().code, bws::close_code::unknown_data);
  }
  {
    auto client = connect_ws(harness_->port());
    bws::response_type res;
    ASSERT_FALSE(client->handshake("/ws/a?token=good", &res));
    // The server stops reading mid-message, so its 1009 close frame may be overtaken by a
    // reset (unread data at close), which can fail this write itself; either way the
    // connection ends.
    const auto write_ec = client->write(std::string(128 * 1024, 'x'));
    std::string got;
    const auto ec = write_ec ? write_ec : client->read(&got);
    EXPECT_TRUE(ec);
    if (ec == bws::error::closed) {
      EXPECT_EQ(client->ws().reason().code, bws::close_code::too_big);
    }
  }
  EXPECT_TRUE(wait_for([&] { return probe_.closed.load() == 2; }, 30s));
}

class WsSlowClientTest : public WsSessionTest {
 protected:
  ServerOptions options() override {
    ServerOptions o;
    o.ws_outbox_max_messages = 16;
    o.ws_outbox_max_bytes = 1 << 20;
    return o;
  }
};

TEST_F(WsSlowClientTest, ClientThatNeverReadsIsEvicted) {
  start();
  auto client = connect_ws(harness_->port());
  bws::response_type res;
  ASSERT_FALSE(client->handshake("/ws/a?token=good", &res));
  ASSERT_TRUE(wait_for([&] { return probe_.opened.load() == 1; }, 30s));
  auto ws = probe_.get();
  const std::string big(64 * 1024, 'm');
  int accepted = 0;
  bool refused = false;
  // The client never reads: kernel buffers fill, then the bounded outbox. Paced so that the
  // writer keeps up until the kernel buffers are full.
  for (int i = 0; i < 20000 && !refused; ++i) {
    if (ws->send(big)) {
      ++accepted;
      std::this_thread::sleep_for(200us);
    } else {
      refused = true;
    }
  }
  std::printf("slow client: %d messages accepted before eviction\n", accepted);
  EXPECT_TRUE(refused) << "accepted " << accepted;
  EXPECT_FALSE(ws->send("more"));
  EXPECT_TRUE(wait_for([&] { return probe_.closed.load() == 1; }, 30s));
  EXPECT_TRUE(wait_for([&] { return harness_->server().connection_count() == 0; }, 30s));
}

TEST_F(WsSessionTest, ShutdownSendsGoingAway) {
  start();
  auto client = connect_ws(harness_->port());
  bws::response_type res;
  ASSERT_FALSE(client->handshake("/ws/a?token=good", &res));
  ASSERT_TRUE(wait_for([&] { return probe_.opened.load() == 1; }, 30s));
  auto done = std::make_shared<std::promise<void>>();
  harness_->server().shutdown(3s, [done] { done->set_value(); });
  std::string got;
  EXPECT_EQ(client->read(&got), bws::error::closed);
  EXPECT_EQ(client->ws().reason().code, bws::close_code::going_away);
  EXPECT_EQ(done->get_future().wait_for(30s), std::future_status::ready);
  EXPECT_EQ(probe_.closed.load(), 1);
}

class TlsServerTest : public WsSessionTest {
 protected:
  void SetUp() override {
    auto pki = generate_test_pki({"localhost"}, {"127.0.0.1"});
    ASSERT_TRUE(pki) << pki.error().message;
    pki_ = *pki;
    client_ctx_.add_certificate_authority(asio::buffer(pki_.ca_cert_pem));
    client_ctx_.set_verify_mode(ssl::verify_peer);
    start();
  }
  ServerOptions options() override {
    ServerOptions o;
    o.tls = TlsConfig{pki_.cert_chain_pem, pki_.private_key_pem};
    return o;
  }
  TestPki pki_;
  ssl::context client_ctx_{ssl::context::tls_client};
};

TEST_F(TlsServerTest, HttpsRequestAndSecureWebSocketWork) {
  using TlsWs = WsClient<beast::ssl_stream<beast::tcp_stream>>;
  TlsWs client(client_ctx_);
  auto& tls = client.ws().next_layer();
  SSL_set_tlsext_host_name(tls.native_handle(), "localhost");
  tls.set_verify_callback(ssl::host_name_verification("localhost"));
  ASSERT_FALSE(client.run([&](auto h) {
    beast::get_lowest_layer(tls).async_connect(
        asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), harness_->port()), h);
  }));
  ASSERT_FALSE(client.run([&](auto h) { tls.async_handshake(ssl::stream_base::client, h); }));

  // A plain HTTPS request first, on the same TLS stream.
  bhttp::request<bhttp::empty_body> get{bhttp::verb::get, "/hello", 11};
  get.set(bhttp::field::host, "localhost");
  ASSERT_FALSE(client.run([&](auto h) { bhttp::async_write(tls, get, h); }));
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> res;
  ASSERT_FALSE(client.run([&](auto h) { bhttp::async_read(tls, buffer, res, h); }));
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res.body(), "hello");

  bws::response_type up;
  ASSERT_FALSE(client.handshake("/ws/secure?token=good", &up));
  ASSERT_FALSE(client.write("hi"));
  std::string got;
  ASSERT_FALSE(client.read(&got));
  EXPECT_EQ(got, "secure:hi");
}

TEST_F(TlsServerTest, PlainHttpIsNotServed) {
  WireClient client(harness_->port());
  ASSERT_FALSE(client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_FALSE(client.read(false, 3s));
}

TEST(TlsServerConfig, BadKeyMaterialFailsListen) {
  Router router;
  asio::io_context ioc;
  ServerOptions o;
  o.tls = TlsConfig{"not a certificate", "not a key"};
  HttpServer server(ioc, router, o);
  auto r = server.listen("127.0.0.1", 0);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_input);
}

}  // namespace
}  // namespace ccteams::http
