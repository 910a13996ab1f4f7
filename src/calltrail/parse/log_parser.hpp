// The streaming parser of one log file. It is fed chunks of any size and
// calls the sink once per T-Library message; the events are the same whatever
// the chunking. Everything that is not a T-Library message is skipped, and
// malformed messages are reported to the diagnostics, never thrown.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "calltrail/base/diagnostics.hpp"
#include "calltrail/model/event.hpp"
#include "calltrail/parse/checkpoint.hpp"
#include "calltrail/parse/line_time.hpp"
#include "calltrail/parse/log_reader.hpp"
#include "calltrail/parse/message_builder.hpp"
#include "calltrail/parse/sip_message.hpp"

namespace calltrail::parse {

class LogParser {
 public:
  // `info.path` names the file in diagnostics; its name may carry the date
  // (<app>.<YYYYMMDD_HHMMSS_mmm>.log). `info` is updated as the header and
  // the events are read.
  LogParser(FileInfo& info, std::uint32_t file_index, base::Diagnostics& diagnostics,
            const EventCallback& sink, std::size_t max_line = 16 << 20);

  // Whether message headers are read for the emitter, peer, thread and
  // version (ReadOptions::header_details); they are by default.
  void set_header_details(bool on) { header_details_ = on; }
  // How much of each SIP message is read (ReadOptions::sip_detail).
  void set_sip_detail(SipDetail detail) { sip_.set_detail(detail); }
  // Both, as `options` asks (every reader of files and ranges sets them here).
  void read_as(const ReadOptions& options) {
    set_header_details(options.header_details);
    set_sip_detail(options.sip_detail);
    set_tlib_detail(options.tlib_detail);
  }
  void set_tlib_detail(TlibDetail detail) { builder_.set_detail(detail); }

  void feed(std::string_view chunk);
  // Ends the input: completes the last line and message.
  void finish();

  // The latest record boundary fed so far (offset 0 before the first one).
  const ParserCheckpoint& checkpoint() const { return checkpoint_; }
  // Continues a file from a checkpoint taken by an earlier parser of the same
  // file: call before the first feed(), then feed the bytes from
  // `c.offset` on. `info` should hold the header facts read before it.
  void resume(const ParserCheckpoint& c);

 private:
  enum class State : std::uint8_t {
    Idle,
    AwaitMessageLine,
    InMessage,
    InRequestTrace,
    InSip,    // reading a SIP message
    SipHeld,  // a whole SIP message waiting for the line that maps it to its call
  };

  // Holds the unfinished last line of a chunk, cut to max_line_.
  void keep_partial(std::string_view rest);
  void on_line(std::string_view line);
  void on_other_line(std::string_view line, bool tab_line_read);
  bool on_record(std::string_view line, const LineTime& time);
  bool try_message_header(std::string_view line, std::size_t search_from, const LineTime* time);
  void read_header_details(std::string_view prefix, std::string_view tail);
  bool try_glued_record(std::string_view line, std::size_t own_time_size);
  bool try_header_label(std::string_view line);
  bool try_sip_line(std::string_view rest, const LineTime& time);
  void hold_sip();
  bool on_held_sip_line(std::string_view line);
  void release_sip();
  void begin_message(std::string_view name, const LineTime* time);
  void begin_event(std::string_view name, const LineTime* time);
  void end_message();
  void note_time(LineTime time);
  void set_local_start(model::Micros local);
  void apply_times(model::Event& event);
  void report(std::string_view code, std::string message);

  FileInfo& info_;
  std::uint32_t file_index_;
  base::Diagnostics& diagnostics_;
  const EventCallback& sink_;
  std::size_t max_line_;
  bool header_details_ = true;

  std::string partial_;  // the unfinished last line of the previous chunk
  bool partial_cut_ = false;
  std::uint64_t partial_dropped_ = 0;  // bytes cut from the front of partial_
  std::uint64_t line_no_ = 0;          // number of the line being handled
  std::uint64_t line_offset_ = 0;      // its byte offset
  std::uint64_t next_offset_ = 0;      // offset of the next unread byte

  State state_ = State::Idle;
  model::Event event_;
  MessageBuilder builder_;
  SipMessageReader sip_;
  std::uint32_t held_lines_ = 0;  // lines read while a SIP message is held
  ProblemCallback problem_;

  // Local date context: the day of the last dated line, advanced at midnight.
  std::optional<std::int64_t> day_;
  std::int64_t last_time_of_day_ = -1;
  LineTime last_time_;
  bool have_time_ = false;
  bool offset_checked_ = false;
  bool utc_time_label_ = false;  // the header has "UTC time:"
  // Whether the last try_message_header() found a keyword at all.
  bool last_line_has_keyword_ = false;

  ParserCheckpoint checkpoint_;
  void take_checkpoint();
};

}  // namespace calltrail::parse
