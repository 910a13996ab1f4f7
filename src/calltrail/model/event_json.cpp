#include "calltrail/model/event_json.hpp"

#include <algorithm>
#include <vector>

#include "calltrail/base/json_writer.hpp"
#include "calltrail/base/time.hpp"

namespace calltrail::model {

namespace {

// A value; a KV list as an array of [key, value] pairs. Written by a loop
// over the flat field table with a stack of the open lists' ends, not by
// recursion, so that no input decides how deep the call stack goes.
void write_scalar(base::JsonWriter& w, const Event& e, const Field& f) {
  if (f.kind == ValueKind::Integer) {
    w.value(f.number);
  } else {
    w.value(e.value(f));
  }
}

void write_value(base::JsonWriter& w, const Event& e, std::uint32_t i) {
  const auto fields = e.fields();
  const Field& f = fields[i];
  if (f.kind != ValueKind::List) {
    write_scalar(w, e, f);
    return;
  }
  w.begin_array();
  std::vector<std::uint32_t> ends{f.end};
  for (std::uint32_t c = i + 1; c < f.end;) {
    while (c >= ends.back()) {
      w.end_array().end_array();  // the nested list and the pair holding it
      ends.pop_back();
    }
    const Field& p = fields[c];
    w.begin_array();
    w.value(e.key(p));
    if (p.kind == ValueKind::List) {
      w.begin_array();
      ends.push_back(std::min(p.end, ends.back()));
      ++c;
      continue;
    }
    write_scalar(w, e, p);
    w.end_array();
    c = std::max(p.end, c + 1);
  }
  for (; ends.size() > 1; ends.pop_back())
    w.end_array().end_array();
  w.end_array();
}

}  // namespace

void append_field_value_json(std::string& out, const Event& event, std::uint32_t index) {
  base::JsonWriter w(out);
  write_value(w, event, index);
}

void append_event_json(std::string& out, const Event& e, std::string_view file_path) {
  base::JsonWriter w(out);
  w.begin_object();
  w.field("name", e.name);
  w.field("kind", e.kind == MessageKind::Request ? "request"
                  : e.kind == MessageKind::Sip   ? "sip"
                                                 : "event");
  if (!e.emitter.empty()) w.field("emitter", e.emitter);
  if (!e.app.empty()) w.field("app", e.app);
  if (!e.peer.empty()) w.field("peer", e.peer);
  if (!e.thread.empty()) w.field("thread", e.thread);
  if (!e.version.empty()) w.field("version", e.version);
  if (auto utc = e.times.utc()) {
    w.key("utc").utc(*utc, 6);
    w.field("utc_source", e.times.utc_stamp ? "stamp" : "local");
  } else {
    w.key("utc").null();
  }
  if (e.times.local_digits > 0) {
    w.field("local",
            base::format_local(e.times.local, e.times.local_date_known, e.times.local_digits));
  }
  if (e.times.utc_offset) w.field("utc_offset", base::format_offset(*e.times.utc_offset));
  if (auto seq = e.sequence_number()) w.field("seq", *seq);
  w.field("file", file_path);
  w.field("line", e.where.line);
  w.field("offset", e.where.offset);
  w.key("attributes").begin_object();
  const auto fields = e.fields();
  for (std::uint32_t i = 0; i < fields.size(); i = fields[i].end) {
    w.key(e.key(fields[i]));
    write_value(w, e, i);
  }
  w.end_object();
  w.end_object();
}

}  // namespace calltrail::model
