// Turns the attribute text of one T-Library message into typed fields.
//
// The text arrives line by line (or as the tail of a one-line message) in any
// of the printed variants: TAB-separated, runs of spaces or NBSP, straight or
// curly quotes, KV lists whose pairs sit on their own lines or on the same
// line. Nesting of KV lists is decided by indentation where the text has it
// and by the pair count in the list header where it does not.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "calltrail/model/event.hpp"

namespace calltrail::parse {

// Limits that hold whatever a message says (docs/log-format.md, "Limits"):
// lists nested deeper are kept flat at this depth, and a message stops taking
// attributes once it has this many fields or bytes of keys and values.
inline constexpr std::size_t kMaxListDepth = 64;
inline constexpr std::size_t kMaxMessageFields = 100'000;
inline constexpr std::size_t kMaxMessageBytes = 16 << 20;

// How much of a message's attribute text is kept. Whatever the level, the
// message's name, extent, times and diagnostics are the same, and so are the
// fields of the attributes model::Attr names (ConnID, CallUUID, the parties,
// the transfer and ISCC attributes, EventSequenceNumber, the times, those of
// recording requests) and of AttributeISLinkList with its pairs. What is not
// kept is passed over in the usual print style (TABs or runs of spaces, one
// attribute or pair per line) and in a one-line message's leading pairs of
// the usual shapes; the rest of such a message keeps everything.
enum class TlibDetail : std::uint8_t {
  // What links a leg to others (a trace's first reading): of any other
  // attribute no field is kept, and the pairs of any other KV list keep their
  // place (the pair count is checked) but no text.
  Keys,
  // What a correlation keeps: also the pairs of AttributeUserData and of
  // AttributeExtensions (recording requests).
  Call,
  // Every attribute and pair with its text.
  Whole,
};

// Called for malformed attribute text: a stable code and what was expected.
using ProblemCallback = std::function<void(std::string_view code, std::string message)>;

class MessageBuilder {
 public:
  // Starts filling `event` (its fields must be empty).
  void start(model::Event& event);
  // Adds attribute text. `indent` is the width of the physical line's leading
  // whitespace (TAB = 4), or -1 when the text continues a line that already
  // had other content (a one-line message's tail).
  void add(std::string_view text, int indent, const ProblemCallback& problem);
  // The common case of add() without its general tokenizer: TABs, then
  // "AttributeName<TAB>value" or "'key'<TAB>value". Returns false, having
  // changed nothing, for any other line.
  bool add_tab_line(std::string_view line, const ProblemCallback& problem);
  // Closes open lists and checks their declared sizes.
  void finish(const ProblemCallback& problem);

  bool active() const { return event_ != nullptr; }
  void set_detail(TlibDetail detail) { detail_ = detail; }

  // Where the text given next comes from (line number, byte offset), so a
  // problem found later can name the line it belongs to.
  struct Position {
    std::uint64_t line = 0;
    std::uint64_t offset = 0;
  };
  void set_position(Position p) { position_ = p; }
  // During a problem callback: the line the problem belongs to when it is not
  // the line being read (a KV list whose pair count is found wrong when a
  // later line closes it).
  const std::optional<Position>& problem_position() const { return problem_position_; }

 private:
  enum class Expect : std::uint8_t { AttributeName, AttributeValue, PairKey, PairValue };
  struct OpenList {
    std::uint32_t field;
    int item_indent;        // indentation of its pairs' lines, -1 until seen
    std::int64_t declared;  // pair count from the header, -1 when not printed
    Position header;        // where the list's header was read
  };

  std::uint32_t add_field(std::string_view key, std::uint8_t depth);
  // add_field() for a key already in the event's text, of attribute `attr`
  // (Other for a pair).
  std::uint32_t place_field(std::uint32_t key_offset, std::string_view key, std::uint8_t depth,
                            model::Attr attr);
  // Whether, at this detail, a top-level scalar attribute of `attr` is kept,
  // and whether the pairs of a list of `attr` keep their text.
  bool keeps_scalar(model::Attr attr) const {
    return detail_ == TlibDetail::Whole || attr != model::Attr::Other;
  }
  bool keeps_pairs(model::Attr attr) const {
    return detail_ == TlibDetail::Whole || attr == model::Attr::ISLinkList ||
           (detail_ == TlibDetail::Call &&
            (attr == model::Attr::UserData || attr == model::Attr::Extensions));
  }
  void set_value(std::uint32_t field, model::ValueKind kind, std::string_view value);
  void set_scalar(std::uint32_t field, std::string_view word);
  // set_scalar() for a word already in the event's text at `offset`, whose
  // class bits after an optional sign are `classes` (see text.hpp).
  void set_stored_scalar(std::uint32_t field, std::string_view word, std::uint32_t offset,
                         std::uint8_t classes);
  void open_list(std::uint32_t field, std::int64_t declared);
  void close_lists_to(std::size_t depth, const ProblemCallback& problem);
  void place_pair_line(int indent);
  void fix_top_level_count(OpenList& list, const ProblemCallback& problem);
  bool add_simple_line(std::string_view text, int indent);
  // The leading "AttributeXxx value" pairs of a one-line message, while they
  // have the shapes servers print; returns where the tokenizer takes over.
  std::size_t add_flat_pairs(std::string_view text);
  // The fields and bytes of text the message has, counting those a lower
  // detail passed over, so that the limits fall at the same place whatever
  // the detail.
  std::size_t field_count() const { return event_->fields().size() + skipped_fields_; }
  // False (reported once) once the message has reached its size limits.
  bool has_room(const ProblemCallback& problem) {
    if (!full_ && field_count() < kMaxMessageFields &&
        event_->text().size() + skipped_bytes_ < kMaxMessageBytes) {
      return true;
    }
    return report_full(problem);
  }
  bool report_full(const ProblemCallback& problem);

  model::Event* event_ = nullptr;
  Expect expect_ = Expect::AttributeName;
  std::uint32_t pending_ = 0;  // field awaiting its value
  std::vector<OpenList> lists_;
  const ProblemCallback* problem_ = nullptr;  // of the add() call in progress
  Position position_;
  std::optional<Position> problem_position_;
  bool depth_reported_ = false;  // kv-depth, once per message
  bool full_ = false;            // message-size reached (and reported)
  TlibDetail detail_ = TlibDetail::Whole;
  // The top-level list being read keeps its pairs' places but not their text.
  bool bare_list_ = false;
  std::size_t skipped_fields_ = 0;
  std::size_t skipped_bytes_ = 0;
};

}  // namespace calltrail::parse
