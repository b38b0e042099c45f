// Compiles Asio, Asio.SSL and Beast once for the whole program (separate compilation):
// every other file includes only their declarations.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
