// /api/recordings (docs/http-api.md): a recorder's records POSTed as a
// manifest (read by recordings::read_manifest, as `calltrail recordings`
// reads a file), and each recording's placement on the live correlation.
#include "calltrail/base/json_writer.hpp"
#include "calltrail/recordings/manifest.hpp"
#include "calltrail/serve/http_internal.hpp"
#include "calltrail/serve/http_server.hpp"

namespace calltrail::serve {

using detail::json_error;
using detail::kJson;

void HttpServer::recordings_api(httplib::Server& s) {
  s.Post("/api/recordings", [this](const httplib::Request& req, httplib::Response& res) {
    const recordings::Manifest m = recordings::read_manifest(req.body);
    if (!m.error.empty()) {
      json_error(res, 400, m.error + " (docs/recordings.md); nothing was taken");
      return;
    }
    const RecordingsTaken t = live_.add_recordings(m);
    if (!t.stored) {
      json_error(res, 503, t.error);
      return;
    }
    if (t.accepted > 0) pump_.notify();
    std::string body;
    base::JsonWriter w(body);
    w.begin_object();
    w.field("form", recordings::to_string(m.form));
    w.field("accepted", t.accepted);
    w.field("replaced", t.replaced);
    w.field("left_out", std::uint64_t{t.problems.size()});
    w.field("held", t.held);
    w.key("problems").begin_array();
    for (const auto& p : t.problems) {
      w.begin_object();
      w.field("line", p.line);
      w.field("error", p.message);
      w.end_object();
    }
    w.end_array();
    w.end_object();
    res.set_content(body, kJson);
  });
  s.Get("/api/recordings", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.get_param_value("interaction");
    if (id.empty()) {
      json_error(res, 400,
                 "expected ?interaction=ID (an interaction id or any identifier of one), or "
                 "/api/recordings/RECORDING_ID");
      return;
    }
    auto body = live_.interaction_recordings_json(id);
    if (!body) {
      json_error(res, 404, "no interaction carries '" + id + "'");
      return;
    }
    res.set_content(*body, kJson);
  });
  s.Get(R"(/api/recordings/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.matches[1];
    auto body = live_.recording_json(id);
    if (!body) {
      json_error(res, 404, "no recording '" + id + "' was given (POST /api/recordings)");
      return;
    }
    res.set_content(*body, kJson);
  });
}

}  // namespace calltrail::serve
