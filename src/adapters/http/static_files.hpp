#pragma once
// The web console's static files (web/ in the source tree): loaded once into memory when the
// server starts and served from there.
//
// Why in memory: the set is small (tens of kilobytes), every response gets a precomputed strong
// ETag, and a request path is only ever looked up in a map of the files that were found under the
// root at load time. No request path ever reaches the file system, so `..`, `%2e%2e`, absolute
// paths, NUL bytes and directory names all fall through to 404 by construction, and there is no
// directory listing to switch off. The price: edits under web/ are picked up on restart.
//
// Headers: every file has Content-Type by extension, `Cache-Control: no-cache` and an ETag (the
// files are not fingerprinted, so browsers revalidate and get 304 on If-None-Match). HTML adds a
// strict Content-Security-Policy (no inline script or style), X-Content-Type-Options: nosniff
// and Referrer-Policy: no-referrer.
//
// Thread-safety: a loaded StaticFiles is immutable; serve() and find() are safe from any thread.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/http/http_types.hpp"
#include "core/result.hpp"

namespace ccteams::http {

class Router;

// The policy every HTML page is served with. connect-src 'self' covers the same-origin
// WebSocket (ws:/wss: on the page's own host, CSP level 3).
inline constexpr std::string_view kConsoleCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

struct StaticFile {
  std::string content_type;  // e.g. "text/html; charset=utf-8"
  std::string body;
  std::string etag;          // strong, quoted: "\"3f2a…\""
  bool html = false;
};

class StaticFiles {
 public:
  // Reads every regular file under root whose extension has a known content type. Symbolic
  // links, hidden files and folders (".name") and unknown extensions are skipped, so nothing
  // outside root and nothing unintended is ever served. URL paths are "/" + the path relative to
  // root with '/' separators. Errors: invalid_input when root is not a directory, internal when
  // a file cannot be read.
  static Result<StaticFiles> load(const std::filesystem::path& root);

  // The file for an already percent-decoded URL path, or nullptr (unknown, a directory, or any
  // path that is not exactly one of the loaded files).
  const StaticFile* find(std::string_view url_path) const;

  // The response to GET or HEAD of req.path: 200 with the file, 304 when If-None-Match matches
  // its ETag, 404 (the API's JSON error) otherwise. The caller strips the body for HEAD.
  Response serve(const Request& req) const;

  // Every URL path, sorted.
  std::vector<std::string> paths() const;
  std::size_t size() const { return files_.size(); }

 private:
  std::map<std::string, StaticFile, std::less<>> files_;
};

// "text/css; charset=utf-8" for "app.css"; "" for an extension that is not served.
std::string_view content_type_for(std::string_view filename);

// True when an If-None-Match header value (a list of entity tags or "*") matches etag, with
// the weak comparison RFC 9110 prescribes for If-None-Match.
bool if_none_match_matches(std::string_view header, std::string_view etag);

// Registers GET and HEAD for every file, and `GET /` answering 302 to start_page (e.g.
// "/sign-in.html"). Paths under /api/ are never registered: the API owns them. The router keeps
// a shared reference to files.
void register_static_routes(Router& router, std::shared_ptr<const StaticFiles> files,
                            std::string_view start_page);

// The web root to use: the environment variable CCTEAMS_WEB_ROOT when set and non-empty,
// otherwise built_in (the build passes the source tree's web/).
std::filesystem::path resolve_web_root(std::string_view built_in);

}  // namespace ccteams::http
