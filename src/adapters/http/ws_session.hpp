#pragma once
// Internal to the HTTP server: a connection after a successful WebSocket upgrade request.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <memory>
#include <string>

#include "adapters/http/http_message.hpp"
#include "adapters/http/router.hpp"
#include "adapters/http/server_state.hpp"

namespace ccteams::http {

using TcpStream = boost::beast::tcp_stream;
using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

// Completes the handshake for request on stream (moved in), then runs the WebSocket until it
// ends: on_open, on_message per text message, on_close exactly once, however it ended. A failed
// handshake calls none of them.
// Replaces control's hooks: drain sends a "going away" close, force closes the socket.
// Runs on the connection's strand. Instantiated for TcpStream and TlsStream.
template <class Stream>
boost::asio::awaitable<void> run_websocket(std::shared_ptr<HttpServer::State> state,
                                           std::shared_ptr<ConnectionControl> control,
                                           Stream stream, BeastRequest request,
                                           WsCallbacks callbacks, std::string remote_address);

}  // namespace ccteams::http
