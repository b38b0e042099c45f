// libFuzzer target: WebSocket frames as the console's event stream receives them, under ASan +
// UBSan (scripts/fuzz.sh): Beast's WebSocket server with the options our server sets (message
// size limit), after a valid upgrade request, reading whatever frames follow (masking,
// fragmentation, control frames, close codes, bad UTF-8 in text) until the peer is gone. The
// stream must end in an error or a close, never a crash or a hang.

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/http/http_server.hpp"

namespace beast = boost::beast;
namespace bws = boost::beast::websocket;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string kUpgrade =
      "GET /api/v1/events HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
      "Connection: upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "Sec-WebSocket-Version: 13\r\n\r\n";
  boost::asio::io_context ioc;
  beast::test::stream server(ioc);
  beast::test::stream client(ioc);
  server.connect(client);
  server.append(kUpgrade);
  server.append(std::string_view(reinterpret_cast<const char*>(data), size));
  client.close();  // nothing more will come: reads past the input end with an error
  bws::stream<beast::test::stream&> ws(server);
  ws.read_message_max(ccteams::http::ServerOptions{}.ws_max_message);
  beast::error_code ec;
  ws.accept(ec);
  if (ec) return 0;
  beast::flat_buffer buffer;
  for (int i = 0; i < 1000; ++i) {
    ws.read(buffer, ec);
    if (ec) break;
    buffer.consume(buffer.size());
  }
  return 0;
}
