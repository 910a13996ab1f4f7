#include "calltrail/bundle/extract.hpp"

#include <algorithm>
#include <deque>
#include <functional>

#include "calltrail/io/byte_source.hpp"
#include "calltrail/parse/line_time.hpp"

namespace calltrail::bundle {

namespace {

using LineFn = std::function<bool(std::uint64_t no, std::uint64_t offset, std::string_view line)>;

// Calls `fn` for each line (with its '\n') until it returns false; the
// error, or empty.
std::string for_each_line(const std::string& path, const LineFn& fn) {
  io::OpenOutcome opened = io::open_source(path);
  if (!opened.source) return opened.error;
  std::string carry;
  std::vector<char> buffer(1 << 20);
  std::uint64_t no = 0;
  std::uint64_t offset = 0;
  for (;;) {
    const io::ReadOutcome r = opened.source->read(buffer.data(), buffer.size());
    if (!r.error.empty()) return r.error;
    if (r.size == 0) break;
    carry.append(buffer.data(), r.size);
    std::size_t at = 0;
    for (std::size_t nl; (nl = carry.find('\n', at)) != std::string::npos; at = nl + 1) {
      const std::string_view line(carry.data() + at, nl + 1 - at);
      if (!fn(++no, offset, line)) return {};
      offset += line.size();
    }
    carry.erase(0, at);
  }
  if (!carry.empty()) fn(++no, offset, carry);
  return {};
}

bool is_record_start(std::string_view line) {
  return parse::parse_line_time(line).has_value();
}

struct Range {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
};

}  // namespace

Extracted extract_lines(const std::string& path, std::vector<MessageStart> starts,
                        unsigned context) {
  Extracted out;
  std::erase_if(starts, [](const MessageStart& s) { return s.line == 0; });
  std::sort(starts.begin(), starts.end(),
            [](const MessageStart& a, const MessageStart& b) { return a.line < b.line; });
  starts.erase(
      std::unique(starts.begin(), starts.end(),
                  [](const MessageStart& a, const MessageStart& b) { return a.line == b.line; }),
      starts.end());
  if (starts.empty()) return out;

  // Pass 1: the ranges. `recent` holds the record starts that a range still
  // to open may begin at (the latest one at or before its line - context).
  struct Open {
    std::uint64_t first = 0;  // the range's first line
    std::uint64_t start = 0;  // the message's first line
    std::uint64_t until = 0;  // closes at the first record start after this (0: not known yet)
  };
  std::vector<Range> ranges;
  std::vector<Open> open;
  std::deque<std::uint64_t> recent;
  std::size_t next = 0;
  std::uint64_t lines = 0;
  out.error =
      for_each_line(path, [&](std::uint64_t no, std::uint64_t offset, std::string_view line) {
        lines = no;
        const bool record = is_record_start(line);
        std::erase_if(open, [&](Open& o) {
          if (record && no > o.start) {
            // The message ended on the line before; then `context` lines more.
            if (o.until == 0) o.until = no - 1 + context;
            if (no > o.until) {
              ranges.push_back({o.first, no - 1});
              return true;
            }
          }
          if (no - o.start >= kMaxMessageLines + context) {
            ranges.push_back({o.first, no});
            return true;
          }
          return false;
        });
        if (record) {
          recent.push_back(no);
          while (recent.size() >= 2 && recent[1] + context <= no)
            recent.pop_front();
        }
        for (; next < starts.size() && starts[next].line == no; ++next) {
          if (starts[next].offset != offset) ++out.moved;
          std::uint64_t first = no;
          if (context > 0) {
            first = no > context ? no - context : 1;
            for (auto it = recent.rbegin(); it != recent.rend(); ++it) {
              if (*it <= first) {
                first = *it;
                break;
              }
            }
          }
          open.push_back({first, no, 0});
        }
        return true;
      });
  for (const Open& o : open)
    ranges.push_back({o.first, lines});
  out.past_end = starts.size() - next;
  if (ranges.empty()) return out;

  std::sort(ranges.begin(), ranges.end(),
            [](const Range& a, const Range& b) { return a.first < b.first; });
  std::vector<Range> merged{ranges.front()};
  for (const Range& r : ranges) {
    if (r.first <= merged.back().last + 1) {
      merged.back().last = std::max(merged.back().last, r.last);
    } else {
      merged.push_back(r);
    }
  }

  // Pass 2: their lines.
  std::size_t k = 0;
  for (const Range& r : merged)
    out.blocks.push_back({r.first, r.last, {}});
  const std::string again =
      for_each_line(path, [&](std::uint64_t no, std::uint64_t, std::string_view line) {
        while (k < merged.size() && no > merged[k].last)
          ++k;
        if (k == merged.size()) return false;
        if (no >= merged[k].first) out.blocks[k].text.append(line);
        return true;
      });
  if (out.error.empty()) out.error = again;
  return out;
}

}  // namespace calltrail::bundle
