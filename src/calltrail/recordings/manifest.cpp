#include "calltrail/recordings/manifest.hpp"

#include <csv.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>

#include "calltrail/base/ascii.hpp"

namespace calltrail::recordings {

namespace {

using Json = nlohmann::json;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0)
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0)
    s.remove_suffix(1);
  return s;
}

// A string field of `j`, or a number written as text; "" when absent.
std::optional<std::string> text_of(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::string();
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer() || it->is_number_unsigned()) return it->dump();
  return std::nullopt;
}

// The fields a record may carry, by their names in JSON lines and CSV.
constexpr const char* kFields[] = {"recording_id", "call_uuid", "conn_id", "site",
                                   "start",        "end",       "media"};

std::string* field_of(Recording& r, std::size_t k) {
  std::string* fields[] = {&r.recording_id, &r.call_uuid, &r.conn_id, &r.site,
                           &r.start,        &r.end,       &r.media};
  return fields[k];
}

// What a record lacks, or "".
std::string missing(const Recording& r) {
  if (r.recording_id.empty() && r.call_uuid.empty()) return "recording_id and call_uuid";
  if (r.recording_id.empty()) return "recording_id";
  if (r.call_uuid.empty()) return "call_uuid";
  return {};
}

void take(Manifest& m, Recording r) {
  if (const std::string what = missing(r); !what.empty()) {
    m.problems.push_back({r.line, fmt::format("expected a record with {}; it is left out", what)});
    return;
  }
  m.recordings.push_back(std::move(r));
}

void read_json_lines(std::string_view text, Manifest& m) {
  std::uint64_t line = 0;
  while (!text.empty()) {
    ++line;
    const std::size_t nl = text.find('\n');
    const std::string_view l = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (l.empty()) continue;
    const Json j = Json::parse(l, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
      m.problems.push_back({line, "expected one JSON object a line; the line is left out"});
      continue;
    }
    Recording r;
    r.line = line;
    bool ok = true;
    for (std::size_t k = 0; k < std::size(kFields); ++k) {
      auto v = text_of(j, kFields[k]);
      if (!v) {
        m.problems.push_back(
            {line,
             fmt::format("expected \"{}\" to be a string; the line is left out", kFields[k])});
        ok = false;
        break;
      }
      *field_of(r, k) = std::move(*v);
    }
    if (ok) take(m, std::move(r));
  }
}

// Genesys Interaction Recording's metadata: {"id": ..., "mediaFiles": [{
// "callUUID": ..., "parameters": {"connId": ...}, "startTime", "stopTime",
// "mediaUri"}]}, one recording per media file (several files of one
// recording share its id), or an array of such documents.
bool read_gir(const Json& doc, Manifest& m) {
  auto one = [&](const Json& r) {
    if (!r.is_object() || !r.contains("mediaFiles") || !r["mediaFiles"].is_array()) return false;
    const std::string id = text_of(r, "id").value_or("");
    for (const Json& f : r["mediaFiles"]) {
      if (!f.is_object()) continue;
      Recording rec;
      rec.line = 1;
      rec.recording_id = id;
      rec.call_uuid = text_of(f, "callUUID").value_or("");
      if (auto p = f.find("parameters"); p != f.end() && p->is_object())
        rec.conn_id = text_of(*p, "connId").value_or("");
      rec.start = text_of(f, "startTime").value_or("");
      rec.end = text_of(f, "stopTime").value_or("");
      rec.media = text_of(f, "mediaUri").value_or(text_of(f, "mediaId").value_or(""));
      take(m, std::move(rec));
    }
    return true;
  };
  if (doc.is_array()) {
    bool any = false;
    for (const Json& r : doc)
      any = one(r) || any;
    return any;
  }
  return one(doc);
}

// CSV (RFC 4180, as libcsv reads it), fed a line at a time so that each
// record knows the line it began on.
struct CsvState {
  Manifest* m = nullptr;
  std::uint64_t line = 0;
  std::uint64_t record_line = 0;
  std::vector<std::string> fields;
  std::vector<int> column;  // manifest field of each column, or -1
  bool header = true;
};

void csv_field(void* s, std::size_t n, void* data) {
  auto& st = *static_cast<CsvState*>(data);
  if (st.fields.empty()) st.record_line = st.line;
  st.fields.emplace_back(static_cast<const char*>(s), n);
}

void csv_record(int, void* data) {
  auto& st = *static_cast<CsvState*>(data);
  std::vector<std::string> fields = std::move(st.fields);
  st.fields.clear();
  if (fields.size() == 1 && trim(fields[0]).empty()) return;  // a blank line
  if (st.header) {
    st.header = false;
    for (const auto& f : fields) {
      const std::string name = base::ascii_lower(trim(f));
      auto it = std::find(std::begin(kFields), std::end(kFields), name);
      st.column.push_back(it == std::end(kFields) ? -1
                                                  : static_cast<int>(it - std::begin(kFields)));
    }
    for (int need : {0, 1})
      if (std::find(st.column.begin(), st.column.end(), need) == st.column.end())
        st.m->error = fmt::format(
            "expected a header row naming the columns, with recording_id and call_uuid; "
            "found no {} column",
            kFields[need]);
    return;
  }
  if (!st.m->error.empty()) return;
  Recording r;
  r.line = st.record_line;
  for (std::size_t i = 0; i < fields.size() && i < st.column.size(); ++i)
    if (st.column[i] >= 0) *field_of(r, static_cast<std::size_t>(st.column[i])) = trim(fields[i]);
  if (fields.size() != st.column.size())
    st.m->problems.push_back({r.line, fmt::format("expected {} fields as in the header; found {}",
                                                  st.column.size(), fields.size())});
  take(*st.m, std::move(r));
}

void read_csv(std::string_view text, Manifest& m) {
  csv_parser p;
  if (csv_init(&p, CSV_APPEND_NULL) != 0) {
    m.error = "cannot read CSV (out of memory)";
    return;
  }
  CsvState st;
  st.m = &m;
  while (!text.empty() && m.error.empty()) {
    ++st.line;
    const std::size_t nl = text.find('\n');
    const std::size_t n = nl == std::string_view::npos ? text.size() : nl + 1;
    if (csv_parse(&p, text.data(), n, csv_field, csv_record, &st) != n) {
      m.problems.push_back({st.line, fmt::format("expected CSV: {}; the rest is left out",
                                                 csv_strerror(csv_error(&p)))});
      break;
    }
    text.remove_prefix(n);
  }
  csv_fini(&p, csv_field, csv_record, &st);
  csv_free(&p);
}

}  // namespace

const char* to_string(ManifestForm f) {
  switch (f) {
    case ManifestForm::JsonLines:
      return "JSON lines";
    case ManifestForm::Csv:
      return "CSV";
    case ManifestForm::Gir:
      return "recording metadata";
  }
  return "";
}

Manifest read_manifest(std::string_view text) {
  Manifest m;
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a BOM
  const std::string_view start = trim(text);
  if (!start.empty() && (start.front() == '{' || start.front() == '[')) {
    const Json doc = Json::parse(start, nullptr, false);
    if (!doc.is_discarded() && (doc.is_array() || doc.contains("mediaFiles"))) {
      m.form = ManifestForm::Gir;
      if (!read_gir(doc, m))
        m.error = "expected recording metadata: an object with \"id\" and \"mediaFiles\"";
      return m;
    }
    m.form = ManifestForm::JsonLines;
    read_json_lines(text, m);
    return m;
  }
  m.form = ManifestForm::Csv;
  read_csv(text, m);
  return m;
}

}  // namespace calltrail::recordings
