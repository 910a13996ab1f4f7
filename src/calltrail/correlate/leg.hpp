// A leg: one call (one CallUUID) on one site, with compact references to its
// events rather than the events themselves.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "calltrail/base/release.hpp"
#include "calltrail/base/short_text.hpp"
#include "calltrail/model/event.hpp"

namespace calltrail::correlate {

using model::Micros;

// Where an event is and what the timeline needs to show it. Strings are ids
// into the owning StringPool.
struct EventRef {
  enum Flags : std::uint8_t {
    kHasUtc = 1,      // `utc` is known (stamp, or local time and site offset)
    kUtcStamped = 2,  // `utc` comes from AttributeTimeStamp / TimeinSecs
    kLocalDated = 4,  // `local` carries a real date
    kSip = 8,         // a SIP message (name: method or status; this_dn: Request-URI;
                      // other_dn: the peer address; note: Call-ID, CSeq, Reason)
    kSipSent = 16,    // ... that the site sent (else received)
  };
  // Limits of the packed fields: a file of at most 256 TiB and 2^40 lines,
  // at most kMaxFiles files in one correlation (collect() and the store's
  // loader refuse more).
  static constexpr std::uint64_t kMaxFiles = std::uint64_t{1} << 24;

  Micros utc = 0;    // the site's own clock, UTC
  Micros local = 0;  // the line's local time as printed
  std::uint64_t offset : 48 = 0;
  std::uint64_t flags : 8 = 0;
  std::uint64_t local_digits : 8 = 0;
  std::uint64_t line : 40 = 0;
  std::uint32_t file : 24 = 0;  // index into the file table
  std::uint32_t name = 0;
  std::uint32_t this_dn = 0;
  std::uint32_t other_dn = 0;
  std::uint32_t note = 0;  // key attributes, e.g. "TransferConnID=…"

  bool has_utc() const { return (flags & kHasUtc) != 0; }
  bool is_sip() const { return (flags & kSip) != 0; }
};
// A summary holds one for every T-Library event: its size is most of a
// summary's memory.
static_assert(sizeof(EventRef) == 48);

// A leg's events, kept apart from the rest of the heap: a summary build frees
// most of them at once (BuildOptions::summary), and what it frees is then
// whole pages rather than holes among the legs' other buffers.
using EventList = std::vector<EventRef, base::ApartAllocator<EventRef>>;

// One SIP dialog of a leg: a Call-ID the site mapped to the leg's CallUUID
// (a `CID:CUUID>` line, or X-Genesys-CallUUID on a request the site sent).
struct SipDialog {
  enum class Origin : std::uint8_t { Unknown, Sent, Received };
  base::ShortText call_id;
  Origin origin = Origin::Unknown;  // who sent the dialog's first INVITE
  // X-Genesys-CallUUID of a received INVITE: the sending site's leg.
  base::ShortText remote_uuid;
  // Where and when the site logged the dialog's first INVITE (its strings are
  // not kept here: the event is among the leg's events).
  std::optional<EventRef> invite;
};

// Adds `from` (a leg's dialogs from a later part of its file, or another
// file of its site) to `to`: one dialog per Call-ID, the first INVITE's origin
// wherever it was seen.
inline void merge_sip_dialogs(std::vector<SipDialog>& to, std::vector<SipDialog>&& from) {
  for (auto& d : from) {
    auto it = std::find_if(to.begin(), to.end(),
                           [&](const SipDialog& x) { return x.call_id == d.call_id; });
    if (it == to.end()) {
      to.push_back(std::move(d));
    } else if (it->origin == SipDialog::Origin::Unknown) {
      it->origin = d.origin;
      it->remote_uuid = std::move(d.remote_uuid);
      it->invite = d.invite;
    }
  }
}

// ISCC call history (domain.md §5): a call that arrived from another site
// names, in its DN-based events, where it was transferred from last and where
// the chain began. The first value of each attribute the leg carried.
struct CallHistory {
  struct Origin {
    std::string location;               // Attribute…TransferHomeLocation: the switch
    std::string orig_dn;                // Attribute…TransferOrigDN: the DN that transferred it
    std::optional<std::uint64_t> conn;  // Attribute…TransferConnID: its ConnID there
    bool empty() const { return location.empty() && orig_dn.empty(); }
  };
  Origin last;
  Origin first;
  // Where and when the leg's first event with a location or DN of its history
  // was logged (no strings: the event is among the leg's events).
  std::optional<EventRef> event;
  bool empty() const { return last.empty() && first.empty(); }
};

// Fills what `to` lacks from `from` (a later part of the leg).
inline void merge_call_history(CallHistory& to, const CallHistory& from) {
  auto fill = [](CallHistory::Origin& t, const CallHistory::Origin& f) {
    if (t.location.empty()) t.location = f.location;
    if (t.orig_dn.empty()) t.orig_dn = f.orig_dn;
    if (!t.conn) t.conn = f.conn;
  };
  fill(to.last, from.last);
  fill(to.first, from.first);
  if (!to.event) to.event = from.event;
}

// A leg's user data: key-value pairs in order of appearance, held in one
// text (each key and value after its length) instead of two strings a pair
// (a gigabyte's legs hold hundreds of thousands of pairs).
class UserData {
 public:
  using Pair = std::pair<std::string_view, std::string_view>;

  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = Pair;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Pair;
    Iterator() = default;
    explicit Iterator(const char* at) : at_(at) {}
    Pair operator*() const {
      const std::string_view k = field(at_);
      return {k, field(at_ + kLength + k.size())};
    }
    Iterator& operator++() {
      const std::string_view k = field(at_);
      at_ += 2 * kLength + k.size() + field(at_ + kLength + k.size()).size();
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      ++*this;
      return old;
    }
    bool operator==(const Iterator& o) const { return at_ == o.at_; }

   private:
    const char* at_ = nullptr;
  };

  UserData() = default;
  UserData(std::initializer_list<std::pair<std::string_view, std::string_view>> pairs) {
    for (const auto& [k, v] : pairs)
      emplace_back(k, v);
  }

  // Counted, not kept: a leg's pairs are few, and a count would cost every
  // leg eight bytes.
  std::size_t size() const { return static_cast<std::size_t>(std::distance(begin(), end())); }
  bool empty() const { return text_.empty(); }
  Iterator begin() const { return Iterator(text_.data()); }
  Iterator end() const { return Iterator(text_.data() + text_.size()); }
  Pair front() const { return *begin(); }
  void emplace_back(std::string_view key, std::string_view value) {
    std::string text(text_.view());
    put(text, key);
    put(text, value);
    text_ = text;
  }
  bool contains(std::string_view key, std::string_view value) const {
    for (const auto& [k, v] : *this)
      if (k == key && v == value) return true;
    return false;
  }
  // Adds the pair unless it is there already or `limit` pairs are.
  void add(std::string_view key, std::string_view value, std::size_t limit) {
    if (size() < limit && !contains(key, value)) emplace_back(key, value);
  }
  bool operator==(const UserData& o) const = default;

 private:
  static constexpr std::size_t kLength = sizeof(std::uint32_t);
  static std::string_view field(const char* at) {
    std::uint32_t n = 0;
    std::memcpy(&n, at, kLength);
    return {at + kLength, n};
  }
  static void put(std::string& text, std::string_view s) {
    const auto n = static_cast<std::uint32_t>(s.size());
    text.append(reinterpret_cast<const char*>(&n), kLength);
    text.append(s.data(), n);
  }
  // Exactly the pairs' bytes (a leg's pairs are few: each one added makes
  // the text anew), in place when they are few.
  base::ShortText text_;
};

// A value held on the heap only once it is set: a part most legs lack costs
// them a pointer. Reading one never set gives an empty T; copies copy it.
template <typename T>
class OutOfLine {
 public:
  OutOfLine() = default;
  OutOfLine(const OutOfLine& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
  OutOfLine& operator=(const OutOfLine& o) {
    if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
    return *this;
  }
  OutOfLine(OutOfLine&&) noexcept = default;
  OutOfLine& operator=(OutOfLine&&) noexcept = default;
  ~OutOfLine() = default;

  explicit operator bool() const { return p_ != nullptr; }
  const T& get() const { return p_ ? *p_ : empty(); }
  const T* operator->() const { return &get(); }
  T& set() {
    if (!p_) p_ = std::make_unique<T>();
    return *p_;
  }

 private:
  static const T& empty() {
    static const T value{};
    return value;
  }
  std::unique_ptr<T> p_;
};

struct Leg {
  std::uint32_t site = 0;  // index into the site table (file index while collecting)
  bool deleted = false;    // EventCallDeleted seen
  // Whether any event of the leg has a UTC time (else `start` and `end`
  // mean nothing and are printed as null).
  bool timed = false;
  base::ShortText call_uuid;
  // ConnIDs as numbers (ConnText gives the normalised text), in order of
  // appearance, and the First/LastTransferConnID values.
  std::vector<std::uint64_t> conn_ids;
  OutOfLine<std::vector<std::uint64_t>> transfer_conn_ids;  // most legs have none
  std::vector<base::ShortText> dns;                         // ThisDN, OtherDN, ThirdPartyDN values
  base::ShortText ani;
  base::ShortText dnis;
  base::ShortText call_type;
  UserData user_data;
  EventList events;
  // Events counted but not kept in `events`: a summary collection
  // (CollectMode::Summary) keeps of the SIP messages only those the
  // interaction's summary reads. Zero in every other collection.
  std::uint64_t summarised_events = 0;
  std::vector<SipDialog> sip_dialogs;  // in order of appearance
  OutOfLine<CallHistory> history;      // set when an event carried some
  // Life on the site's own clock (UTC), set when the correlation is built.
  Micros start = 0;
  Micros end = 0;

  // How many events the leg has, kept or summarised.
  std::uint64_t event_count() const { return events.size() + summarised_events; }

  // Adds `dn` to `dns` unless it is empty, already there, or `dns` holds `limit`.
  void add_dn(std::string_view dn, std::size_t limit) {
    if (dn.empty() || dns.size() >= limit) return;
    if (std::find(dns.begin(), dns.end(), dn) == dns.end()) dns.emplace_back(dn);
  }

  bool has_conn_id(std::uint64_t c) const {
    return std::find(conn_ids.begin(), conn_ids.end(), c) != conn_ids.end();
  }
};
// A gigabyte's files hold a few hundred thousand leg parts until the build
// merges them: each byte here is a few hundred kilobytes of the peak.
static_assert(sizeof(Leg) == 224);

}  // namespace calltrail::correlate
