// What the files of HttpServer share: http_server.cpp (connections, the
// server's setup, bind and run), http_guard.cpp (what every request passes
// before its route: Host, Origin and the token; the access log; errors as
// JSON) and http_api.cpp (the API's routes and the page). Internal to the
// module: the interface is http_server.hpp.
#pragma once

#include <httplib.h>

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

}  // namespace calltrail::serve::detail
