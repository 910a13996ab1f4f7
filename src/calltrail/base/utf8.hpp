// The one rule for text calltrail writes: valid UTF-8 whatever the input.
// Each byte that does not start a valid sequence (a stray continuation byte,
// a truncated or overlong sequence, a surrogate, a code point past U+10FFFF)
// becomes U+FFFD; everything else is kept as it is. JSON strings
// (json_writer.hpp), JSON documents (correlate::dump_json), text on standard
// output (cli::Output) and messages that echo input all apply this rule.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace calltrail::base {

inline constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at s[i] (1 for ASCII), or 0 when it is invalid.
std::size_t utf8_length(std::string_view s, std::size_t i);

bool is_valid_utf8(std::string_view s);

// Appends `s` with every invalid byte replaced by U+FFFD.
void append_valid_utf8(std::string& out, std::string_view s);
std::string valid_utf8(std::string_view s);

// Where a trailing sequence that more bytes could complete starts (a
// multi-byte character cut by a buffer's end), or s.size() when there is none.
std::size_t incomplete_utf8_tail(std::string_view s);

}  // namespace calltrail::base
