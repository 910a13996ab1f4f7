// The web page's files (web/), embedded at build time by
// cmake/embed_web.cmake into a generated source.
#pragma once

#include <string_view>

namespace calltrail::serve {

struct WebAsset {
  std::string_view path;  // "/index.html", "/app.js", ...
  std::string_view content_type;
  std::string_view body;
};

// The asset served at `path` ("/" is "/index.html"), or null.
const WebAsset* find_web_asset(std::string_view path);

}  // namespace calltrail::serve
