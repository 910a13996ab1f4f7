// Fields carry which attribute they are (model::Attr): the builder tells it
// once from the name, and the parser's time reading and the collector read it.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "calltrail/model/event.hpp"
#include "calltrail/model/identifiers.hpp"
#include "parse_support.hpp"

namespace calltrail::model {
namespace {

const std::vector<std::pair<std::string, Attr>> kNames = {
    {"AttributeANI", Attr::ANI},
    {"AttributeDNIS", Attr::DNIS},
    {"AttributeConnID", Attr::ConnID},
    {"AttributeThisDN", Attr::ThisDN},
    {"AttributeOtherDN", Attr::OtherDN},
    {"AttributeThirdPartyDN", Attr::ThirdPartyDN},
    {"AttributeCallUUID", Attr::CallUUID},
    {"AttributeCallType", Attr::CallType},
    {"AttributeUserData", Attr::UserData},
    {"AttributeISLinkList", Attr::ISLinkList},
    {"AttributeNewCallUUID", Attr::NewCallUUID},
    {"AttributeRefCallUUID", Attr::RefCallUUID},
    {"AttributeOrigCallUUID", Attr::OrigCallUUID},
    {"AttributeTransferConnID", Attr::TransferConnID},
    {"AttributePreviousConnID", Attr::PreviousConnID},
    {"AttributeFirstTransferConnID", Attr::FirstTransferConnID},
    {"AttributeLastTransferConnID", Attr::LastTransferConnID},
    {"AttributeOtherConnID", Attr::OtherConnID},
    {"AttributeEventSequenceNumber", Attr::EventSequenceNumber},
    {"AttributeTimeStamp", Attr::TimeStamp},
    {"AttributeTimeinSecs", Attr::TimeinSecs},
    {"AttributeTimeinuSecs", Attr::TimeinuSecs},
    {"AttributeReferenceID", Attr::ReferenceID},
    {"AttributePrivateMsgID", Attr::PrivateMsgID},
    {"AttributeExtensions", Attr::Extensions},
    {"AttributeFirstTransferHomeLocation", Attr::FirstTransferHomeLocation},
    {"AttributeLastTransferOrigDN", Attr::LastTransferOrigDN},
};

TEST(Attr, EveryNameIsToldAndNothingElse) {
  for (const auto& [name, attr] : kNames) {
    EXPECT_EQ(classify_attribute(name), attr) << name;
    // One byte off, one byte more or less: another attribute.
    std::string off = name;
    off.back() = static_cast<char>(off.back() ^ 0x20);
    EXPECT_EQ(classify_attribute(off), Attr::Other) << off;
    EXPECT_EQ(classify_attribute(name + "s"), Attr::Other) << name;
    EXPECT_EQ(classify_attribute(name.substr(0, name.size() - 1)), Attr::Other) << name;
    // A byte off anywhere after "Attribute".
    for (std::size_t at = 9; at < name.size(); ++at) {
      std::string inner = name;
      inner[at] = static_cast<char>(inner[at] ^ 0x01);
      EXPECT_EQ(classify_attribute(inner), Attr::Other) << inner;
    }
  }
  EXPECT_EQ(classify_attribute(""), Attr::Other);
  EXPECT_EQ(classify_attribute("AttributeCallState"), Attr::Other);
  EXPECT_EQ(classify_attribute("AttributeReason"), Attr::Other);
  EXPECT_EQ(classify_attribute(std::string(200, 'A')), Attr::Other);
  EXPECT_TRUE(is_conn_id_attribute("AttributeFirstTransferConnID"));
  EXPECT_FALSE(is_conn_id_attribute("AttributeCallUUID"));
  EXPECT_TRUE(is_call_uuid_attribute("AttributeOrigCallUUID"));
  EXPECT_FALSE(is_call_uuid_attribute("AttributeConnID"));
}

TEST(Attr, TheParserTellsTopLevelAttributesOnly) {
  const auto parsed = test::parse_text(
      "@09:30:32.6180 [0] 8.1.001.03 distribute_event: message EventAttachedDataChanged\n"
      "\tAttributeConnID\t006a0229a97fe902\n"
      "\tAttributeReferenceID\t337\n"
      "\tAttributeCallState\t0\n"
      "\tAttributeUserData\t[40] 00 02 00 00..\n"
      "\t\t'AttributeConnID'\t'x'\n"
      "\t\t'Segment'\t'silver'\n");
  ASSERT_EQ(parsed.events.size(), 1u);
  const Event& e = parsed.events[0];
  std::vector<Attr> got;
  for (const auto& f : e.fields())
    got.push_back(e.attr(f));
  EXPECT_EQ(got, (std::vector<Attr>{Attr::ConnID, Attr::ReferenceID, Attr::Other, Attr::UserData,
                                    Attr::Other, Attr::Other}));
  for (const auto& f : e.fields())
    EXPECT_NE(f.attr, Attr::Unclassified);  // told when made, not looked up again
}

}  // namespace
}  // namespace calltrail::model
