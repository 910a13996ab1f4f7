// Prints T-Library messages and the other log records in one of the print
// styles, appending to a string. The layout is the parser's contract, see
// docs/simulate.md ("What the logs look like").
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "calltrail/base/time.hpp"
#include "calltrail/simulate/options.hpp"

namespace calltrail::simulate {

// One pair of a flat KV list: a string or an integer value.
struct KvPair {
  std::string_view key;
  std::string_view text;  // used when !is_integer
  std::int64_t integer = 0;
  bool is_integer = false;
};

// One entry of AttributeISLinkList.
struct IsLinkEntry {
  std::string_view id;
  std::string_view location;  // the remote site, APP@SWITCH
  bool source = false;        // direction-role: source (else target)
};

// "HH:MM:SS.ffff" (digits = 4) or "HH:MM:SS.fff" of a local time.
void append_time_of_day(std::string& out, base::Micros local, int digits);

class MessageText {
 public:
  MessageText(std::string& out, PrintStyle style) : out_(out), style_(style) {}

  // @HH:MM:SS.ffff [0] <version> <emitter>: message <name>
  void tlib_header(base::Micros local, std::string_view version, std::string_view emitter,
                   std::string_view name);
  // HH:MM:SS.fff Trc 04541 <name> received from [<handle>] (<client>)
  // message <name>
  void request_header(base::Micros local, std::string_view name, int handle,
                      std::string_view client);
  // @HH:MM:SS.ffff [BSYNC] Trace: Send to backup (<backup>) [20]:
  // message <name>
  void bsync_header(base::Micros local, std::string_view backup, std::string_view name);

  void attr_bare(std::string_view name, std::string_view value);
  void attr_int(std::string_view name, std::int64_t value);
  void attr_str(std::string_view name, std::string_view value);
  // AttributeEventSequenceNumber with 16 zeros; returns the offset of the
  // digits in the output so that the number can be filled in later.
  std::size_t attr_sequence_placeholder();
  // AttributeTimeStamp of a UTC time.
  void attr_time_stamp(base::Micros utc);
  // AttributeTimeinSecs (with the local time of day) and AttributeTimeinuSecs.
  void attr_time_in_secs(base::Micros utc, base::Micros local);
  void attr_kv_list(std::string_view name, std::span<const KvPair> pairs);
  void attr_islink_list(std::span<const IsLinkEntry> links);
  // Ends the message (the newline of the last line).
  void end();

 private:
  void quoted(std::string_view s);
  void indent(int depth);  // line start of an attribute (depth 1) or pair (2, 3)
  void separator();        // between a name and its value

  std::string& out_;
  PrintStyle style_;
};

// Writes the 16 hex digits of `value` at `out[offset]`.
void patch_sequence(std::string& out, std::size_t offset, std::uint64_t value);

}  // namespace calltrail::simulate
