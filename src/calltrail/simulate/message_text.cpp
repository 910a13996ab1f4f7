#include "calltrail/simulate/message_text.hpp"

#include <fmt/format.h>

namespace calltrail::simulate {

namespace {

constexpr std::string_view kOpenQuote = "\xE2\x80\x98";   // ‘
constexpr std::string_view kCloseQuote = "\xE2\x80\x99";  // ’
constexpr std::string_view kEmptyFlat = "\xE2\x80\x9D";   // ”

void two_digits(std::string& out, unsigned v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

}  // namespace

void append_time_of_day(std::string& out, base::Micros local, int digits) {
  base::Micros in_day = local % base::kMicrosPerDay;
  if (in_day < 0) in_day += base::kMicrosPerDay;
  const auto secs = static_cast<unsigned>(in_day / base::kMicrosPerSecond);
  auto frac = static_cast<unsigned>(in_day % base::kMicrosPerSecond);
  two_digits(out, secs / 3600);
  out += ':';
  two_digits(out, secs / 60 % 60);
  out += ':';
  two_digits(out, secs % 60);
  out += '.';
  char buf[6];
  for (int i = 5; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  out.append(buf, static_cast<std::size_t>(digits));
}

void patch_sequence(std::string& out, std::size_t offset, std::uint64_t value) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out[offset + static_cast<std::size_t>(i)] = kHex[value & 15];
    value >>= 4;
  }
}

void MessageText::tlib_header(base::Micros local, std::string_view version,
                              std::string_view emitter, std::string_view name) {
  out_ += '@';
  append_time_of_day(out_, local, 4);
  out_ += " [0] ";
  out_ += version;
  out_ += ' ';
  out_ += emitter;
  out_ += ": message ";
  out_ += name;
}

void MessageText::request_header(base::Micros local, std::string_view name, int handle,
                                 std::string_view client) {
  append_time_of_day(out_, local, 3);
  fmt::format_to(std::back_inserter(out_), " Trc 04541 {} received from [{}] ({})", name, handle,
                 client);
  out_ += style_ == PrintStyle::Flat ? ' ' : '\n';
  out_ += "message ";
  out_ += name;
}

void MessageText::bsync_header(base::Micros local, std::string_view backup, std::string_view name) {
  out_ += '@';
  append_time_of_day(out_, local, 4);
  out_ += " [BSYNC] Trace: Send to backup (";
  out_ += backup;
  out_ += ") [20]:";
  out_ += style_ == PrintStyle::Flat ? ' ' : '\n';
  out_ += "message ";
  out_ += name;
}

void MessageText::indent(int depth) {
  switch (style_) {
    case PrintStyle::Tab:
    case PrintStyle::Mixed:  // resolved per message before (Simulator::message_style)
      out_ += '\n';
      out_.append(static_cast<std::size_t>(depth), '\t');
      break;
    case PrintStyle::Spaces:
      out_ += '\n';
      out_.append(static_cast<std::size_t>(depth) * 4, ' ');
      break;
    case PrintStyle::Flat:
      out_ += ' ';
      break;
  }
}

void MessageText::separator() {
  switch (style_) {
    case PrintStyle::Tab:
    case PrintStyle::Mixed:  // resolved per message before (Simulator::message_style)
      out_ += '\t';
      break;
    case PrintStyle::Spaces:
      out_ += "    ";
      break;
    case PrintStyle::Flat:
      out_ += ' ';
      break;
  }
}

void MessageText::quoted(std::string_view s) {
  if (style_ == PrintStyle::Flat) {
    if (s.empty()) {
      out_ += kEmptyFlat;
    } else {
      out_ += kOpenQuote;
      out_ += s;
      out_ += kCloseQuote;
    }
  } else {
    out_ += '\'';
    out_ += s;
    out_ += '\'';
  }
}

void MessageText::attr_bare(std::string_view name, std::string_view value) {
  indent(1);
  out_ += name;
  separator();
  out_ += value;
}

void MessageText::attr_int(std::string_view name, std::int64_t value) {
  indent(1);
  out_ += name;
  separator();
  fmt::format_to(std::back_inserter(out_), "{}", value);
}

void MessageText::attr_str(std::string_view name, std::string_view value) {
  indent(1);
  out_ += name;
  separator();
  quoted(value);
}

std::size_t MessageText::attr_sequence_placeholder() {
  indent(1);
  out_ += "AttributeEventSequenceNumber";
  separator();
  const std::size_t offset = out_.size();
  out_.append(16, '0');
  return offset;
}

void MessageText::attr_time_stamp(base::Micros utc) {
  indent(1);
  out_ += "AttributeTimeStamp";
  separator();
  const auto secs = static_cast<std::uint64_t>(utc / base::kMicrosPerSecond);
  const auto micros = static_cast<std::uint64_t>(utc % base::kMicrosPerSecond);
  fmt::format_to(std::back_inserter(out_), "{:08x}{:08x}", secs, micros);
}

void MessageText::attr_time_in_secs(base::Micros utc, base::Micros local) {
  indent(1);
  out_ += "AttributeTimeinSecs";
  separator();
  fmt::format_to(std::back_inserter(out_), "{} (", utc / base::kMicrosPerSecond);
  std::string tod;
  append_time_of_day(tod, local, 0);
  tod.pop_back();  // the '.' of an empty fraction
  out_ += tod;
  out_ += ')';
  indent(1);
  out_ += "AttributeTimeinuSecs";
  separator();
  fmt::format_to(std::back_inserter(out_), "{}", utc % base::kMicrosPerSecond);
}

void MessageText::attr_kv_list(std::string_view name, std::span<const KvPair> pairs) {
  std::size_t bytes = 4;
  for (const auto& p : pairs)
    bytes += p.key.size() + (p.is_integer ? 4 : p.text.size()) + 10;
  indent(1);
  out_ += name;
  separator();
  const int first_type = pairs.empty() ? 0 : (pairs.front().is_integer ? 1 : 0);
  fmt::format_to(std::back_inserter(out_), "[{}] 00 {:02x} {:02x} 00..", bytes, pairs.size(),
                 first_type);
  for (const auto& p : pairs) {
    indent(2);
    quoted(p.key);
    separator();
    if (p.is_integer) {
      fmt::format_to(std::back_inserter(out_), "{}", p.integer);
    } else {
      quoted(p.text);
    }
  }
}

void MessageText::attr_islink_list(std::span<const IsLinkEntry> links) {
  indent(1);
  out_ += "AttributeISLinkList";
  separator();
  fmt::format_to(std::back_inserter(out_), "[{}] 00 {:02x} 03 00..", 106 * links.size() + 2,
                 links.size());
  for (const auto& l : links) {
    indent(2);
    quoted(l.id);
    out_ += "(list) ";
    quoted("location-name");
    separator();
    quoted(l.location);
    indent(3);
    quoted("direction-role");
    separator();
    quoted(l.source ? "source" : "target");
  }
}

void MessageText::end() {
  out_ += '\n';
}

}  // namespace calltrail::simulate
