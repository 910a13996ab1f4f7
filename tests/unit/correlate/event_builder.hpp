// Hand-built T-Library events for correlation tests.
#pragma once

#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calltrail/correlate/correlation.hpp"
#include "calltrail/correlate/file_collector.hpp"
#include "calltrail/model/event.hpp"
#include "calltrail/parse/sip_message.hpp"

namespace calltrail::correlate::testing {

struct IsLinkSpec {
  std::string id;
  std::string location;
  std::string role;
};

class EventBuilder {
 public:
  EventBuilder(std::string_view name, model::Micros utc, std::uint64_t line) {
    e_.name = std::string(name);
    e_.times.utc_stamp = utc;
    e_.times.local = utc;
    e_.times.local_date_known = true;
    e_.times.local_digits = 4;
    e_.where.line = line;
    e_.where.offset = line * 100;
  }
  EventBuilder& attr(std::string_view key, std::string_view value,
                     model::ValueKind kind = model::ValueKind::String) {
    scalar(key, value, kind, 0);
    return *this;
  }
  EventBuilder& seq(std::uint64_t n) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(n));
    return attr("AttributeEventSequenceNumber", buf, model::ValueKind::Hex);
  }
  EventBuilder& islinks(std::initializer_list<IsLinkSpec> links) {
    auto& f = e_.mutable_fields();
    const auto list = begin_list("AttributeISLinkList", 0);
    for (const auto& l : links) {
      const auto inner = begin_list(l.id, 1);
      scalar("location-name", l.location, model::ValueKind::String, 2);
      scalar("direction-role", l.role, model::ValueKind::String, 2);
      f[inner].end = static_cast<std::uint32_t>(f.size());
    }
    f[list].end = static_cast<std::uint32_t>(f.size());
    return *this;
  }
  EventBuilder& user_data(std::initializer_list<std::pair<std::string, std::string>> kv) {
    auto& f = e_.mutable_fields();
    const auto list = begin_list("AttributeUserData", 0);
    for (const auto& [k, v] : kv)
      scalar(k, v, model::ValueKind::String, 1);
    f[list].end = static_cast<std::uint32_t>(f.size());
    return *this;
  }
  // A SIP event (see parse/sip_message.hpp): attributes by their SIP keys.
  EventBuilder& sip() {
    e_.kind = model::MessageKind::Sip;
    return *this;
  }
  EventBuilder& peer(std::string_view p) {
    e_.peer = std::string(p);
    return *this;
  }
  const model::Event& event() const { return e_; }

 private:
  void scalar(std::string_view key, std::string_view value, model::ValueKind kind, int depth) {
    // Unclassified: told by its name and the event's kind, as for events read back.
    parse::append_attribute(e_, key, model::Attr::Unclassified, value, kind);
    e_.mutable_fields().back().depth = static_cast<std::uint8_t>(depth);
  }
  std::uint32_t begin_list(std::string_view key, int depth) {
    model::Field f;
    f.key_offset = e_.append_text(key);
    f.key_size = static_cast<std::uint32_t>(key.size());
    f.kind = model::ValueKind::List;
    f.depth = static_cast<std::uint8_t>(depth);
    auto index = static_cast<std::uint32_t>(e_.mutable_fields().size());
    e_.mutable_fields().push_back(f);
    return index;
  }
  model::Event e_;
};

// A call's event: its ConnID, CallUUID and ThisDN where given.
inline EventBuilder call_event(std::string_view name, model::Micros t, std::uint64_t line,
                               std::string_view uuid, std::string_view conn,
                               std::string_view this_dn = {}) {
  EventBuilder b(name, t, line);
  if (!conn.empty()) b.attr("AttributeConnID", conn, model::ValueKind::Hex);
  if (!uuid.empty()) b.attr("AttributeCallUUID", uuid);
  if (!this_dn.empty()) b.attr("AttributeThisDN", this_dn);
  return b;
}

// Files of hand-built events, collected as calltrail would collect log files.
class Logs {
 public:
  // Adds a file (its header's application name may be empty) and returns its index.
  std::uint32_t file(std::string path, std::string app = {}) {
    parse::FileInfo info;
    info.path = std::move(path);
    info.app = std::move(app);
    files_.push_back(std::move(info));
    collectors_.emplace_back(static_cast<std::uint32_t>(collectors_.size()));
    return static_cast<std::uint32_t>(collectors_.size() - 1);
  }
  void add(std::uint32_t file, const EventBuilder& b) { collectors_[file].add(b.event()); }

  // The collected partials and the file table, for the builds other than
  // build_correlation() (build_for_id).
  std::pair<std::vector<FilePartial>, std::vector<parse::FileInfo>> take() {
    std::vector<FilePartial> partials;
    for (auto& c : collectors_)
      partials.push_back(c.finish());
    return {std::move(partials), files_};
  }

  Correlation build(const BuildOptions& options = {}) {
    std::vector<FilePartial> partials;
    for (auto& c : collectors_)
      partials.push_back(c.finish());
    return build_correlation(std::move(partials), files_, options);
  }

 private:
  std::vector<parse::FileInfo> files_;
  std::vector<FileCollector> collectors_;
};

}  // namespace calltrail::correlate::testing
