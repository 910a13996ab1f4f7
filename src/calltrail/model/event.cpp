#include "calltrail/model/event.hpp"

#include <array>
#include <cassert>
#include <charconv>
#include <cstring>

#include "calltrail/base/hex.hpp"
#include "calltrail/model/sip_keys.hpp"

namespace calltrail::model {

namespace {

// Eight bytes of `s` from `at` as one word (little-endian), 0 past its end.
constexpr std::uint64_t word_at(std::string_view s, std::size_t at) {
  std::uint64_t w = 0;
  for (std::size_t i = 0; i < 8 && at + i < s.size(); ++i)
    w |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return w;
}

std::uint64_t load_word(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

constexpr std::string_view kPrefix = "Attribute";
constexpr std::uint64_t kPrefixWord = word_at(kPrefix, 0);

// A name after "Attribute", as the words classify_attribute() compares: the
// last eight bytes of the name, and the eight from bytes 9, 17 and 25 where
// the name goes past them (so that together they cover it).
struct NamedAttr {
  constexpr NamedAttr(std::string_view n, Attr a)
      : name(n),
        attr(a),
        last(word_at(n, n.size() - 8)),
        from9(n.size() > 17 ? word_at(n, 9) : 0),
        from17(n.size() > 25 ? word_at(n, 17) : 0),
        from25(n.size() > 33 ? word_at(n, 25) : 0) {}
  std::string_view name;
  Attr attr;
  std::uint64_t last, from9, from17, from25;
};

// By name length, so that a name is compared only with those of its length.
constexpr NamedAttr kNamedAttrs[] = {
    {"AttributeANI", Attr::ANI},
    {"AttributeDNIS", Attr::DNIS},
    {"AttributeConnID", Attr::ConnID},
    {"AttributeThisDN", Attr::ThisDN},
    {"AttributeOtherDN", Attr::OtherDN},
    {"AttributeCallUUID", Attr::CallUUID},
    {"AttributeCallType", Attr::CallType},
    {"AttributeUserData", Attr::UserData},
    {"AttributeTimeStamp", Attr::TimeStamp},
    {"AttributeISLinkList", Attr::ISLinkList},
    {"AttributeExtensions", Attr::Extensions},
    {"AttributeTimeinSecs", Attr::TimeinSecs},
    {"AttributeNewCallUUID", Attr::NewCallUUID},
    {"AttributeRefCallUUID", Attr::RefCallUUID},
    {"AttributeOtherConnID", Attr::OtherConnID},
    {"AttributeTimeinuSecs", Attr::TimeinuSecs},
    {"AttributeReferenceID", Attr::ReferenceID},
    {"AttributeOrigCallUUID", Attr::OrigCallUUID},
    {"AttributePrivateMsgID", Attr::PrivateMsgID},
    {"AttributeThirdPartyDN", Attr::ThirdPartyDN},
    {"AttributeTransferConnID", Attr::TransferConnID},
    {"AttributePreviousConnID", Attr::PreviousConnID},
    {"AttributeLastTransferConnID", Attr::LastTransferConnID},
    {"AttributeLastTransferOrigDN", Attr::LastTransferOrigDN},
    {"AttributeFirstTransferConnID", Attr::FirstTransferConnID},
    {"AttributeEventSequenceNumber", Attr::EventSequenceNumber},
    {"AttributeFirstTransferOrigDN", Attr::FirstTransferOrigDN},
    {"AttributeLastTransferHomeLocation", Attr::LastTransferHomeLocation},
    {"AttributeFirstTransferHomeLocation", Attr::FirstTransferHomeLocation},
};
constexpr std::size_t kShortestName = 12;
constexpr std::size_t kLongestName = 34;

// For each length, where its names start in kNamedAttrs (and end: the next).
constexpr std::array<std::uint8_t, kLongestName + 2> kFirstOfLength = [] {
  std::array<std::uint8_t, kLongestName + 2> first{};
  std::size_t at = 0;
  for (std::size_t len = 0; len <= kLongestName + 1; ++len) {
    while (at < std::size(kNamedAttrs) && kNamedAttrs[at].name.size() < len)
      ++at;
    first[len] = static_cast<std::uint8_t>(at);
  }
  return first;
}();

}  // namespace

Attr classify_attribute(std::string_view k) {
  // Every parsed attribute line comes here: words, not byte by byte.
  const std::size_t n = k.size();
  if (n < kShortestName || n > kLongestName || load_word(k.data()) != kPrefixWord ||
      k[8] != kPrefix[8]) {
    return Attr::Other;
  }
  const std::uint64_t last = load_word(k.data() + n - 8);
  const std::uint64_t from9 = n > 17 ? load_word(k.data() + 9) : 0;
  const std::uint64_t from17 = n > 25 ? load_word(k.data() + 17) : 0;
  const std::uint64_t from25 = n > 33 ? load_word(k.data() + 25) : 0;
  for (std::size_t i = kFirstOfLength[n]; i < kFirstOfLength[n + 1]; ++i) {
    const NamedAttr& a = kNamedAttrs[i];
    if (a.last == last && a.from9 == from9 && a.from17 == from17 && a.from25 == from25)
      return a.attr;
  }
  return Attr::Other;
}

Attr classify_sip_key(std::string_view k) {
  namespace s = sip_keys;
  static constexpr std::pair<std::string_view, Attr> kKeys[] = {
      {s::kDirection, Attr::SipDirection},
      {s::kMethod, Attr::SipMethod},
      {s::kStatus, Attr::SipStatus},
      {s::kRequestUri, Attr::SipRequestUri},
      {s::kCallId, Attr::SipCallId},
      {s::kFrom, Attr::SipFrom},
      {s::kTo, Attr::SipTo},
      {s::kToTag, Attr::SipToTag},
      {s::kGenesysCallUuid, Attr::SipGenesysCallUuid},
      {s::kReason, Attr::SipReason},
      {s::kCallUuid, Attr::SipMappedCallUuid},
      {s::kRecording, Attr::SipRecording},
  };
  for (const auto& [key, attr] : kKeys)
    if (key == k) return attr;
  return Attr::Other;
}

const Field* Event::attribute(std::string_view attribute_name) const {
  for (std::uint32_t i = 0; i < fields_.size(); i = fields_[i].end) {
    if (key(fields_[i]) == attribute_name) return &fields_[i];
  }
  return nullptr;
}

std::string_view Event::attribute_value(std::string_view attribute_name) const {
  const Field* f = attribute(attribute_name);
  return f == nullptr ? std::string_view{} : value(*f);
}

std::vector<std::uint32_t> Event::children(std::uint32_t index) const {
  std::vector<std::uint32_t> out;
  assert(index < fields_.size());
  for (std::uint32_t i = index + 1; i < fields_[index].end; i = fields_[i].end)
    out.push_back(i);
  return out;
}

std::optional<std::uint64_t> Event::sequence_number() const {
  const Field* f = attribute("AttributeEventSequenceNumber");
  if (f == nullptr) return std::nullopt;
  return sequence_number(*f);
}

std::optional<std::uint64_t> Event::sequence_number(const Field& f) const {
  std::string_view v = value(f);
  if (v.empty()) return std::nullopt;
  // Printed as 16 hex digits by T-Servers; some clients print it in decimal.
  if (f.kind != ValueKind::Integer || v.size() >= 16) return base::parse_hex(v);
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc{} || p != v.data() + v.size()) return std::nullopt;
  return n;
}

std::vector<IsLinkEntry> Event::islinks() const {
  std::vector<IsLinkEntry> out;
  const Field* list = attribute("AttributeISLinkList");
  if (list == nullptr || list->kind != ValueKind::List) return out;
  for (std::uint32_t c : children(static_cast<std::uint32_t>(list - fields_.data()))) {
    IsLinkEntry entry{key(fields_[c]), {}, {}};
    for (std::uint32_t k = c + 1; k < fields_[c].end; k = fields_[k].end) {
      if (key(fields_[k]) == "location-name") entry.location = value(fields_[k]);
      if (key(fields_[k]) == "direction-role") entry.role = value(fields_[k]);
    }
    out.push_back(entry);
  }
  return out;
}

void Event::clear() {
  name.clear();
  kind = MessageKind::Event;
  emitter.clear();
  peer.clear();
  thread.clear();
  version.clear();
  app.clear();
  times = {};
  where = {};
  text_.clear();
  fields_.clear();
}

}  // namespace calltrail::model
