#include "calltrail/serve/http_server.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "calltrail/serve/http_internal.hpp"

namespace calltrail::serve {

using detail::error_json;
using detail::Handoff;
using detail::kJson;
using detail::t_handoff;

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
      server_(std::make_unique<Core>(*this)),
      counters_(std::make_unique<detail::HttpCounters>()) {
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
      count_response(431);
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

  guard(s);
  api(s);
  recordings_api(s);
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
