// `calltrail serve`: the HTTP API (docs/http-api.md) over a LiveCorrelation,
// with cpp-httplib: search, interactions as JSON / SVG / ladder, raw lines,
// POST of events and log text, recordings placed on their interactions,
// Server-Sent Events, health and metrics.
//
// Connections are read by this class (cpp-httplib parses and routes each
// request): a request head over `max_header` is answered 431 before it is
// parsed, and an update stream's socket is handed to UpdateStreams once its
// response head is sent, so open streams hold no request thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "calltrail/serve/live_state.hpp"
#include "calltrail/serve/update_pump.hpp"
#include "calltrail/serve/update_streams.hpp"

namespace httplib {
class Server;
}

namespace calltrail::serve {

namespace detail {
struct HttpCounters;
}

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;    // 0: any free port
  std::string token;  // when set, every endpoint but /health needs it
  // Without a token, requests must name this server in `Host` (the
  // listening address, localhost, 127.0.0.1, [::1] or one of these names),
  // and state-changing requests from a browser must come from such an
  // origin: a page of another site cannot post into it (CSRF), nor reach
  // it through a name of its own (DNS rebinding).
  std::vector<std::string> allow_hosts;
  // Followed paths (files or folders): no pushed source may take their
  // names or those of the files under them.
  std::vector<std::string> followed;
  std::size_t max_body = 64u << 20;
  std::size_t max_header = 8u << 10;  // request line and headers: 431 past it
  std::size_t threads = 32;           // request threads (update streams hold none)
  // One line per request (no secrets in it), when set. Called from request
  // threads, one call at a time.
  std::function<void(std::string_view line)> access_log;
};

class HttpServer {
 public:
  HttpServer(LiveCorrelation& live, UpdatePump& pump, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the address; the port bound (useful with port 0), or -1.
  int bind();
  // Serves until stop() (blocks).
  void run();
  // bind() + run() on a thread; the port or -1.
  int start();
  void stop();
  int port() const { return port_; }
  std::int64_t subscribers() const { return streams_.size(); }

  // The bytes of one connection (requests, pipelined or not) answered as a
  // socket would be, without one: what the server writes back. An update
  // stream request gets its response head only.
  std::string respond(std::string_view requests);

  class Core;
  class Connection;

 private:
  void routes();
  // The access log, what every request passes before its route (Host,
  // Origin, the token) and errors as JSON (http_guard.cpp).
  void guard(httplib::Server& s);
  // The API's routes and the page (http_api.cpp).
  void api(httplib::Server& s);
  // POST and GET /api/recordings (http_recordings.cpp).
  void recordings_api(httplib::Server& s);
  // Serves the requests of one connection; true when it became an update
  // stream (`subscription` set; the socket goes to UpdateStreams).
  bool serve_connection(Connection& c, Subscription& subscription);
  bool host_allowed(std::string_view host, std::string_view local_addr, bool need_port) const;
  // Counts a response by status, before it is written: a client that has
  // its answer finds it in /metrics.
  void count_response(int status);
  // Writes the access log's line (after the response is written).
  void log_access(const std::string& remote, std::string_view method, std::string_view target,
                  std::string_view version, int status, std::size_t bytes);
  // Counts a pushed batch refused, by reason (for /metrics).
  void count_refused(std::string_view reason);

  LiveCorrelation& live_;
  UpdatePump& pump_;
  ServerOptions options_;
  UpdateStreams streams_;
  std::unique_ptr<Core> server_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> port_{-1};
  std::mutex log_mutex_;
  std::mutex counters_mutex_;
  std::unique_ptr<detail::HttpCounters> counters_;
  std::thread thread_;
};

}  // namespace calltrail::serve
