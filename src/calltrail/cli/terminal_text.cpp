#include "calltrail/cli/terminal_text.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace calltrail::cli {

namespace {

// The SGR parameter of each Color, in its order.
std::string_view sgr(Color c) {
  static constexpr std::string_view kSgr[] = {"", "1", "2", "31", "32", "33", "34", "35", "36"};
  return kSgr[static_cast<std::size_t>(c)];
}

bool continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// The end of the escape sequence at `i` (ESC [ ... final byte).
std::size_t escape_end(std::string_view s, std::size_t i) {
  std::size_t j = i + 1;
  if (j < s.size() && s[j] == '[') ++j;
  while (j < s.size() && (s[j] < 0x40 || s[j] > 0x7e))
    ++j;
  return std::min(j + 1, s.size());
}

}  // namespace

std::string Paint::operator()(std::string_view text, Color color) const {
  if (!enabled_ || color == Color::Plain || text.empty()) return std::string(text);
  return fmt::format("\x1b[{}m{}\x1b[0m", sgr(color), text);
}

Color Paint::site(std::size_t n) {
  static constexpr Color kSites[] = {Color::Blue, Color::Magenta, Color::Green, Color::Yellow};
  return kSites[n % std::size(kSites)];
}

Color Paint::event(std::string_view name, bool sip) {
  if (sip) return !name.empty() && name[0] >= '4' && name[0] <= '6' ? Color::Red : Color::Cyan;
  return name.find("Error") != std::string_view::npos ? Color::Red : Color::Bold;
}

void add_color_option(CLI::App* cmd, std::string& mode) {
  cmd->add_option("--color", mode,
                  "Colour by site and by kind of event: auto (on a terminal, unless NO_COLOR is "
                  "set), always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
}

bool color_wanted(std::string_view mode, std::FILE* stream) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return ::isatty(::fileno(stream)) != 0;
}

std::size_t visible_width(std::string_view text) {
  std::size_t w = 0;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '\x1b') {
      i = escape_end(text, i);
      continue;
    }
    if (!continuation_byte(text[i])) ++w;
    ++i;
  }
  return w;
}

void append_wrapped(std::string& out, std::string_view line, std::size_t indent,
                    std::size_t width) {
  indent = std::min(indent, width / 2);
  std::size_t start = 0;  // of the piece of `line` on the current output line
  std::size_t column = 0;
  std::size_t space = std::string_view::npos;  // the last space after `indent`
  auto next_line = [&](std::size_t end, std::size_t next) {
    std::string_view piece = line.substr(start, end - start);
    while (!piece.empty() && piece.back() == ' ')
      piece.remove_suffix(1);
    out.append(piece).append("\n").append(indent, ' ');
    while (next < line.size() && line[next] == ' ')
      ++next;
    start = next;
    column = indent;
    space = std::string_view::npos;
    return next;
  };
  for (std::size_t i = 0; i < line.size();) {
    if (line[i] == '\x1b') {
      i = escape_end(line, i);
      continue;
    }
    if (continuation_byte(line[i])) {
      ++i;
      continue;
    }
    if (line[i] == ' ' && column >= indent) space = i;
    if (column >= width) {
      i = space != std::string_view::npos && space > start ? next_line(space, space + 1)
                                                           : next_line(i, i);
      continue;
    }
    ++column;
    ++i;
  }
  out.append(line.substr(start)).append("\n");
}

}  // namespace calltrail::cli
