// calltrail events PATH... : T-Library events as JSON lines, one JSON
// document or text.
#include <fmt/format.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "calltrail/base/time.hpp"
#include "calltrail/cli/cli.hpp"
#include "calltrail/cli/commands.hpp"
#include "calltrail/cli/input_report.hpp"
#include "calltrail/cli/interaction_filter.hpp"
#include "calltrail/cli/output.hpp"
#include "calltrail/cli/terminal_text.hpp"
#include "calltrail/correlate/file_collector.hpp"
#include "calltrail/correlate/text.hpp"
#include "calltrail/model/event_json.hpp"
#include "calltrail/model/identifiers.hpp"
#include "calltrail/parse/log_reader.hpp"
#include "calltrail/parse/sip_message.hpp"
#include "calltrail/parse/text.hpp"

namespace calltrail::cli {

namespace {

struct EventsOptions {
  std::vector<std::string> paths;
  std::string format = "jsonl";
  std::string color = "auto";
  std::vector<std::string> names;
  std::vector<std::string> ids;
  WindowOptions window;
  bool strict = false;
  bool quiet = false;
  std::size_t chunk_size = 1 << 20;
};

// Does the event's user data hold `probe`'s key=value? Compared as trace
// compares it (correlate::FileCollector): without quotes, the value whole or
// as far as a leg keeps it.
bool matches_user_data(const model::Event& e, std::uint32_t list, const correlate::IdProbe& probe) {
  bool hit = false;
  const auto fields = e.fields();
  e.for_each_child(list, [&](std::uint32_t c) {
    const model::Field& f = fields[c];
    if (f.kind == model::ValueKind::List || correlate::unquote(e.key(f)) != probe.key) return;
    const std::string_view v = correlate::unquote(e.value(f));
    if (v == probe.value || v.substr(0, correlate::kMaxUserDataValue) == probe.value) hit = true;
  });
  return hit;
}

// Does any identifier in the event equal one of `ids`, as trace compares
// them (correlate::find_interactions)? ConnIDs in their normalised form;
// CallUUIDs, IS-Link ids (the keys of AttributeISLinkList) and SIP Call-IDs
// without case; a key=value is looked for in the user data.
bool matches_id(const model::Event& e, const std::vector<std::string>& ids,
                const std::vector<std::string>& conn_ids,
                const std::vector<correlate::IdProbe>& user_data) {
  const auto fields = e.fields();
  if (e.kind == model::MessageKind::Sip) {
    // A SIP message or mapping: its Call-ID (whole, or the part before '@'),
    // CallUUIDs and parties.
    for (std::uint32_t i = 0; i < fields.size(); i = fields[i].end) {
      const std::string_view key = e.key(fields[i]);
      const std::string_view v = e.value(fields[i]);
      const bool call_id = key == parse::sip_keys::kCallId;
      const bool uuid =
          key == parse::sip_keys::kCallUuid || key == parse::sip_keys::kGenesysCallUuid;
      if (!call_id && !uuid && key != parse::sip_keys::kFrom && key != parse::sip_keys::kTo)
        continue;
      // Call-IDs and CallUUIDs without case, as trace compares them.
      for (const auto& id : ids)
        if (v == id || ((call_id || uuid) && parse::iequals(v, id)) ||
            (call_id && v.size() > id.size() && v[id.size()] == '@' &&
             parse::iequals(v.substr(0, id.size()), id)))
          return true;
    }
    return false;
  }
  for (std::uint32_t i = 0; i < fields.size(); i = fields[i].end) {
    const std::string_view key = e.key(fields[i]);
    if (key == "AttributeUserData" && fields[i].kind == model::ValueKind::List) {
      for (const auto& probe : user_data)
        if (matches_user_data(e, i, probe)) return true;
      continue;
    }
    if (key == "AttributeISLinkList" && fields[i].kind == model::ValueKind::List) {
      for (std::uint32_t c : e.children(i)) {
        for (const auto& id : ids)
          if (parse::iequals(e.key(fields[c]), id)) return true;
      }
      continue;
    }
    if (!model::is_identifier_attribute(key)) continue;
    const std::string_view v = e.value(fields[i]);
    if (model::is_conn_id_attribute(key)) {
      for (const auto& id : conn_ids)
        if (v == id) return true;
    } else {
      const bool uuid = model::is_call_uuid_attribute(key);
      for (const auto& id : ids)
        if (v == id || (uuid && parse::iequals(v, id))) return true;
    }
  }
  return false;
}

// One line per event (greppable, so not wrapped); with colour, the
// application by a colour of its own and the name by its kind.
void append_text_line(std::string& out, const model::Event& e, std::string_view file,
                      const Paint& paint) {
  auto utc = e.times.utc();
  const std::string_view app = e.app.empty() ? std::string_view("-") : std::string_view(e.app);
  fmt::format_to(std::back_inserter(out), "{:<27} {:<24} {} {}",
                 utc ? base::format_utc(*utc) : std::string("-"),
                 e.times.local_digits ? base::format_local(e.times.local, e.times.local_date_known,
                                                           e.times.local_digits)
                                      : std::string("-"),
                 paint(fmt::format("{:<12}", app), Paint::site(std::hash<std::string_view>{}(app))),
                 paint(fmt::format("{:<28}", e.name),
                       Paint::event(e.name, e.kind == model::MessageKind::Sip)));
  static constexpr std::pair<std::string_view, std::string_view> kShown[] = {
      {"AttributeConnID", "conn"},
      {"AttributeCallUUID", "uuid"},
      {"AttributeThisDN", "this"},
      {"AttributeOtherDN", "other"},
      {"AttributeANI", "ani"},
      {"AttributeDNIS", "dnis"},
      {"AttributeTransferConnID", "xfer"},
      {"AttributeRefCallUUID", "ref"}};
  for (const auto& [attr, label] : kShown) {
    const std::string_view v = e.attribute_value(attr);
    if (!v.empty()) fmt::format_to(std::back_inserter(out), " {}={}", label, v);
  }
  if (e.kind == model::MessageKind::Sip) {
    const std::string_view direction = e.attribute_value(parse::sip_keys::kDirection);
    if (!e.peer.empty())
      fmt::format_to(std::back_inserter(out), " {}={}", direction == "out" ? "to" : "from", e.peer);
    for (std::string_view key : {parse::sip_keys::kRequestUri, parse::sip_keys::kCallId,
                                 parse::sip_keys::kCallUuid, parse::sip_keys::kReason}) {
      const std::string_view v = e.attribute_value(key);
      if (!v.empty()) fmt::format_to(std::back_inserter(out), " {}={}", key, v);
    }
  }
  for (const model::IsLinkEntry& link : e.islinks()) {
    fmt::format_to(std::back_inserter(out), " islink={}({}{}{})", link.id, link.role,
                   link.role == "source" ? "->" : "<-", link.location);
  }
  fmt::format_to(std::back_inserter(out), "  {}:{}\n", file, e.where.line);
}

int run_events(const EventsOptions& o) {
  std::optional<model::Micros> from, to;
  if (!parse_window(o.window, from, to, "events")) return kExitUsage;
  std::vector<std::string> conn_ids;
  std::vector<correlate::IdProbe> user_data;
  for (const auto& id : o.ids) {
    std::string c = model::normalize_conn_id(id);
    if (!c.empty()) conn_ids.push_back(std::move(c));
    correlate::IdProbe probe(id);
    if (!probe.key.empty()) user_data.push_back(std::move(probe));
  }
  const std::set<std::string, std::less<>> names(o.names.begin(), o.names.end());
  const bool text = o.format == "text";
  const Paint paint(text && color_wanted(o.color, stdout));
  const bool document = o.format == "json";

  parse::ReadOptions read_options;
  read_options.chunk_size = o.chunk_size;
  parse::LogReader reader(read_options);
  Output out(stdout);
  std::uint64_t shown = 0;
  if (document) out.buffer() += "{\"events\":[";
  reader.read(o.paths, [&](model::Event& e) {
    if (!names.empty() && names.find(e.name) == names.end()) return;
    if (!o.ids.empty() && !matches_id(e, o.ids, conn_ids, user_data)) return;
    if (from || to) {
      auto utc = e.times.utc();
      if (!utc || (from && *utc < *from) || (to && *utc > *to)) return;
    }
    const std::string& file = reader.files()[e.where.file_index].path;
    if (text) {
      append_text_line(out.buffer(), e, file, paint);
    } else {
      if (document && shown > 0) out.buffer().push_back(',');
      if (document) out.buffer().push_back('\n');
      model::append_event_json(out.buffer(), e, file);
      if (!document) out.buffer().push_back('\n');
    }
    out.maybe_flush();
    ++shown;
  });
  if (document) out.buffer() += "\n]}\n";
  out.flush();
  const InputSummary summary = report_inputs(reader, "events", o.quiet);
  if (summary.unreadable > 0 || report_not_logs(reader.files(), "events")) return kExitInput;
  if (o.strict && summary.malformed > 0) return kExitMalformed;
  if (shown == 0 && (!o.ids.empty() || !o.names.empty() || from || to)) {
    fmt::print(stderr, "calltrail events: no event matched\n");
    return kExitNoMatch;
  }
  return kExitOk;
}

}  // namespace

void add_events_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<EventsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "events",
      "Print every T-Library message and SIP message in the logs as a typed event, one JSON\n"
      "object a line (schema: docs/events-json.md), with its UTC time and the file and line it\n"
      "came from.\n\n"
      "Examples:\n"
      "  calltrail events --format text logs/\n"
      "  calltrail events --id 009a021843038407 --id AccountNo=1234 logs/site-a logs/site-b.gz\n"
      "  calltrail events --name EventRinging --from 2012-10-29T14:41Z --to 2012-10-29T14:42Z "
      "logs/");
  cmd->add_option("paths", o->paths, "Log files, folders (recursive), .gz files, or - for stdin")
      ->required();
  cmd->add_option("--format", o->format,
                  "jsonl (one object a line), json (one document: {\"events\": [...]}) or text")
      ->check(CLI::IsMember({"jsonl", "json", "text"}))
      ->capture_default_str();
  cmd->add_option("--name", o->names,
                  "Only messages with this name (EventRinging...); repeat for more");
  cmd->add_option("--id", o->ids,
                  "Only events carrying this identifier: ConnID, CallUUID, IS-Link id, SIP Call-ID "
                  "(whole or the part before '@'), DN, ANI, DNIS or user data key=value (as trace "
                  "takes them); repeat for more");
  add_window_options(cmd, o->window, "events");
  add_color_option(cmd, o->color);
  cmd->add_flag("--strict", o->strict, "Exit with 4 when malformed records were found");
  cmd->add_flag("-q,--quiet", o->quiet, "Print only the one-line summary of malformed input");
  cmd->add_option("--chunk-size", o->chunk_size, "Bytes read at a time (for testing)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30))
      ->group("");
  cmd->callback([o, &exit_code] { exit_code = run_events(*o); });
}

}  // namespace calltrail::cli
