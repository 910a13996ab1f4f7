// GET /metrics: JSON for the page and people, the Prometheus text format
// (version 0.0.4) for a scraper, chosen by the Accept header.
#include <chrono>

#include "calltrail/base/json_writer.hpp"
#include "calltrail/base/time.hpp"
#include "calltrail/serve/http_internal.hpp"

namespace calltrail::serve::detail {

namespace {

std::int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The lag of a source: wall-clock seconds since its newest event's time.
std::optional<std::int64_t> lag_seconds(const SourceStatus& s, std::int64_t now) {
  if (!s.last_event_utc) return std::nullopt;
  return (now - *s.last_event_utc) / 1'000'000;
}

// A label value in the text format: backslash, double quote and line feed
// escaped.
std::string label(std::string_view v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

class PrometheusText {
 public:
  explicit PrometheusText(std::string& out) : out_(out) {}
  // A metric's HELP and TYPE lines.
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(std::string_view name, std::string_view labels, std::string_view value) {
    out_ += name;
    if (!labels.empty()) {
      out_ += '{';
      out_ += labels;
      out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }
  template <typename T>
  void one(std::string_view name, std::string_view type, std::string_view help, T value) {
    family(name, type, help);
    sample(name, {}, std::to_string(value));
  }

 private:
  std::string& out_;
};

}  // namespace

std::string metrics_json(const LiveMetrics& m, std::int64_t subscribers) {
  std::string out;
  base::JsonWriter w(out);
  const auto now = now_micros();
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
  w.field("clock_estimates", m.clock_estimates);
  w.field("legs_held", m.legs_held);
  w.field("events_held", m.events_held);
  w.field("identifiers_held", m.identifiers_held);
  w.field("evicted_interactions", m.evicted_interactions);
  w.field("evicted_legs", m.evicted_legs);
  w.field("recordings", m.recordings);
  w.field("recordings_refused", m.recordings_refused);
  w.field("recordings_invalid", m.recordings_invalid);
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
      w.key("lag_seconds").value(*lag_seconds(s, now));
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

std::string metrics_prometheus(const LiveMetrics& m, std::int64_t subscribers,
                               const HttpCounters& http) {
  std::string out;
  PrometheusText p(out);
  p.one("calltrail_events_total", "counter", "Events read from every source.", m.events);
  p.one("calltrail_events_per_second", "gauge", "Events read per second over the last 10 s.",
        m.events_per_second);
  p.one("calltrail_batches_total", "counter", "Batches of text or events taken.", m.batches);
  p.one("calltrail_duplicate_batches_total", "counter",
        "Batches sent again that held nothing new (dropped as duplicates).", m.duplicate_batches);
  p.one("calltrail_interactions", "gauge", "Interactions held in memory.", m.interactions);
  p.one("calltrail_incomplete_interactions", "gauge",
        "Interactions in memory that miss a leg or a link.", m.incomplete_interactions);
  p.one("calltrail_open_interactions", "gauge", "Interactions whose calls have not all ended.",
        m.open_interactions);
  p.one("calltrail_updates_total", "counter", "Interaction updates published.", m.updates);
  p.one("calltrail_recomputes_total", "counter", "Rebuilds of the changed interactions.",
        m.recomputes);
  p.one("calltrail_update_subscribers", "gauge", "Open streams of updates (/api/updates).",
        subscribers);
  p.one("calltrail_largest_component_identifiers", "gauge",
        "Identifiers in the largest connected group.", m.largest_component);
  p.one("calltrail_rebuilt_legs_total", "counter", "Legs rebuilt by recomputes.", m.rebuilt_legs);
  p.one("calltrail_clock_estimates_total", "counter", "Estimates of the site clock offsets.",
        m.clock_estimates);
  p.one("calltrail_legs_held", "gauge", "Legs held in memory.", m.legs_held);
  p.one("calltrail_events_held", "gauge", "Events held in memory.", m.events_held);
  p.one("calltrail_identifiers_held", "gauge", "Identifiers held in memory.", m.identifiers_held);
  p.one("calltrail_evicted_interactions_total", "counter",
        "Complete interactions that left memory (retention).", m.evicted_interactions);
  p.one("calltrail_evicted_legs_total", "counter", "Legs that left memory (retention).",
        m.evicted_legs);
  p.one("calltrail_recordings", "gauge", "Recordings held (POST /api/recordings).", m.recordings);
  p.family("calltrail_recordings_left_out_total", "counter",
           "Records of POST /api/recordings left out, by reason: past --max-recordings "
           "(limit), or not readable (invalid).");
  p.sample("calltrail_recordings_left_out_total", "reason=\"limit\"",
           std::to_string(m.recordings_refused));
  p.sample("calltrail_recordings_left_out_total", "reason=\"invalid\"",
           std::to_string(m.recordings_invalid));
  p.one("calltrail_sources", "gauge", "Sources known: followed files and pushed sources.",
        m.sources.size());

  const auto now = now_micros();
  auto per_source = [&](std::string_view name, std::string_view type, std::string_view help,
                        auto value_of) {
    p.family(name, type, help);
    for (const auto& s : m.sources) {
      const std::optional<std::int64_t> v = value_of(s);
      if (v) p.sample(name, "source=\"" + label(s.name) + "\"", std::to_string(*v));
    }
  };
  using V = std::optional<std::int64_t>;
  auto n = [](std::uint64_t x) { return V(static_cast<std::int64_t>(x)); };
  per_source("calltrail_source_position", "gauge",
             "Where a source stands: the next byte of text, or the next event number.",
             [&](const SourceStatus& s) { return n(s.next); });
  per_source("calltrail_source_events_total", "counter", "Events read from a source.",
             [&](const SourceStatus& s) { return n(s.events); });
  per_source("calltrail_source_gaps_total", "counter", "Sequence-number gaps in a source.",
             [&](const SourceStatus& s) { return n(s.gaps); });
  per_source("calltrail_source_missing_events_total", "counter",
             "Events missing in the gaps of a source (lost before they reached calltrail).",
             [&](const SourceStatus& s) { return n(s.missing); });
  per_source("calltrail_source_malformed_total", "counter",
             "Malformed records of a source (skipped).",
             [&](const SourceStatus& s) { return n(s.malformed); });
  per_source("calltrail_source_lag_seconds", "gauge",
             "Wall-clock seconds since the time of a source's newest event.",
             [&](const SourceStatus& s) { return lag_seconds(s, now); });
  per_source("calltrail_source_seconds_since_batch", "gauge",
             "Seconds since a source last sent or gave anything.",
             [&](const SourceStatus& s) { return s.seconds_since_batch; });

  p.family("calltrail_http_responses_total", "counter", "HTTP responses by status code.");
  for (const auto& [code, count] : http.responses)
    p.sample("calltrail_http_responses_total", "code=\"" + std::to_string(code) + "\"",
             std::to_string(count));
  p.family("calltrail_refused_batches_total", "counter",
           "Batches of pushed text or events refused, by reason (nothing of them was taken).");
  for (const auto& [reason, count] : http.refused)
    p.sample("calltrail_refused_batches_total", "reason=\"" + label(reason) + "\"",
             std::to_string(count));
  return out;
}

bool wants_prometheus(std::string_view accept) {
  return accept.find("application/json") == std::string_view::npos &&
         (accept.find("text/plain") != std::string_view::npos ||
          accept.find("application/openmetrics-text") != std::string_view::npos);
}

}  // namespace calltrail::serve::detail
