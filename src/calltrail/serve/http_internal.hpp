// What the files of HttpServer share: http_server.cpp (connections, the
// server's setup, bind and run), http_guard.cpp (what every request passes
// before its route: Host, Origin and the token; the access log; errors as
// JSON), http_api.cpp (the API's routes and the page), http_recordings.cpp
// (/api/recordings) and http_metrics.cpp (/metrics as JSON or Prometheus
// text). Internal to the module: the interface is http_server.hpp.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "calltrail/base/json_writer.hpp"
#include "calltrail/base/secrets.hpp"
#include "calltrail/serve/http_server.hpp"

namespace calltrail::serve::detail {

inline constexpr const char* kJson = "application/json";

inline std::string error_json(std::string_view message) {
  std::string body = "{\"error\":";
  // Store errors may quote a connection string: never its password.
  base::append_json_string(body, base::redact_secrets(message));
  body += '}';
  return body;
}

inline void json_error(httplib::Response& res, int status, std::string_view message) {
  res.status = status;
  res.set_content(error_json(message), kJson);
}

// Set while a request is processed on this thread: the update stream's
// handler asks here for the connection to be handed over.
struct Handoff {
  bool requested = false;
  Subscription subscription;
};
inline thread_local Handoff* t_handoff = nullptr;

// What the server counts of its own (http_metrics.cpp): responses by status,
// pushed batches refused by reason.
struct HttpCounters {
  std::map<int, std::uint64_t> responses;
  std::map<std::string, std::uint64_t> refused;
};

std::string metrics_json(const LiveMetrics& m, std::int64_t subscribers);
std::string metrics_prometheus(const LiveMetrics& m, std::int64_t subscribers,
                               const HttpCounters& http);
// Whether an Accept header asks for the Prometheus text format rather than JSON.
bool wants_prometheus(std::string_view accept);

}  // namespace calltrail::serve::detail
