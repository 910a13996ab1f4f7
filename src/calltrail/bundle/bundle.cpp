#include "calltrail/bundle/bundle.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>

#include "calltrail/base/diagnostics.hpp"
#include "calltrail/bundle/extract.hpp"
#include "calltrail/bundle/mask.hpp"
#include "calltrail/correlate/conn_id.hpp"
#include "calltrail/parse/log_parser.hpp"

namespace calltrail::bundle {

namespace {

// A name safe as one component of a path in the archive.
std::string safe_name(std::string_view s) {
  std::string out;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-' || c == '@';
    out += ok ? c : '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out.substr(0, 120);
}

// Every event of the interaction's legs, by file.
std::map<std::uint32_t, std::vector<MessageStart>> events_by_file(
    const correlate::Correlation& c, const correlate::Interaction& it) {
  std::map<std::uint32_t, std::vector<MessageStart>> by_file;
  for (std::uint32_t li : it.legs)
    for (const auto& e : c.legs[li].events)
      by_file[e.file].push_back({e.line, e.offset});
  return by_file;
}

// The personal values the correlation knows of the interaction, and its
// identifiers.
void learn_legs(Masker& m, const correlate::Correlation& c, const correlate::Interaction& it) {
  m.add_identifier(it.id);
  for (std::uint32_t li : it.legs) {
    const correlate::Leg& l = c.legs[li];
    m.add_identifier(l.call_uuid);
    for (std::uint64_t x : l.conn_ids)
      m.add_identifier(correlate::ConnText(x).view());
    for (const auto& d : l.sip_dialogs)
      m.add_identifier(d.call_id);
    m.add_phone(l.ani);
    m.add_phone(l.dnis);
    for (const auto& dn : l.dns)
      if (looks_like_phone(dn)) m.add_phone(dn);
    for (const auto& [k, v] : l.user_data)
      m.add_user_data(k, v);
  }
  for (std::uint32_t k : it.links)
    m.add_identifier(c.links[k].id);
}

// The values of every message the blocks hold (also those of context lines).
void learn_blocks(Masker& m, const std::string& path, const std::vector<Block>& blocks) {
  for (const Block& b : blocks) {
    parse::FileInfo info;
    info.path = path;
    base::Diagnostics ignored(0);
    const parse::EventCallback sink = [&m](model::Event& e) { m.learn(e); };
    parse::LogParser parser(info, 0, ignored, sink);
    parser.feed(b.text);
    parser.finish();
  }
}

std::string readme(const correlate::Correlation& c, const correlate::Interaction& it,
                   const BundleOptions& o, const BundleReport& r, Masker* m) {
  std::string out = fmt::format(
      "calltrail bundle of interaction {}\n\n"
      "Made:     {}\n"
      "Command:  {}\n"
      "Legs:     {} on {} site(s)\n\n"
      "Inside:\n"
      "  README.txt        this file\n"
      "  interaction.json  the interaction (as `calltrail trace --format json`)\n"
      "  timeline.txt      its timeline (as `calltrail trace`)\n"
      "  diagram.mmd       its sequence diagram (as `calltrail trace --format mermaid`)\n"
      "  logs/SITE.log     per site, the raw lines of its events: each message whole{}, under\n"
      "                    a header '==> FILE:FIRST-LAST <==' naming the original file and "
      "lines\n\n",
      it.id, o.created, m != nullptr ? m->mask_text(o.command_line) : o.command_line,
      it.legs.size(),
      [&] {
        std::vector<std::uint32_t> sites;
        for (std::uint32_t li : it.legs)
          if (std::find(sites.begin(), sites.end(), c.legs[li].site) == sites.end())
            sites.push_back(c.legs[li].site);
        return sites.size();
      }(),
      o.context == 0 ? "" : fmt::format(" with {} line(s) of context", o.context));
  out += "Files:\n";
  for (const BundleFile& f : r.files) {
    out += fmt::format("  {}  {}  ({} event(s))\n", f.site, f.path, f.messages);
    if (!f.error.empty()) out += fmt::format("    NOT READ: {}\n", f.error);
    if (f.moved > 0)
      out += fmt::format(
          "    CHANGED: {} event(s) not at the byte offset first read: the file may have "
          "changed since\n",
          f.moved);
    if (f.past_end > 0)
      out += fmt::format("    MISSING: {} event(s) past the end of the file\n", f.past_end);
    if (!f.ranges.empty()) {
      out += "    lines";
      for (const auto& [a, b] : f.ranges)
        out += fmt::format(" {}-{}", a, b);
      out += '\n';
    }
  }
  if (m == nullptr) {
    out += "\nMasking: none (the lines are as logged).\n";
  } else {
    out += fmt::format(
        "\nMasking: on. Phone numbers ({} distinct), IP addresses ({}), user-data values ({}), "
        "SIP user parts ({}) and display names ({}) are replaced by tokens (PHONE-n, IP-n, "
        "UDATA-n, USER-n, NAME-n); the same value has the same token in every file here. "
        "CallUUIDs, ConnIDs, IS-Link ids and SIP Call-IDs (but the address after '@') are "
        "kept.{}\n",
        m->count(MaskKind::Phone), m->count(MaskKind::Ip), m->count(MaskKind::UserData),
        m->count(MaskKind::SipUser), m->count(MaskKind::Name),
        m->keep_keys().empty() ? std::string()
                               : fmt::format(" User-data values kept (--mask-keep): {}.",
                                             fmt::join(m->keep_keys(), ", ")));
  }
  return out;
}

// Writes the entries to `path` (through a temporary name); the error or empty.
std::string write_archive(const std::string& path,
                          const std::vector<std::pair<std::string, std::string>>& entries) {
  const std::string part = path + ".part";
  archive* a = archive_write_new();
  std::string error;
  if (archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
      archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
      archive_write_open_filename(a, part.c_str()) != ARCHIVE_OK) {
    error = archive_error_string(a) != nullptr ? archive_error_string(a) : "cannot write";
  }
  const std::time_t now = std::time(nullptr);
  for (const auto& [name, data] : entries) {
    if (!error.empty()) break;
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_mtime(e, now, 0);
    if (archive_write_header(a, e) != ARCHIVE_OK ||
        archive_write_data(a, data.data(), data.size()) != static_cast<la_ssize_t>(data.size()))
      error = archive_error_string(a) != nullptr ? archive_error_string(a) : "cannot write";
    archive_entry_free(e);
  }
  if (archive_write_close(a) != ARCHIVE_OK && error.empty())
    error = archive_error_string(a) != nullptr ? archive_error_string(a) : "cannot write";
  archive_write_free(a);
  if (error.empty() && std::rename(part.c_str(), path.c_str()) != 0)
    error = "cannot rename " + part + " to " + path;
  if (!error.empty()) std::remove(part.c_str());
  return error;
}

}  // namespace

bool BundleReport::complete() const {
  return std::all_of(files.begin(), files.end(), [](const BundleFile& f) {
    return f.error.empty() && f.moved == 0 && f.past_end == 0;
  });
}

BundleReport write_bundle(const correlate::Correlation& c, const correlate::Interaction& it,
                          const Views& views, const BundleOptions& o) {
  BundleReport r;
  r.root = "calltrail-bundle-" + safe_name(it.id);
  // The raw lines, per file, then per site.
  std::vector<std::pair<std::string, std::vector<Block>>> read;  // site, blocks (per file)
  for (auto& [file, starts] : events_by_file(c, it)) {
    const auto& record = c.files[file];
    BundleFile f;
    f.path = record.info.path;
    f.site = record.site ? c.sites[*record.site].name : "unknown-site";
    f.messages = starts.size();
    Extracted x = extract_lines(f.path, std::move(starts), o.context);
    f.error = x.error;
    f.moved = x.moved;
    f.past_end = x.past_end;
    for (const Block& b : x.blocks)
      f.ranges.emplace_back(b.first, b.last);
    r.files.push_back(std::move(f));
    read.emplace_back(r.files.back().site, std::move(x.blocks));
  }
  std::unique_ptr<Masker> m;
  if (o.mask) {
    m = std::make_unique<Masker>(o.mask_keep);
    learn_legs(*m, c, it);
    for (std::size_t i = 0; i < read.size(); ++i)
      learn_blocks(*m, r.files[i].path, read[i].second);
  }
  auto text = [&](std::string_view s) { return m ? m->mask_text(s) : std::string(s); };
  std::map<std::string, std::string> site_text;
  for (std::size_t i = 0; i < read.size(); ++i) {
    std::string& out = site_text[read[i].first];
    for (const Block& b : read[i].second) {
      out += fmt::format("==> {}:{}-{} <==\n", r.files[i].path, b.first, b.last);
      out += text(b.text);
      if (!b.text.empty() && b.text.back() != '\n') out += '\n';
      out += '\n';
    }
  }
  std::vector<std::pair<std::string, std::string>> entries;
  entries.emplace_back("interaction.json", m ? m->mask_json(views.json) + "\n" : views.json);
  entries.emplace_back("timeline.txt", text(views.timeline));
  entries.emplace_back("diagram.mmd", text(views.mermaid));
  for (auto& [site, lines] : site_text)
    entries.emplace_back("logs/" + safe_name(site) + ".log", std::move(lines));
  if (m)
    for (int k = 0; k < 5; ++k)
      r.masked[k] = m->count(static_cast<MaskKind>(k));
  entries.insert(entries.begin(), {"README.txt", readme(c, it, o, r, m.get())});
  for (auto& [name, data] : entries) {
    name = r.root + "/" + name;
    r.entries.push_back(name);
  }
  r.error = write_archive(o.out_path, entries);
  return r;
}

}  // namespace calltrail::bundle
