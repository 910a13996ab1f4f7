#include "calltrail/parse/recording.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "calltrail/parse/text.hpp"

namespace calltrail::parse {

namespace {

// What is kept of hostile input: a parameter's value is cut here.
constexpr std::size_t kMaxParam = 160;

// Appends ";key=value" with the value cut to kMaxParam, and any character
// that would end the token (space, tab, ';') or a line written as '_'.
void add_param(std::string& to, std::string_view key, std::string_view value) {
  if (value.empty()) return;
  to.append(";").append(key).append("=");
  for (char ch : value.substr(0, kMaxParam))
    to.push_back(ch == ' ' || ch == '\t' || ch == ';' || ch == '\r' || ch == '\n' ? '_' : ch);
}

// The value of XML attribute `name` in `tag` (the text after the element
// name), in single or double quotes; empty when absent.
std::string_view xml_attribute(std::string_view tag, std::string_view name) {
  for (std::size_t at = tag.find(name); at != std::string_view::npos; at = tag.find(name, at + 1)) {
    const bool starts = at == 0 || tag[at - 1] == ' ' || tag[at - 1] == '\t';
    std::size_t p = at + name.size();
    while (p < tag.size() && (tag[p] == ' ' || tag[p] == '\t'))
      ++p;
    if (!starts || p >= tag.size() || tag[p] != '=') continue;
    ++p;
    while (p < tag.size() && (tag[p] == ' ' || tag[p] == '\t'))
      ++p;
    if (p >= tag.size() || (tag[p] != '"' && tag[p] != '\'')) continue;
    const std::size_t end = tag.find(tag[p], p + 1);
    if (end == std::string_view::npos) return {};
    return tag.substr(p + 1, end - p - 1);
  }
  return {};
}

// The text after "<name" when the line opens element `name` (not a longer
// name such as <recordexit>), else nullopt.
std::optional<std::string_view> element(std::string_view line, std::string_view name) {
  const std::string open = "<" + std::string(name);
  for (std::size_t at = line.find(open); at != std::string_view::npos;
       at = line.find(open, at + 1)) {
    const std::size_t after = at + open.size();
    if (after < line.size() && line[after] != ' ' && line[after] != '\t' && line[after] != '/' &&
        line[after] != '>')
      continue;
    return line.substr(after);
  }
  return std::nullopt;
}

}  // namespace

std::string uri_recording_params(std::string_view uri) {
  const std::size_t semi = uri.find(';');
  if (semi == std::string_view::npos) return {};
  std::string_view params = uri.substr(semi + 1);
  params = params.substr(0, params.find('?'));  // headers of the URI
  bool record = false;
  std::string out;
  while (!params.empty()) {
    const std::size_t end = params.find(';');
    const std::string_view p = params.substr(0, end);
    params = end == std::string_view::npos ? std::string_view() : params.substr(end + 1);
    const std::size_t eq = p.find('=');
    const std::string_view key = p.substr(0, eq);
    if (key.empty() || key.size() > 32) continue;
    if (iequals(key, "record")) record = true;
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : p.substr(eq + 1);
    // A parameter without a value ("record", "record=") is kept by its name.
    if (value.empty())
      out.append(";").append(key);
    else
      add_param(out, key, value);
  }
  if (!record) return {};
  return out.substr(1);  // record was added, so out starts with ';'
}

void MsmlScanner::clear() {
  msml_ = false;
  token_.clear();
}

void MsmlScanner::line(std::string_view line) {
  if (!token_.empty()) return;  // the first recording element of a message counts
  if (!msml_) {
    if (line.find("<msml") == std::string_view::npos) return;
    msml_ = true;
  }
  if (auto tag = element(line, "record")) {
    token_ = "start/msml";
    add_param(token_, "dest", xml_attribute(*tag, "dest"));
    add_param(token_, "format", xml_attribute(*tag, "format"));
    add_param(token_, "id", xml_attribute(*tag, "id"));
  } else if (auto end = element(line, "dialogend")) {
    token_ = "end/msml";
    add_param(token_, "id", xml_attribute(*end, "id"));
  }
}

std::string tlib_recording(const model::Event& e) {
  if (e.kind != model::MessageKind::Request && !e.name.starts_with("Request")) return {};
  std::string_view msg_id;
  std::string_view record, id, dest;
  const auto fields = e.fields();
  for (std::uint32_t i = 0; i < fields.size(); i = std::max(fields[i].end, i + 1)) {
    const std::string_view key = e.key(fields[i]);
    if (key == "AttributePrivateMsgID") {
      msg_id = e.value(fields[i]);
    } else if (key == "AttributeExtensions" && fields[i].kind == model::ValueKind::List) {
      e.for_each_child(i, [&](std::uint32_t c) {
        const std::string_view k = e.key(fields[c]);
        if (k == "record") record = e.value(fields[c]);
        if (k == "id") id = e.value(fields[c]);
        if (k == "dest") dest = e.value(fields[c]);
      });
    }
  }
  std::string token;
  if (e.name == "RequestPrivateService" && msg_id.starts_with("GSIP_RECORD_")) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kIds = {{
        {"GSIP_RECORD_START", "start"},
        {"GSIP_RECORD_STOP", "stop"},
        {"GSIP_RECORD_PAUSE", "pause"},
        {"GSIP_RECORD_RESUME", "resume"},
    }};
    for (const auto& [name, kind] : kIds)
      if (msg_id == name) token = std::string(kind) + "/private";
  } else if (!record.empty()) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kValues = {{
        {"source", "start"},
        {"destination", "start"},
        {"mixed", "start"},
        {"on", "start"},
        {"true", "start"},
        {"disable_source", "stop"},
        {"disable_destination", "stop"},
        {"off", "stop"},
        {"false", "stop"},
    }};
    for (const auto& [value, kind] : kValues)
      if (iequals(record, value)) token = std::string(kind) + "/extensions";
  }
  if (token.empty()) return {};
  add_param(token, "record", record);
  add_param(token, "id", id);
  add_param(token, "dest", dest);
  return token;
}

}  // namespace calltrail::parse
