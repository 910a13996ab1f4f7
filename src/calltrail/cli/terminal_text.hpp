// Text for a terminal: lines that fit its width (wrapped, continuation lines
// indented under what they continue) and colour when it is wanted
// (--color, NO_COLOR).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace calltrail::cli {

// The width text output fits.
inline constexpr std::size_t kTextWidth = 120;

enum class Color : std::uint8_t { Plain, Bold, Dim, Red, Green, Yellow, Blue, Magenta, Cyan };

// ANSI colour when enabled, the text as it is otherwise.
class Paint {
 public:
  explicit Paint(bool enabled = false) : enabled_(enabled) {}
  bool enabled() const { return enabled_; }
  std::string operator()(std::string_view text, Color color) const;
  // The colour of the n-th site of what is shown (a few, in turn).
  static Color site(std::size_t n);
  // The colour of an event by its kind: a SIP message cyan, a T-Library
  // event bold, either red when it is a failure (a SIP 4xx-6xx answer, an
  // error event).
  static Color event(std::string_view name, bool sip);

 private:
  bool enabled_;
};

// Adds --color auto|always|never to `cmd`.
void add_color_option(CLI::App* cmd, std::string& mode);
// Whether to colour what goes to `stream`: always, never, or (auto) when it
// is a terminal and NO_COLOR is unset or empty and TERM is not "dumb".
bool color_wanted(std::string_view mode, std::FILE* stream);

// Columns `text` takes on a terminal: escape sequences take none, a UTF-8
// character one.
std::size_t visible_width(std::string_view text);

// Appends `line` (one line, without '\n') and '\n', broken at spaces after
// column `indent` into lines of at most `width` columns, each continuation
// indented by `indent` (a word too long for a line is cut).
void append_wrapped(std::string& out, std::string_view line, std::size_t indent,
                    std::size_t width = kTextWidth);

}  // namespace calltrail::cli
