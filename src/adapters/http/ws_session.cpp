// One WebSocket connection: a read loop (the connection's coroutine) and one writer fed by a
// bounded outbox (STYLE §8), all on the connection's strand.
#include "adapters/http/ws_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <mutex>
#include <spdlog/spdlog.h>

namespace ccteams::http {

namespace {

namespace beast = boost::beast;
namespace bws = beast::websocket;

// Control frames carry at most 125 bytes: 2 for the code, the rest for the reason.
std::string clip_reason(std::string reason) {
  if (reason.size() > 123) reason.resize(123);
  return reason;
}

template <class Stream>
class WsSession final : public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(Stream&& stream, const ServerOptions& options, std::string remote)
      : ws_(std::move(stream)),
        executor_(ws_.get_executor()),
        max_messages_(options.ws_outbox_max_messages),
        max_bytes_(options.ws_outbox_max_bytes),
        write_timeout_(options.write_timeout),
        remote_(std::move(remote)),
        write_timer_(executor_) {
    auto timeouts = bws::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.handshake_timeout = options.write_timeout;  // also bounds the closing handshake
    // Beast pings after half the idle time without a frame and gives up after the other half.
    timeouts.idle_timeout = 2 * options.ws_ping_interval;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(bws::stream_base::decorator(
        [server = options.server_header](bws::response_type& res) {
          if (!server.empty()) res.set(beast::http::field::server, server);
        }));
    ws_.read_message_max(options.ws_max_message);
  }

  // The connection's coroutine from the handshake to the end. Strand only.
  asio::awaitable<void> run(BeastRequest request, WsCallbacks callbacks,
                            const std::atomic<bool>& draining) {
    auto self = this->shared_from_this();
    // The websocket stream keeps its own timers; a tcp_stream deadline would cut it off.
    beast::get_lowest_layer(ws_).expires_never();
    auto [ec] = co_await ws_.async_accept(request, kAsTuple);
    if (ec) {
      spdlog::debug("ws: handshake with {} failed: {}", remote_, ec.message());
      end();
      co_return;
    }
    guarded("on_open", [&] {
      if (callbacks.on_open) callbacks.on_open(std::make_shared<Handle>(self, remote_));
    });
    // A shutdown that began during the upgrade request found this connection busy.
    if (draining.load()) close_with(bws::close_code::going_away, "server shutting down");
    beast::flat_buffer buffer;
    for (;;) {
      auto [rec, n] = co_await ws_.async_read(buffer, kAsTuple);
      if (rec) {
        if (rec != bws::error::closed) spdlog::debug("ws: {} ended: {}", remote_, rec.message());
        break;
      }
      if (!ws_.got_text()) {
        close_with(bws::close_code::unknown_data, "text messages only");
      } else {
        const std::string_view text(static_cast<const char*>(buffer.data().data()), n);
        guarded("on_message", [&] {
          if (callbacks.on_message) callbacks.on_message(text);
        });
      }
      buffer.consume(buffer.size());
    }
    end();
    guarded("on_close", [&] {
      if (callbacks.on_close) callbacks.on_close();
    });
  }

  // What handlers hold. It does not own the session: the Beast stream must die with the
  // connection (and before its io_context), whenever the application drops its handle.
  class Handle final : public WebSocket {
   public:
    Handle(const std::shared_ptr<WsSession>& session, std::string remote)
        : session_(session), remote_(std::move(remote)) {}
    bool send(std::string text) override {
      auto s = session_.lock();
      return s && s->send(std::move(text));
    }
    void close(std::string reason) override {
      if (auto s = session_.lock()) s->close_with(bws::close_code::normal, std::move(reason));
    }
    void close(std::uint16_t code, std::string reason) override {
      if (auto s = session_.lock()) {
        s->close_with(static_cast<bws::close_code>(code), std::move(reason));
      }
    }
    const std::string& remote_address() const override { return remote_; }

   private:
    std::weak_ptr<WsSession> session_;
    const std::string remote_;
  };

  // Thread-safe; false once closing or when the outbox would overflow (see ServerOptions).
  bool send(std::string text) {
    std::unique_lock lock(mu_);
    if (!accepting_) return false;
    if (outbox_.size() + 1 > max_messages_ || outbox_bytes_ + text.size() > max_bytes_) {
      accepting_ = false;
      lock.unlock();
      asio::post(executor_, [self = this->shared_from_this()] { self->evict(); });
      return false;
    }
    outbox_bytes_ += text.size();
    outbox_.push_back(std::move(text));
    // The message in flight stays in the outbox, so a single entry means the writer is idle.
    const bool kick = outbox_.size() == 1;
    lock.unlock();
    if (kick) asio::post(executor_, [self = this->shared_from_this()] { self->start_write(); });
    return true;
  }

  // Queued messages are still delivered, then the close frame. Thread-safe; the first call wins.
  void close_with(bws::close_code code, std::string reason) {
    {
      std::lock_guard lock(mu_);
      if (!accepting_) return;
      accepting_ = false;
      close_pending_ = true;
      close_reason_ = bws::close_reason(code, clip_reason(std::move(reason)));
    }
    asio::post(executor_, [self = this->shared_from_this()] { self->start_write(); });
  }

  // Drops the TCP connection; pending operations end with operation_aborted. Strand only.
  void force_close() {
    boost::system::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
  }

 private:
  template <class Fn>
  void guarded(const char* what, Fn&& fn) {
    try {
      fn();
    } catch (const std::exception& e) {
      spdlog::error("ws: {} callback threw: {}", what, e.what());
      close_with(bws::close_code::internal_error, "internal error");
    }
  }

  void end() {
    ended_ = true;
    write_timer_.cancel();  // its handler holds the session alive
    {
      std::lock_guard lock(mu_);
      accepting_ = false;
      if (!writing_) clear_outbox_locked();
    }
    force_close();
  }

  void start_write() {
    if (ended_ || writing_) return;
    std::unique_lock lock(mu_);
    if (!outbox_.empty()) {
      // deque::push_back from send() never moves existing elements: the reference stays valid.
      const std::string& next = outbox_.front();
      lock.unlock();
      writing_ = true;
      arm_write_timer();
      ws_.text(true);
      ws_.async_write(asio::buffer(next),
                      [self = this->shared_from_this()](boost::system::error_code ec,
                                                        std::size_t) { self->on_write(ec); });
      return;
    }
    if (close_pending_ && !close_sent_) {
      close_sent_ = true;
      const auto reason = close_reason_;
      lock.unlock();
      writing_ = true;
      arm_write_timer();
      ws_.async_close(reason, [self = this->shared_from_this()](boost::system::error_code ec) {
        self->writing_ = false;
        ++self->write_generation_;
        self->write_timer_.cancel();
        if (ec) self->force_close();
      });
    }
  }

  void on_write(boost::system::error_code ec) {
    writing_ = false;
    ++write_generation_;
    write_timer_.cancel();
    {
      std::lock_guard lock(mu_);
      if (!outbox_.empty()) {
        outbox_bytes_ -= outbox_.front().size();
        outbox_.pop_front();
      }
      if (ec || ended_) clear_outbox_locked();
    }
    if (ec) {
      force_close();
      return;
    }
    start_write();
  }

  // A client that cannot keep up: its TCP window is full, so a close frame would not get
  // through either while a write is stuck; drop the connection instead.
  void evict() {
    if (ended_) return;
    spdlog::warn("ws: {} is not keeping up with its messages; disconnecting", remote_);
    if (writing_) {
      force_close();
      return;
    }
    {
      std::lock_guard lock(mu_);
      clear_outbox_locked();
      close_pending_ = true;
      close_reason_ = bws::close_reason(bws::close_code::policy_error, "client too slow");
    }
    start_write();
  }

  // A peer that stops reading must not hold a writer (and its memory) forever.
  void arm_write_timer() {
    write_timer_.expires_after(write_timeout_);
    write_timer_.async_wait([self = this->shared_from_this(),
                             generation = write_generation_](boost::system::error_code ec) {
      if (ec || generation != self->write_generation_ || self->ended_) return;
      spdlog::warn("ws: write to {} timed out; disconnecting", self->remote_);
      self->force_close();
    });
  }

  void clear_outbox_locked() {
    outbox_.clear();
    outbox_bytes_ = 0;
  }

  bws::stream<Stream> ws_;
  const asio::any_io_executor executor_;
  const std::size_t max_messages_;
  const std::size_t max_bytes_;
  const std::chrono::milliseconds write_timeout_;
  const std::string remote_;
  asio::steady_timer write_timer_;

  // Strand only.
  std::uint64_t write_generation_ = 0;
  bool writing_ = false;  // an async_write or async_close is in flight
  bool close_sent_ = false;
  bool ended_ = false;

  // Shared with send() and close() callers on any thread.
  std::mutex mu_;
  std::deque<std::string> outbox_;
  std::size_t outbox_bytes_ = 0;
  bool accepting_ = true;
  bool close_pending_ = false;
  bws::close_reason close_reason_;
};

}  // namespace

template <class Stream>
asio::awaitable<void> run_websocket(std::shared_ptr<HttpServer::State> state,
                                    std::shared_ptr<ConnectionControl> control, Stream stream,
                                    BeastRequest request, WsCallbacks callbacks,
                                    std::string remote_address) {
  auto session = std::make_shared<WsSession<Stream>>(std::move(stream), state->options,
                                                     std::move(remote_address));
  control->drain = [session] {
    session->close_with(bws::close_code::going_away, "server shutting down");
  };
  control->force = [session] { session->force_close(); };
  co_await session->run(std::move(request), std::move(callbacks), state->draining);
  control->drain = nullptr;
  control->force = nullptr;
}

template asio::awaitable<void> run_websocket<TcpStream>(std::shared_ptr<HttpServer::State>,
                                                        std::shared_ptr<ConnectionControl>,
                                                        TcpStream, BeastRequest, WsCallbacks,
                                                        std::string);
template asio::awaitable<void> run_websocket<TlsStream>(std::shared_ptr<HttpServer::State>,
                                                        std::shared_ptr<ConnectionControl>,
                                                        TlsStream, BeastRequest, WsCallbacks,
                                                        std::string);

}  // namespace ccteams::http
