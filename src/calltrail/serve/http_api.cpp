#include <charconv>
#include <chrono>
#include <functional>

#include "calltrail/base/json_writer.hpp"
#include "calltrail/base/time.hpp"
#include "calltrail/correlate/json.hpp"
#include "calltrail/serve/event_reader.hpp"
#include "calltrail/serve/http_internal.hpp"
#include "calltrail/serve/http_server.hpp"
#include "calltrail/serve/views.hpp"
#include "calltrail/serve/web_assets.hpp"

namespace calltrail::serve {

using detail::json_error;
using detail::kJson;
using detail::metrics_json;
using detail::t_handoff;

namespace {

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

// The HTTP status of a batch nothing was taken from; 0 for Ok and Gap,
// which answer with the position.
int refusal_status(Accepted::Status s) {
  switch (s) {
    case Accepted::Invalid:
      return 409;
    case Accepted::Unavailable:
      return 503;
    case Accepted::TooManySources:
      return 429;
    case Accepted::SourceFull:
      return 413;
    case Accepted::Ok:
    case Accepted::Gap:
      break;
  }
  return 0;
}

// The reason a batch was refused, for /metrics; nullptr when it was not.
const char* refusal_reason(Accepted::Status s) {
  switch (s) {
    case Accepted::Gap:
      return "gap";
    case Accepted::Invalid:
      return "invalid";
    case Accepted::Unavailable:
      return "unavailable";
    case Accepted::TooManySources:
      return "too_many_sources";
    case Accepted::SourceFull:
      return "source_full";
    case Accepted::Ok:
      break;
  }
  return nullptr;
}

void accepted_response(httplib::Response& res, const Accepted& a) {
  if (const int status = refusal_status(a.status); status != 0) {
    json_error(res, status, a.error);
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
  inline_asset("<script src=\"ladder.js\"></script>", "/ladder.js", "<script>\n", "</script>");
  inline_asset("<script src=\"app.js\"></script>", "/app.js", "<script>\n", "</script>");
  return html;
}

}  // namespace

void HttpServer::api(httplib::Server& s) {
  s.Get("/health", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("{\"status\":\"ok\"}", kJson);
  });
  s.Get("/metrics", [this](const httplib::Request& req, httplib::Response& res) {
    if (!detail::wants_prometheus(req.get_header_value("Accept"))) {
      res.set_content(metrics_json(live_.metrics(), streams_.size()), kJson);
      return;
    }
    detail::HttpCounters counters;
    {
      std::lock_guard lock(counters_mutex_);
      counters = *counters_;
    }
    res.set_content(detail::metrics_prometheus(live_.metrics(), streams_.size(), counters),
                    "text/plain; version=0.0.4; charset=utf-8");
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
    std::size_t total = 0;
    const auto hits = live_.search(q, &total);
    // "total": how many matched; the list stops at the limit.
    std::string body = "{\"total\":" + std::to_string(total) + ",\"interactions\":[";
    bool first = true;
    for (const auto& hit : hits) {
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
    count_refused("followed");
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
        count_refused("malformed");
        json_error(res, 400,
                   "line " + std::to_string(line_no) + " of the body: " + err +
                       " (one events-json object a line, docs/events-json.md); nothing was taken");
        return;
      }
      lines.push_back(line);
    }
    const Accepted a = live_.add_events(source, first, events, lines);
    if (a.accepted > 0) pump_.notify();
    if (const char* reason = refusal_reason(a.status)) count_refused(reason);
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
    if (const char* reason = refusal_reason(a.status)) count_refused(reason);
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

  s.Get(R"(/|/index\.html|/app\.js|/ladder\.js|/style\.css)",
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

}  // namespace calltrail::serve
