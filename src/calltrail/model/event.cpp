#include "calltrail/model/event.hpp"

#include <cassert>
#include <charconv>

#include "calltrail/base/hex.hpp"

namespace calltrail::model {

Attr classify_attribute(std::string_view k) {
  // By length first: most names are told apart without comparing bytes.
  switch (k.size()) {
    case 12:
      if (k == "AttributeANI") return Attr::ANI;
      break;
    case 13:
      if (k == "AttributeDNIS") return Attr::DNIS;
      break;
    case 15:
      if (k == "AttributeConnID") return Attr::ConnID;
      if (k == "AttributeThisDN") return Attr::ThisDN;
      break;
    case 16:
      if (k == "AttributeOtherDN") return Attr::OtherDN;
      break;
    case 17:
      if (k == "AttributeCallUUID") return Attr::CallUUID;
      if (k == "AttributeCallType") return Attr::CallType;
      if (k == "AttributeUserData") return Attr::UserData;
      break;
    case 18:
      if (k == "AttributeTimeStamp") return Attr::TimeStamp;
      break;
    case 19:
      if (k == "AttributeISLinkList") return Attr::ISLinkList;
      if (k == "AttributeTimeinSecs") return Attr::TimeinSecs;
      break;
    case 20:
      if (k == "AttributeNewCallUUID") return Attr::NewCallUUID;
      if (k == "AttributeRefCallUUID") return Attr::RefCallUUID;
      if (k == "AttributeOtherConnID") return Attr::OtherConnID;
      if (k == "AttributeTimeinuSecs") return Attr::TimeinuSecs;
      break;
    case 21:
      if (k == "AttributeOrigCallUUID") return Attr::OrigCallUUID;
      if (k == "AttributeThirdPartyDN") return Attr::ThirdPartyDN;
      break;
    case 23:
      if (k == "AttributeTransferConnID") return Attr::TransferConnID;
      if (k == "AttributePreviousConnID") return Attr::PreviousConnID;
      break;
    case 27:
      if (k == "AttributeLastTransferConnID") return Attr::LastTransferConnID;
      break;
    case 28:
      if (k == "AttributeFirstTransferConnID") return Attr::FirstTransferConnID;
      if (k == "AttributeEventSequenceNumber") return Attr::EventSequenceNumber;
      break;
    default:
      break;
  }
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

std::uint32_t Event::append_text(std::string_view s) {
  auto off = static_cast<std::uint32_t>(text_.size());
  text_.append(s);
  return off;
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
