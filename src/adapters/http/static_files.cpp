#include "adapters/http/static_files.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "adapters/http/router.hpp"
#include "adapters/http/sync_handler.hpp"

namespace ccteams::http {

namespace fs = std::filesystem;

namespace {

struct TypeByExtension {
  std::string_view extension;
  std::string_view content_type;
};

// Only what the console uses; anything else under web/ (notes, editor files) is not served.
constexpr std::array<TypeByExtension, 11> kTypes{{
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".json", "application/json"},
    {".webmanifest", "application/manifest+json"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
}};

// A strong validator from the content: the first 16 bytes of its SHA-256, hex, quoted.
std::string content_etag(const std::string& body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_Digest(body.data(), body.size(), md.data(), &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned int i = 0; i < 16 && i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xF]);
  }
  out.push_back('"');
  return out;
}

bool hidden(const fs::path& relative) {
  for (const auto& part : relative) {
    const std::string s = part.string();
    if (!s.empty() && s.front() == '.') return true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

void add_common_headers(Response& r, const StaticFile& f) {
  r.set_header("ETag", f.etag);
  // Not fingerprinted: always revalidate (a cheap 304), never serve a stale console.
  r.set_header("Cache-Control", "no-cache");
  r.set_header("X-Content-Type-Options", "nosniff");
  if (f.html) {
    r.set_header("Content-Security-Policy", std::string(kConsoleCsp));
    r.set_header("Referrer-Policy", "no-referrer");
  }
}

}  // namespace

std::string_view content_type_for(std::string_view filename) {
  const auto dot = filename.rfind('.');
  if (dot == std::string_view::npos) return {};
  const std::string_view ext = filename.substr(dot);
  for (const auto& t : kTypes) {
    if (iequals(t.extension, ext)) return t.content_type;
  }
  return {};
}

bool if_none_match_matches(std::string_view header, std::string_view etag) {
  auto opaque = [](std::string_view tag) {
    tag = trim(tag);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    return tag;
  };
  const std::string_view want = opaque(etag);
  while (!header.empty()) {
    const auto comma = header.find(',');
    const std::string_view item = trim(header.substr(0, comma));
    if (item == "*" || (!item.empty() && opaque(item) == want)) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

Result<StaticFiles> StaticFiles::load(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return make_error(Errc::invalid_input, "web root " + root.string() + " is not a directory");
  }
  StaticFiles out;
  // Symbolic links are neither followed into folders nor served as files: what is served is
  // exactly the regular files inside root.
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
  if (ec) return make_error(Errc::internal, "cannot list " + root.string() + ": " + ec.message());
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) return make_error(Errc::internal, "cannot list " + root.string() + ": " + ec.message());
    const fs::path relative = it->path().lexically_relative(root);
    if (hidden(relative)) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    const std::string_view type = content_type_for(it->path().filename().string());
    if (type.empty()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return make_error(Errc::internal, "cannot read " + it->path().string());
    }
    StaticFile f;
    f.content_type = std::string(type);
    f.body = std::move(body).str();
    f.etag = content_etag(f.body);
    f.html = type.starts_with("text/html");
    out.files_.emplace("/" + relative.generic_string(), std::move(f));
  }
  return out;
}

const StaticFile* StaticFiles::find(std::string_view url_path) const {
  const auto it = files_.find(url_path);
  return it == files_.end() ? nullptr : &it->second;
}

Response StaticFiles::serve(const Request& req) const {
  const StaticFile* f = find(req.path);
  if (f == nullptr) return error_response(make_error(Errc::not_found, "no such resource"));
  const std::string_view inm = req.header("if-none-match");
  if (!inm.empty() && if_none_match_matches(inm, f->etag)) {
    Response r = empty_response(304);
    add_common_headers(r, *f);
    return r;
  }
  Response r = text_response(200, f->content_type, f->body);
  add_common_headers(r, *f);
  return r;
}

std::vector<std::string> StaticFiles::paths() const {
  std::vector<std::string> out;
  out.reserve(files_.size());
  for (const auto& [path, file] : files_) out.push_back(path);
  return out;
}

void register_static_routes(Router& router, std::shared_ptr<const StaticFiles> files,
                            std::string_view start_page) {
  for (const auto& path : files->paths()) {
    if (path.starts_with("/api/")) continue;
    auto handler = sync_handler([files](Request& req) { return files->serve(req); });
    router.add("GET", path, handler);
    router.add("HEAD", path, std::move(handler));
  }
  router.add("GET", "/", sync_handler([target = std::string(start_page)](Request&) {
               Response r = empty_response(302);
               r.set_header("Location", target);
               r.set_header("Cache-Control", "no-cache");
               return r;
             }));
}

fs::path resolve_web_root(std::string_view built_in) {
  const char* env = std::getenv("CCTEAMS_WEB_ROOT");  // NOLINT(concurrency-mt-unsafe): at startup
  if (env != nullptr && *env != '\0') return fs::path(env);
  return fs::path(built_in);
}

}  // namespace ccteams::http
