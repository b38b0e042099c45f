#include "adapters/http/http_message.hpp"
#include "adapters/http/request_forwarder.hpp"

#include <boost/beast/http/field.hpp>
#include <cctype>
#include <ctime>
#include <spdlog/spdlog.h>

namespace ccteams::http {

namespace bhttp = boost::beast::http;

namespace {

bool has_dot_segment(std::string_view path) {
  while (!path.empty()) {
    path.remove_prefix(1);  // the '/'
    const auto slash = path.find('/');
    const auto segment = path.substr(0, slash);
    if (segment == "." || segment == "..") return true;
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return false;
}

bool encodes_slash(std::string_view raw) {
  for (std::size_t i = 0; i + 2 < raw.size(); ++i) {
    if (raw[i] == '%' && raw[i + 1] == '2' && (raw[i + 2] == 'f' || raw[i + 2] == 'F')) {
      return true;
    }
  }
  return false;
}

bool has_crlf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string_view raw_path(std::string_view target) {
  return target.substr(0, target.find('?'));
}

Result<Request> to_request(BeastRequest& msg, std::string remote_address, bool secure) {
  Request req;
  req.target = std::string(msg.target());
  if (req.target.empty() || req.target.front() != '/') {
    return make_error(Errc::invalid_input, "the request target must be an absolute path");
  }
  const auto raw = raw_path(req.target);
  if (raw.size() < req.target.size()) req.query = req.target.substr(raw.size() + 1);
  if (encodes_slash(raw)) {
    return make_error(Errc::invalid_input, "the request path must not contain an encoded '/'");
  }
  auto decoded = percent_decode(raw, false);
  if (!decoded) return make_error(Errc::invalid_input, "the request path has a bad escape");
  if (decoded->find('\0') != std::string::npos) {
    return make_error(Errc::invalid_input, "the request path must not contain NUL");
  }
  if (has_dot_segment(*decoded)) {
    return make_error(Errc::invalid_input, "the request path must not contain . or .. segments");
  }
  req.path = std::move(*decoded);
  req.method = std::string(msg.method_string());
  req.headers.reserve(std::distance(msg.begin(), msg.end()));
  for (const auto& field : msg) {
    req.headers.push_back({lower(field.name_string()), std::string(field.value())});
  }
  req.body = std::move(msg.body());
  req.remote_address = std::move(remote_address);
  req.secure = secure;
  return req;
}

std::string_view http_date_now() {
  thread_local std::time_t cached_second = 0;
  thread_local char buf[40];
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  return buf;
}

BeastResponse to_beast_response(Response&& response, const ServerOptions& options,
                                unsigned version, bool head, bool keep_alive,
                                std::size_t* body_bytes) {
  if (options.decorate) options.decorate(response);
  int status = response.status;
  if (status < 100 || status > 599) {
    spdlog::error("http: handler returned status {}; sending 500", status);
    response = error_response(make_error(Errc::internal, "internal error"));
    status = response.status;
  }
  BeastResponse msg;
  msg.version(version);
  msg.result(static_cast<unsigned>(status));
  bool has_server = false;
  for (auto& h : response.headers) {
    // kOrgElsewhereHeader is the server's own note to itself (request_forwarder.hpp).
    if (iequals(h.name, "content-length") || iequals(h.name, "transfer-encoding") ||
        iequals(h.name, "connection") || iequals(h.name, kOrgElsewhereHeader)) {
      continue;
    }
    if (h.name.empty() || has_crlf(h.name) || has_crlf(h.value)) {
      spdlog::error("http: dropped response header with CR/LF (status {})", status);
      continue;
    }
    has_server = has_server || iequals(h.name, "server");
    msg.insert(h.name, h.value);
  }
  if (!has_server && !options.server_header.empty()) {
    msg.set(bhttp::field::server, options.server_header);
  }
  msg.set(bhttp::field::date, http_date_now());
  msg.keep_alive(keep_alive);
  const bool bodyless_status = status < 200 || status == 204 || status == 304;
  if (bodyless_status) {
    *body_bytes = 0;
  } else if (head) {
    msg.content_length(response.body.size());
    *body_bytes = 0;
  } else {
    msg.content_length(response.body.size());
    *body_bytes = response.body.size();
    msg.body() = std::move(response.body);
  }
  return msg;
}

}  // namespace ccteams::http
