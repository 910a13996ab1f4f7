#include "calltrail/serve/http_server.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

#include "calltrail/base/json_writer.hpp"
#include "calltrail/base/secrets.hpp"
#include "calltrail/base/time.hpp"
#include "calltrail/correlate/json.hpp"
#include "calltrail/serve/event_reader.hpp"
#include "calltrail/serve/views.hpp"
#include "calltrail/serve/web_assets.hpp"

namespace calltrail::serve {

namespace {

constexpr const char* kJson = "application/json";

std::string error_json(std::string_view message) {
  std::string body = "{\"error\":";
  // Store errors may quote a connection string: never its password.
  base::append_json_string(body, base::redact_secrets(message));
  body += '}';
  return body;
}

void json_error(httplib::Response& res, int status, std::string_view message) {
  res.status = status;
  res.set_content(error_json(message), kJson);
}

std::optional<std::uint64_t> parse_u64(const std::string& s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// A required unsigned query parameter; false (and a 400) when missing or bad.
bool u64_param(const httplib::Request& req, httplib::Response& res, const char* name,
               std::uint64_t& out, std::optional<std::uint64_t> fallback = std::nullopt) {
  if (!req.has_param(name)) {
    if (fallback) {
      out = *fallback;
      return true;
    }
    json_error(res, 400, std::string("missing query parameter '") + name + "'");
    return false;
  }
  auto v = parse_u64(req.get_param_value(name));
  if (!v) {
    json_error(res, 400,
               std::string("query parameter '") + name +
                   "' should be a non-negative integer, not '" + req.get_param_value(name) + "'");
    return false;
  }
  out = *v;
  return true;
}

bool source_param(const httplib::Request& req, httplib::Response& res, std::string& out) {
  out = req.get_param_value("source");
  if (out.empty()) {
    json_error(res, 400, "missing query parameter 'source' (the collector's name for its log)");
    return false;
  }
  return true;
}

void accepted_response(httplib::Response& res, const Accepted& a) {
  if (a.status == Accepted::Invalid) {
    json_error(res, 409, a.error);
    return;
  }
  if (a.status == Accepted::Unavailable) {
    json_error(res, 503, a.error);
    return;
  }
  if (a.status == Accepted::TooManySources) {
    json_error(res, 429, a.error);
    return;
  }
  if (a.status == Accepted::SourceFull) {
    json_error(res, 413, a.error);
    return;
  }
  std::string body;
  base::JsonWriter w(body);
  w.begin_object();
  if (a.status == Accepted::Gap) w.field("error", a.error);
  w.field("accepted", a.accepted);
  w.field("duplicates", a.duplicates);
  w.field("events", a.events);
  w.field("next", a.next);
  w.end_object();
  res.status = a.status == Accepted::Gap ? 409 : 200;
  res.set_content(body, kJson);
}

std::string metrics_json(const LiveMetrics& m, std::int64_t subscribers) {
  std::string out;
  base::JsonWriter w(out);
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  w.begin_object();
  w.field("events", m.events);
  w.key("events_per_second").value(static_cast<std::int64_t>(m.events_per_second + 0.5));
  w.field("batches", m.batches);
  w.field("duplicate_batches", m.duplicate_batches);
  w.field("interactions", m.interactions);
  w.field("incomplete_interactions", m.incomplete_interactions);
  w.field("open_interactions", m.open_interactions);
  w.field("updates", m.updates);
  w.field("recomputes", m.recomputes);
  w.field("subscribers", subscribers);
  w.field("largest_component", m.largest_component);
  w.field("rebuilt_legs", m.rebuilt_legs);
  w.field("legs_held", m.legs_held);
  w.field("events_held", m.events_held);
  w.field("identifiers_held", m.identifiers_held);
  w.field("evicted_interactions", m.evicted_interactions);
  w.field("evicted_legs", m.evicted_legs);
  std::uint64_t gaps = 0;
  for (const auto& s : m.sources)
    gaps += s.gaps;
  w.field("gaps", gaps);
  w.key("sources").begin_array();
  for (const auto& s : m.sources) {
    w.begin_object();
    w.field("source", s.name);
    w.field("kind", to_string(s.kind));
    if (!s.path.empty()) w.field("path", s.path);
    w.field("next", s.next);
    w.field("events", s.events);
    w.field("gaps", s.gaps);
    w.field("missing_events", s.missing);
    w.field("malformed", s.malformed);
    if (s.last_event_utc) {
      w.field("last_event_utc", base::format_utc(*s.last_event_utc));
      w.key("lag_seconds").value(static_cast<std::int64_t>((now - *s.last_event_utc) / 1'000'000));
    } else {
      w.key("last_event_utc").null();
      w.key("lag_seconds").null();
    }
    if (s.seconds_since_batch) {
      w.field("seconds_since_batch", *s.seconds_since_batch);
    } else {
      w.key("seconds_since_batch").null();
    }
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return out;
}

// index.html with its script and style sheet inlined: one request, so that a
// page opened with ?token= needs the token nowhere else.
std::string page_html() {
  std::string html(find_web_asset("/index.html")->body);
  auto inline_asset = [&](std::string_view tag, std::string_view path, std::string_view open,
                          std::string_view close) {
    const auto at = html.find(tag);
    const WebAsset* a = find_web_asset(path);
    if (at == std::string::npos || a == nullptr) return;
    html.replace(at, tag.size(), std::string(open) + std::string(a->body) + std::string(close));
  };
  inline_asset("<link rel=\"stylesheet\" href=\"style.css\">", "/style.css", "<style>\n",
               "</style>");
  inline_asset("<script src=\"app.js\"></script>", "/app.js", "<script>\n", "</script>");
  return html;
}

}  // namespace

namespace {

using Millis = std::chrono::milliseconds;
constexpr Millis kReadTimeout{5000};
constexpr Millis kWriteTimeout{5000};
constexpr Millis kKeepAliveTimeout{5000};
constexpr std::size_t kKeepAliveMax = 100000;

// What a connection reads and writes: a socket, or bytes in memory.
class Io {
 public:
  virtual ~Io() = default;
  // Something to read (or the end of the stream) within `wait`; false on a
  // timeout, or soon after `stop` is set.
  virtual bool wait_readable(Millis wait, const std::atomic<bool>& stop) = 0;
  virtual ssize_t recv(char* p, std::size_t n) = 0;  // 0: the peer closed
  virtual bool wait_writable() = 0;
  virtual ssize_t send(const char* p, std::size_t n) = 0;
  virtual int fd() const { return -1; }
  virtual void remote(std::string& ip, int& port) const {
    ip = "-";
    port = -1;
  }
  virtual void local(std::string& ip, int& port) const {
    ip.clear();
    port = -1;
  }
};

void socket_address(const sockaddr_storage& a, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(a);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    port = ntohs(v4.sin_port);
  } else if (a.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(a);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    port = ntohs(v6.sin6_port);
  }
  ip = text;
}

class SocketIo final : public Io {
 public:
  explicit SocketIo(int fd) : fd_(fd) {}
  bool wait_readable(Millis wait, const std::atomic<bool>& stop) override {
    // In slices, so that stop() does not wait for an idle keep-alive.
    const auto until = std::chrono::steady_clock::now() + wait;
    for (;;) {
      if (stop) return false;
      const auto left =
          std::chrono::duration_cast<Millis>(until - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{fd_, POLLIN, 0};
      const int r = ::poll(&p, 1, static_cast<int>(std::min<Millis::rep>(left.count(), 100)));
      if (r > 0) return true;
      if (r < 0 && errno != EINTR) return false;
    }
  }
  ssize_t recv(char* p, std::size_t n) override {
    for (;;) {
      const ssize_t r = ::recv(fd_, p, n, 0);
      if (r >= 0 || errno != EINTR) return r;
    }
  }
  bool wait_writable() override {
    pollfd p{fd_, POLLOUT, 0};
    int r = 0;
    do {
      r = ::poll(&p, 1, static_cast<int>(kWriteTimeout.count()));
    } while (r < 0 && errno == EINTR);
    return r > 0 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)) == 0;
  }
  ssize_t send(const char* p, std::size_t n) override {
    for (;;) {
      const ssize_t r = ::send(fd_, p, n, MSG_NOSIGNAL);
      if (r >= 0 || errno != EINTR) return r;
    }
  }
  int fd() const override { return fd_; }
  void remote(std::string& ip, int& port) const override {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    ip = "-";
    port = -1;
    if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) socket_address(a, ip, port);
  }
  void local(std::string& ip, int& port) const override {
    sockaddr_storage a{};
    socklen_t len = sizeof a;
    ip.clear();
    port = -1;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) socket_address(a, ip, port);
  }

 private:
  int fd_;
};

// respond(): the requests are all there; what is written is kept.
class MemoryIo final : public Io {
 public:
  MemoryIo(std::string_view in, std::string& out) : in_(in), out_(out) {}
  bool wait_readable(Millis, const std::atomic<bool>&) override { return true; }
  ssize_t recv(char* p, std::size_t n) override {
    n = std::min(n, in_.size());
    std::memcpy(p, in_.data(), n);
    in_.remove_prefix(n);
    return static_cast<ssize_t>(n);
  }
  bool wait_writable() override { return true; }
  ssize_t send(const char* p, std::size_t n) override {
    out_.append(p, n);
    return static_cast<ssize_t>(n);
  }

 private:
  std::string_view in_;
  std::string& out_;
};

// Set while a request is processed on this thread: the update stream's
// handler asks here for the connection to be handed over.
struct Handoff {
  bool requested = false;
  Subscription subscription;
};
thread_local Handoff* t_handoff = nullptr;

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

class HttpServer::Connection final : public httplib::Stream {
 public:
  enum class Head { Ready, Closed, TooLarge };

  Connection(Io& io, const std::atomic<bool>& stop) : io_(io), stop_(stop) {}

  // Reads until a whole request head (request line and headers) is
  // buffered: Ready; Closed at the end of the stream or after `wait`
  // without a byte; TooLarge when the head passes `max` bytes.
  Head read_head(std::size_t max, Millis wait) {
    if (pos_ > 0) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    for (;;) {
      // Blank lines between requests are tolerated (RFC 9112, 2.2).
      std::size_t skip = 0;
      while (skip < buf_.size() && (buf_[skip] == '\r' || buf_[skip] == '\n'))
        ++skip;
      if (skip > 0) buf_.erase(0, skip);
      const std::size_t crlf = buf_.find("\r\n\r\n");
      const std::size_t lf = buf_.find("\n\n");
      const std::size_t end = std::min(crlf == std::string::npos ? crlf : crlf + 4,
                                       lf == std::string::npos ? lf : lf + 2);
      if (end != std::string::npos) return end > max ? Head::TooLarge : Head::Ready;
      if (buf_.size() > max) return Head::TooLarge;
      if (!io_.wait_readable(buf_.empty() ? wait : kReadTimeout, stop_)) return Head::Closed;
      char chunk[16384];
      const ssize_t n = io_.recv(chunk, sizeof chunk);
      if (n <= 0) return Head::Closed;
      buf_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  bool write_all(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = write(data.data(), data.size());
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  bool is_readable() const override {
    return pos_ < buf_.size() || io_.wait_readable(kReadTimeout, stop_);
  }
  bool is_writable() const override { return io_.wait_writable(); }
  ssize_t read(char* ptr, size_t size) override {
    if (pos_ < buf_.size()) {
      const std::size_t n = std::min(size, buf_.size() - pos_);
      std::memcpy(ptr, buf_.data() + pos_, n);
      pos_ += n;
      return static_cast<ssize_t>(n);
    }
    if (!io_.wait_readable(kReadTimeout, stop_)) return -1;
    return io_.recv(ptr, size);
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!io_.wait_writable()) return -1;
    return io_.send(ptr, size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override { io_.remote(ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { io_.local(ip, port); }
  socket_t socket() const override { return io_.fd(); }
  int fd() const { return io_.fd(); }

 private:
  Io& io_;
  const std::atomic<bool>& stop_;
  std::string buf_;
  std::size_t pos_ = 0;
};

class HttpServer::Core final : public httplib::Server {
 public:
  explicit Core(HttpServer& owner) : owner_(owner) {}
  bool process(httplib::Stream& stream, bool close_connection, bool& closed) {
    return process_request(stream, close_connection, closed, nullptr);
  }

 private:
  // Called by httplib's accept loop on a request thread for each connection.
  bool process_and_close_socket(socket_t sock) override {
    SocketIo io(sock);
    Connection c(io, owner_.stopping_);
    Subscription subscription;
    if (owner_.serve_connection(c, subscription)) {
      owner_.streams_.add(sock, std::move(subscription));
      return true;
    }
    ::shutdown(sock, SHUT_RDWR);
    ::close(sock);
    return true;
  }

  HttpServer& owner_;
};

HttpServer::HttpServer(LiveCorrelation& live, UpdatePump& pump, ServerOptions options)
    : live_(live),
      pump_(pump),
      options_(std::move(options)),
      streams_(pump),
      server_(std::make_unique<Core>(*this)) {
  for (auto& f : options_.followed)
    while (f.size() > 1 && f.back() == '/')
      f.pop_back();
  routes();
}

HttpServer::~HttpServer() {
  stop();
}

bool HttpServer::serve_connection(Connection& c, Subscription& subscription) {
  for (std::size_t count = kKeepAliveMax; count > 0 && !stopping_; --count) {
    const auto head =
        c.read_head(options_.max_header, count == kKeepAliveMax ? kReadTimeout : kKeepAliveTimeout);
    if (head == Connection::Head::Closed) return false;
    if (head == Connection::Head::TooLarge) {
      const std::string body =
          error_json("the request line and headers are over " +
                     std::to_string(options_.max_header) + " bytes (serve --max-header-kb)");
      c.write_all("HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: " +
                  std::string(kJson) + "\r\nContent-Length: " + std::to_string(body.size()) +
                  "\r\nConnection: close\r\n\r\n" + body);
      std::string remote;
      int remote_port = -1;
      c.get_remote_ip_and_port(remote, remote_port);
      log_access(remote, "-", "-", "-", 431, body.size());
      return false;
    }
    Handoff handoff;
    t_handoff = &handoff;
    bool closed = false;
    const bool ok = server_->process(c, count == 1, closed);
    t_handoff = nullptr;
    if (handoff.requested) {
      subscription = std::move(handoff.subscription);
      return c.fd() >= 0;
    }
    if (!ok || closed) return false;
  }
  return false;
}

std::string HttpServer::respond(std::string_view requests) {
  std::string out;
  MemoryIo io(requests, out);
  Connection c(io, stopping_);
  Subscription ignored;
  serve_connection(c, ignored);
  return out;
}

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

void HttpServer::routes() {
  httplib::Server& s = *server_;
  const std::size_t threads = options_.threads;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.set_payload_max_length(options_.max_body);
  s.set_tcp_nodelay(true);
  // SO_REUSEADDR only: httplib's default also sets SO_REUSEPORT, which would
  // let a second server bind the same port silently.
  s.set_socket_options([](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });

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

  s.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}", kJson);
  });
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics_json(live_.metrics(), streams_.size()), kJson);
  });
  s.Get("/api/sources", [this](const httplib::Request& req, httplib::Response& res) {
    if (req.has_param("source")) {
      auto p = live_.position(req.get_param_value("source"));
      std::string body;
      base::JsonWriter w(body);
      w.begin_object().field("source", req.get_param_value("source")).field("next", p.value_or(0));
      w.end_object();
      res.set_content(body, kJson);
      return;
    }
    res.set_content(metrics_json(live_.metrics(), streams_.size()), kJson);
  });

  s.Get("/api/search", [this](const httplib::Request& req, httplib::Response& res) {
    SearchQuery q;
    q.id = req.get_param_value("q");
    q.site = req.get_param_value("site");
    for (const char* name : {"from", "to"}) {
      if (!req.has_param(name)) continue;
      auto t = base::parse_iso_time(req.get_param_value(name));
      if (!t) {
        json_error(
            res, 400,
            std::string("'") + name + "' should be an ISO time such as 2012-10-29T14:41:00Z");
        return;
      }
      (std::string_view(name) == "from" ? q.from : q.to) = t;
    }
    std::uint64_t limit = 0;
    if (!u64_param(req, res, "limit", limit, 100)) return;
    q.limit = static_cast<std::size_t>(std::min<std::uint64_t>(limit, 10'000));
    std::string body = "{\"interactions\":[";
    bool first = true;
    for (const auto& hit : live_.search(q)) {
      if (!first) body += ',';
      first = false;
      std::string one;
      append_summary_json(one, hit.interaction);
      if (!hit.matched.empty()) {
        one.pop_back();
        one += ",\"matched\":";
        base::append_json_string(one, hit.matched);
        one += '}';
      }
      body += one;
    }
    body += "]}";
    res.set_content(body, kJson);
  });

  auto with_interaction = [this](const httplib::Request& req, httplib::Response& res,
                                 const std::function<void(const Built&)>& f) {
    const std::string id = req.matches[1];
    auto b = live_.build_interaction(id);
    if (!b) {
      json_error(res, 404, "no interaction carries '" + id + "'");
      return;
    }
    f(*b);
  };
  s.Get(R"(/api/interactions/([^/]+)/svg)",
        [with_interaction](const httplib::Request& req, httplib::Response& res) {
          with_interaction(req, res, [&](const Built& b) {
            res.set_content(interaction_svg(b), "image/svg+xml");
          });
        });
  s.Get(R"(/api/interactions/([^/]+)/ladder)", [with_interaction](const httplib::Request& req,
                                                                  httplib::Response& res) {
    with_interaction(req, res, [&](const Built& b) { res.set_content(ladder_json(b), kJson); });
  });
  s.Get(R"(/api/interactions/([^/]+))",
        [with_interaction](const httplib::Request& req, httplib::Response& res) {
          with_interaction(req, res, [&](const Built& b) {
            std::string body;
            correlate::append_interaction_json(
                body, b.correlation, b.correlation.interactions[b.interaction], {.timeline = true});
            res.set_content(body, kJson);
          });
        });

  s.Get("/api/raw", [this](const httplib::Request& req, httplib::Response& res) {
    std::string source;
    std::uint64_t offset = 0;
    std::uint64_t lines = 0;
    if (!source_param(req, res, source) || !u64_param(req, res, "offset", offset) ||
        !u64_param(req, res, "lines", lines, 40))
      return;
    std::string error;
    auto text = live_.raw_lines(
        source, offset, static_cast<std::size_t>(std::min<std::uint64_t>(lines, 1000)), error);
    if (!text) {
      json_error(res, 404, error);
      return;
    }
    std::string body;
    base::JsonWriter w(body);
    w.begin_object().field("source", source).field("offset", offset).field("text", *text);
    w.end_object();
    res.set_content(body, kJson);
  });

  // A followed file's source (or one a followed folder will name) takes its
  // text from disk only: what is pushed into it would move its position, and
  // the file's own bytes would then be dropped as duplicates.
  auto pushable = [this](const httplib::Request&, httplib::Response& res,
                         const std::string& source) {
    bool followed = live_.is_followed(source);
    for (const auto& f : options_.followed) {
      followed = followed || source == f ||
                 (source.size() > f.size() && source.compare(0, f.size(), f) == 0 &&
                  (source[f.size()] == '/' || source[f.size()] == '#' || f.back() == '/'));
    }
    if (!followed) return true;
    json_error(res, 409,
               "source '" + source +
                   "' is a followed file (or a name under a followed path): it is read from disk "
                   "and takes nothing pushed; push under another name");
    return false;
  };
  s.Post("/api/events", [this, pushable](const httplib::Request& req, httplib::Response& res) {
    std::string source;
    std::uint64_t first = 0;
    if (!source_param(req, res, source) || !u64_param(req, res, "first", first) ||
        !pushable(req, res, source))
      return;
    std::vector<model::Event> events;
    std::vector<std::string_view> lines;  // into the body
    std::string_view body = req.body;
    std::size_t line_no = 0;
    while (!body.empty()) {
      const auto nl = body.find('\n');
      std::string_view line = body.substr(0, nl);
      body = nl == std::string_view::npos ? std::string_view{} : body.substr(nl + 1);
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      model::Event& e = events.emplace_back();
      std::string err = read_event_json(line, e);
      if (!err.empty()) {
        json_error(res, 400,
                   "line " + std::to_string(line_no) + " of the body: " + err +
                       " (one events-json object a line, docs/events-json.md); nothing was taken");
        return;
      }
      lines.push_back(line);
    }
    const Accepted a = live_.add_events(source, first, events, lines);
    if (a.accepted > 0) pump_.notify();
    accepted_response(res, a);
  });
  s.Post("/api/logs", [this, pushable](const httplib::Request& req, httplib::Response& res) {
    std::string source;
    std::uint64_t offset = 0;
    if (!source_param(req, res, source) || !u64_param(req, res, "offset", offset) ||
        !pushable(req, res, source))
      return;
    Accepted a = live_.add_text(source, offset, req.body);
    if (a.status == Accepted::Ok && req.get_param_value("end") == "1" &&
        a.next == offset + req.body.size()) {
      // The collector says the file is complete (a closed segment): its
      // last message is read without waiting for the next one.
      a.events += live_.end_text(source);
      if (auto failed = live_.store_error()) {
        a.status = Accepted::Unavailable;
        a.error = *failed;
      }
    }
    if (a.accepted > 0 || req.get_param_value("end") == "1") pump_.notify();
    accepted_response(res, a);
  });

  s.Get("/api/updates", [this](const httplib::Request& req, httplib::Response& res) {
    std::uint64_t after = pump_.last_seq();
    std::string last = req.get_header_value("Last-Event-ID");
    if (req.has_param("since")) last = req.get_param_value("since");
    if (!last.empty()) {
      auto v = parse_u64(last);
      if (!v) {
        json_error(res, 400, "'since' / Last-Event-ID should be an update number");
        return;
      }
      after = *v;
    }
    std::optional<std::uint64_t> close_after;
    if (req.has_param("close_after")) {
      close_after = parse_u64(req.get_param_value("close_after"));
      if (!close_after) {
        json_error(res, 400, "'close_after' should be a number of seconds");
        return;
      }
    }
    Subscription sub;
    sub.after = after;
    sub.follow = req.get_param_value("id");
    if (close_after)
      sub.until = std::chrono::steady_clock::now() + std::chrono::seconds(*close_after);
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Accel-Buffering", "no");
    // The head goes out with chunked encoding; then the connection is handed
    // to UpdateStreams, which writes the events, and this thread is free.
    res.set_chunked_content_provider("text/event-stream", [sub](std::size_t, httplib::DataSink&) {
      if (t_handoff != nullptr) {
        t_handoff->requested = true;
        t_handoff->subscription = sub;
      }
      return false;
    });
  });

  s.Get(R"(/|/index\.html|/app\.js|/style\.css)",
        [](const httplib::Request& req, httplib::Response& res) {
          if (req.path == "/" || req.path == "/index.html") {
            res.set_content(page_html(), "text/html; charset=utf-8");
            return;
          }
          const WebAsset* a = find_web_asset(req.path);
          if (a == nullptr) {
            json_error(res, 404, "no such page: " + req.path);
            return;
          }
          res.set_content(std::string(a->body),
                          (std::string(a->content_type) + "; charset=utf-8").c_str());
        });
}

int HttpServer::bind() {
  int bound = -1;
  if (options_.port == 0) {
    bound = server_->bind_to_any_port(options_.host);
  } else {
    bound = server_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  port_ = bound;
  return bound;
}

void HttpServer::run() {
  server_->listen_after_bind();
}

int HttpServer::start() {
  const int bound = bind();
  if (bound < 0) return -1;
  thread_ = std::thread([this] { run(); });
  return bound;
}

void HttpServer::stop() {
  stopping_ = true;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  streams_.stop();
}

}  // namespace calltrail::serve
