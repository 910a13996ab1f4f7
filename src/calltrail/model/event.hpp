// The T-Library event: one message (event or request) read from a log, with
// every attribute typed, its times and where it came from.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace calltrail::model {

enum class ValueKind : std::uint8_t {
  String,   // quoted text: 'abc', ‘abc’, "abc"; ” and '' are the empty string
  Integer,  // decimal digits, optionally signed
  Hex,      // bare hex digits that are not a plain decimal (ConnIDs, sequence numbers, time stamps)
  Bare,     // any other bare token (an enum name such as EventDiverted)
  List,     // a KV list; its pairs follow in the field table
};

// The attributes that correlation and the parser's time reading look at.
// A field carries its own (Field::attr), told once when the field is made,
// so that they need not be found again by comparing names.
enum class Attr : std::uint8_t {
  Other,  // any other attribute, and every pair of a KV list
  ConnID,
  CallUUID,
  ThisDN,
  OtherDN,
  ThirdPartyDN,
  ANI,
  DNIS,
  CallType,
  UserData,
  ISLinkList,
  NewCallUUID,
  RefCallUUID,
  OrigCallUUID,
  TransferConnID,
  PreviousConnID,
  FirstTransferConnID,
  LastTransferConnID,
  // ISCC call history (strings): where a call that came from another site was.
  FirstTransferHomeLocation,
  FirstTransferOrigDN,
  LastTransferHomeLocation,
  LastTransferOrigDN,
  OtherConnID,
  EventSequenceNumber,
  // What a recording request and its answer carry (parse/recording.hpp).
  ReferenceID,
  PrivateMsgID,
  Extensions,
  TimeStamp,
  TimeinSecs,
  TimeinuSecs,
  // The attributes of SIP events (parse/sip_message.hpp, sip_keys) that the
  // collector reads.
  SipDirection,
  SipMethod,
  SipStatus,
  SipRequestUri,
  SipCallId,
  SipFrom,
  SipTo,
  SipToTag,
  SipGenesysCallUuid,
  SipReason,
  SipMappedCallUuid,  // the CallUUID of a `CID:CUUID>` line
  SipRecording,       // a recording request's token (parse/recording.hpp)
  Unclassified,       // not told when the field was made: Event::attr() tells it
};

// Which of them an attribute name is.
Attr classify_attribute(std::string_view name);
// Which of them a SIP event's attribute key is (Other for the rest).
Attr classify_sip_key(std::string_view key);

// One attribute of a message or one pair of a KV list. Fields are stored flat
// in pre-order: a List field is followed by its descendants, and `end` is the
// index one past its last descendant.
struct Field {
  std::uint32_t key_offset = 0;  // into Event::text()
  std::uint32_t key_size = 0;
  std::uint32_t value_offset = 0;
  std::uint32_t value_size = 0;
  std::uint32_t end = 0;    // one past the last descendant (index + 1 for scalars)
  std::int64_t number = 0;  // Integer value, or the declared pair count of a List
  ValueKind kind = ValueKind::String;
  std::uint8_t depth = 0;  // 0 for attributes, 1 for their pairs, ...
  Attr attr = Attr::Unclassified;
};

// Event and Request: T-Library messages. Sip: a SIP message the site sent or
// received, or a `CID:CUUID>` line that maps a SIP Call-ID to a CallUUID
// (docs/log-format.md, "SIP").
enum class MessageKind : std::uint8_t { Event, Request, Sip };

// Where a message came from in its log.
struct Provenance {
  std::uint32_t file_index = 0;  // into the file table of the reader that produced the event
  std::uint64_t line = 0;        // 1-based line of the message's first line
  std::uint64_t offset = 0;      // byte offset of that line in the (decompressed) input
};

// Microseconds since the Unix epoch.
using Micros = std::int64_t;

struct EventTimes {
  // UTC from AttributeTimeStamp or AttributeTimeinSecs/TimeinuSecs.
  std::optional<Micros> utc_stamp;
  // Local wall-clock time of the line prefix. `local_date_known` says whether
  // the date part is real (ISO line, header, file name) or the epoch day.
  Micros local = 0;
  bool local_date_known = false;
  std::uint8_t local_digits = 0;  // fraction digits printed in the line (3 or 4)
  // The site's UTC offset (local - UTC) in seconds when known.
  std::optional<std::int32_t> utc_offset;

  // UTC: the stamp when present, else local time corrected by the offset.
  std::optional<Micros> utc() const {
    if (utc_stamp) return utc_stamp;
    if (utc_offset && local_date_known) return local - Micros{*utc_offset} * 1'000'000;
    return std::nullopt;
  }
};

// One entry of AttributeISLinkList: the link id and its inner pairs.
struct IsLinkEntry {
  std::string_view id;
  std::string_view location;  // location-name: the remote site
  std::string_view role;      // direction-role: source or target
};

class Event {
 public:
  std::string name;  // EventRinging, RequestQueryCall, ...
  MessageKind kind = MessageKind::Event;
  std::string emitter;  // distribute_event, send_to_client, received from, request to, ...
  std::string peer;  // client or server named by the header, e.g. "[66] (00000e85 APP 10.1.2.3:1)"
  std::string thread;   // "[0]" style thread tag, or BSYNC
  std::string version;  // application version printed in the header
  std::string app;      // application name (header, file name or header line)
  EventTimes times;
  Provenance where;

  // Storage for keys and values; fields point into it.
  const std::string& text() const { return text_; }
  std::span<const Field> fields() const { return fields_; }

  std::string_view key(const Field& f) const { return view(f.key_offset, f.key_size); }
  // Which attribute `f` is (Attr::Other for a KV pair).
  Attr attr(const Field& f) const {
    if (f.depth != 0) return Attr::Other;
    if (f.attr != Attr::Unclassified) return f.attr;
    return kind == MessageKind::Sip ? classify_sip_key(key(f)) : classify_attribute(key(f));
  }
  std::string_view value(const Field& f) const { return view(f.value_offset, f.value_size); }

  // The top-level attribute called `name` ("AttributeConnID"), or null.
  const Field* attribute(std::string_view attribute_name) const;
  // The value of a scalar attribute, or empty when absent.
  std::string_view attribute_value(std::string_view attribute_name) const;
  // Direct children of the List field at `index` (indices into fields()).
  std::vector<std::uint32_t> children(std::uint32_t index) const;

  // Calls `fn(index)` for each direct child of the List field at `index`.
  template <typename Fn>
  void for_each_child(std::uint32_t index, Fn&& fn) const {
    for (std::uint32_t i = index + 1; i < fields_[index].end; i = fields_[i].end)
      fn(i);
  }

  std::optional<std::uint64_t> sequence_number() const;
  // The value of an AttributeEventSequenceNumber field of this event.
  std::optional<std::uint64_t> sequence_number(const Field& f) const;
  // The entries of AttributeISLinkList, in order (empty when absent).
  std::vector<IsLinkEntry> islinks() const;

  // Building. Inline: the parser appends each kept key and value.
  std::uint32_t append_text(std::string_view s) {
    const auto off = static_cast<std::uint32_t>(text_.size());
    text_.append(s);
    return off;
  }
  std::vector<Field>& mutable_fields() { return fields_; }
  void clear();

 private:
  std::string_view view(std::uint32_t off, std::uint32_t size) const {
    return std::string_view(text_).substr(off, size);
  }
  std::string text_;
  std::vector<Field> fields_;
};

}  // namespace calltrail::model
