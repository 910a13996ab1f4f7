// `calltrail serve`: the HTTP API (docs/http-api.md) over a LiveCorrelation,
// with cpp-httplib: search, interactions as JSON / SVG / ladder, raw lines,
// POST of events and log text, Server-Sent Events, health and metrics.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "calltrail/serve/live_state.hpp"
#include "calltrail/serve/update_pump.hpp"

namespace httplib {
class Server;
}

namespace calltrail::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;    // 0: any free port
  std::string token;  // when set, every endpoint but /health needs it
  std::size_t max_body = 64u << 20;
  std::size_t threads = 32;  // request threads (each SSE subscriber holds one)
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
  std::int64_t subscribers() const { return subscribers_.load(); }

 private:
  void routes();

  LiveCorrelation& live_;
  UpdatePump& pump_;
  ServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::int64_t> subscribers_{0};  // open update streams
  int port_ = -1;
  std::thread thread_;
};

}  // namespace calltrail::serve
