#include <charconv>
#include <chrono>

#include "calltrail/base/secrets.hpp"
#include "calltrail/base/time.hpp"
#include "calltrail/serve/http_internal.hpp"
#include "calltrail/serve/http_server.hpp"

namespace calltrail::serve {

using detail::json_error;

namespace {

bool state_changing(const std::string& method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
  return out;
}

// "name[:port]" or "[v6][:port]" -> the name (no brackets, lower case) and
// the port (-1 when absent, -2 when not a number).
std::pair<std::string, int> split_host(std::string_view host) {
  std::string_view name = host;
  std::string_view port;
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return {lower_ascii(host), -2};
    name = host.substr(1, close - 1);
    const std::string_view rest = host.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return {lower_ascii(name), -2};
      port = rest.substr(1);
    }
  } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
    if (host.find(':') != colon) return {lower_ascii(host), -1};  // a bare IPv6 address
    name = host.substr(0, colon);
    port = host.substr(colon + 1);
  }
  int p = -1;
  if (!port.empty() || (name.size() < host.size() && host.back() == ':')) {
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc{} || end != port.data() + port.size() || p < 0 || p > 65535) p = -2;
  }
  return {lower_ascii(name), p};
}

}  // namespace

bool HttpServer::host_allowed(std::string_view host, std::string_view local_addr,
                              bool need_port) const {
  auto [name, port] = split_host(host);
  if (port == -2 || name.empty()) return false;
  for (const auto& allowed : options_.allow_hosts)
    if (lower_ascii(allowed) == name) return true;  // a name the operator gave: any port
  if (port == -1 && need_port) port = 80;
  if (port != -1 && port != port_) return false;
  if (name == "localhost" || name == "127.0.0.1" || name == "::1") return true;
  if (!local_addr.empty() && name == lower_ascii(local_addr)) return true;
  const std::string listening = split_host(options_.host).first;
  return name == listening && listening != "0.0.0.0" && listening != "::";
}

void HttpServer::log_access(const std::string& remote, std::string_view method,
                            std::string_view target, std::string_view version, int status,
                            std::size_t bytes) {
  if (!options_.access_log) return;
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  std::string line = remote.empty() ? "-" : remote;
  line += " [";
  line += base::format_utc(now, 3);
  line += "] \"";
  line += method;
  line += ' ';
  line += base::redact_secrets(target);  // ?token=... never reaches the log
  line += ' ';
  line += version;
  line += "\" ";
  line += std::to_string(status);
  line += ' ';
  line += std::to_string(bytes);
  std::lock_guard lock(log_mutex_);
  options_.access_log(line);
}

void HttpServer::count_response(int status) {
  std::lock_guard lock(counters_mutex_);
  ++counters_->responses[status];
}

void HttpServer::count_refused(std::string_view reason) {
  std::lock_guard lock(counters_mutex_);
  ++counters_->refused[std::string(reason)];
}

void HttpServer::guard(httplib::Server& s) {
  // httplib calls the post-routing handler for every response it writes,
  // after the error handler and before the first byte goes out.
  s.set_post_routing_handler(
      [this](const httplib::Request&, httplib::Response& res) { count_response(res.status); });
  s.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
    log_access(req.remote_addr, req.method, req.target, req.version, res.status, res.body.size());
  });
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    using R = httplib::Server::HandlerResponse;
    if (options_.token.empty()) {
      // Without a token, what a browser does for a page of another site is
      // what must be refused: a name of the attacker's resolving to us (DNS
      // rebinding) and a cross-site form or fetch that changes state (CSRF).
      // Clients without a browser send no Origin and name the address.
      const std::string host = req.get_header_value("Host");
      if (!host.empty() && !host_allowed(host, req.local_addr, false)) {
        json_error(
            res, 403,
            "Host '" + host + "' is not an address of this server: start serve with --allow-host " +
                split_host(host).first + " to accept the name it is reached by (or set --token)");
        return R::Handled;
      }
      if (state_changing(req.method) && req.has_header("Origin")) {
        const std::string origin = req.get_header_value("Origin");
        std::string_view rest = origin;
        bool known = false;
        for (std::string_view scheme : {"http://", "https://"}) {
          if (rest.substr(0, scheme.size()) != scheme) continue;
          rest.remove_prefix(scheme.size());
          std::string hostport(rest.substr(0, rest.find('/')));
          if (split_host(hostport).second == -1) hostport += scheme == "https://" ? ":443" : ":80";
          known = host_allowed(hostport, req.local_addr, true);
          break;
        }
        if (!known) {
          json_error(res, 403,
                     "a page from '" + origin +
                         "' may not change this server's state: only this server's own page "
                         "may, or one under a name given with --allow-host (or set --token)");
          return R::Handled;
        }
      }
      return R::Unhandled;
    }
    if (req.path == "/health") return R::Unhandled;
    const std::string auth = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    bool ok =
        auth.size() > kBearer.size() && auth.compare(0, kBearer.size(), kBearer) == 0 &&
        base::equal_constant_time(std::string_view(auth).substr(kBearer.size()), options_.token);
    // In the query only where a browser cannot send a header: opening the
    // page, and the page's EventSource. Elsewhere a URL (logged, shared,
    // kept in a history) is no place for it.
    const bool query_allowed =
        req.method == "GET" &&
        (req.path == "/" || req.path == "/index.html" || req.path == "/api/updates");
    if (!ok && query_allowed && req.has_param("token"))
      ok = base::equal_constant_time(req.get_param_value("token"), options_.token);
    if (ok) return R::Unhandled;
    res.set_header("WWW-Authenticate", "Bearer");
    json_error(res, 401,
               query_allowed ? "this server needs a token: send 'Authorization: Bearer TOKEN' (or "
                               "?token=TOKEN)"
                             : "this server needs a token: send 'Authorization: Bearer TOKEN' "
                               "(?token= is taken only by the page and /api/updates)");
    return R::Handled;
  });
  s.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown error";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        json_error(res, 500, "internal error on " + req.path + ": " + what);
      });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404) {
      json_error(res, 404, "no such endpoint: " + req.method + " " + req.path);
    } else if (res.status == 413) {
      json_error(res, 413, "request body too large");
    } else {
      json_error(res, res.status, "request failed: " + req.method + " " + req.path);
    }
  });
}

}  // namespace calltrail::serve
