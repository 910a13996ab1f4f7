// The masker over each print style the parser reads: the values learned from
// the parsed messages (and those found by their shape) leave no trace, the
// same value gets the same token, identifiers stay.
#include "calltrail/bundle/mask.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "calltrail/base/diagnostics.hpp"
#include "calltrail/parse/log_parser.hpp"

namespace calltrail::bundle {
namespace {

// Parses `text` and teaches every message to `m`.
void learn_text(Masker& m, const std::string& text) {
  parse::FileInfo info;
  info.path = "test.log";
  base::Diagnostics d;
  const parse::EventCallback sink = [&m](model::Event& e) { m.learn(e); };
  parse::LogParser p(info, 0, d, sink);
  p.feed(text);
  p.finish();
}

struct Style {
  const char* name;
  std::string text;
  std::vector<std::string> secrets;  // must not survive
  std::vector<std::string> kept;     // must survive
};

std::vector<Style> styles() {
  return {
      {"tlib attribute lines (T-Server, tabs, straight quotes)",
       "@14:41:00.4955 [0] 8.1.001.03 distribute_event: message EventRinging\n"
       "\tAttributeEventSequenceNumber\t000000000002d478\n"
       "\tAttributeTimeinSecs\t1351500060 (14:41:00)\n"
       "\tAttributeConnID\t009a021843038407\n"
       "\tAttributeCallUUID\t'01AE904GK088LFQD2CGB02LAES0000EP'\n"
       "\tAttributeThisDN\t'7070'\n"
       "\tAttributeOtherDN\t'+15551234567'\n"
       "\tAttributeANI\t'+15551234567'\n"
       "\tAttributeDNIS\t'8005550199'\n"
       "\tAttributeUserData\t[120] 00 03 00 00..\n"
       "\t\t'CustomerId'\t'C-004711'\n"
       "\t\t'Language'\t'en'\n"
       "\t\t'Nested'\t(list) 'Email'\t'jane.doe@example.com'\n"
       "\t\t\t'Vip'\t'Y'\n",
       {"+15551234567", "5551234567", "8005550199", "C-004711", "jane.doe@example.com",
        "'Language'\t'en'", "'Vip'\t'Y'"},
       {"009a021843038407", "01AE904GK088LFQD2CGB02LAES0000EP", "'7070'", "8.1.001.03",
        "1351500060", "'CustomerId'", "'Language'"}},
      {"one-line KV list with curly quotes (seed)",
       "@10:41:00.4955 [0] 8.1.001.03 distribute call/party event: message EventCallDataChanged "
       "AttributeConnID 009a021843038407 AttributeCallUUID ‘01AE904GK088LFQD2CGB02LAES0000EP’ "
       "AttributeANI ‘5550001111’ AttributeUserData [40] 00 01 00 00.. ‘AccountNo’ ‘778899’ "
       "AttributeISLinkList [108] 00 01 03 00.. ‘00RP30KH7088L1IC08GB82LAES000316’(list) "
       "‘location-name’ ‘Tserver2@Avaya_Switch1’ ‘direction-role’ ‘target’\n",
       {"5550001111", "778899"},
       {"00RP30KH7088L1IC08GB82LAES000316", "AccountNo", "Tserver2@Avaya_Switch1"}},
      {"ISO prefix and client-side printout (PSDK)",
       "2015-01-07 13:14:26,572 TEST DEBUG [THREAD : 25] - Sending message to TServer - "
       "tcp://10.11.12.13:7000\n"
       "'RequestAttachUserData' ('30')\n"
       "message attributes:\n"
       "AttributeConnID [long] = 00890\n"
       "AttributeThisDN [str] = \"+4930123456\"\n"
       "AttributeEventSequenceNumber [long] = 4899493\n"
       "AttributeUserData [bstr] = KVList: \n"
       "\t\t'ActivityID' [str] = \"A-778\"\n"
       "\t\t'Phone' [str] = \"0612345678\"\n",
       {"10.11.12.13", "+4930123456", "A-778", "0612345678"},
       {"4899493", "2015-01-07 13:14:26,572", "'ActivityID'"}},
      {"time-only prefix, SIP message with IPv4 and IPv6",
       "13:55:31.501: SIPTR: Received [0,UDP] 437 bytes from 192.168.210.54:5061 <<<<<\n"
       "INVITE sip:+18005550100@192.168.210.81 SIP/2.0\n"
       "Via: SIP/2.0/UDP [2001:db8::7]:5061;branch=z9hG4bKPj9998e7c7\n"
       "From: \"Jane Doe\" <sip:+15557654321@192.168.210.54>;tag=778c1723\n"
       "To: <sip:1002@192.168.210.81>\n"
       "P-Asserted-Identity: <tel:+15557654321>\n"
       "Contact: <sip:jdoe@[fe80::1ff:fe23:4567:890a]:5061>\n"
       "Call-ID: f676c68a-9916-488f-8df2-9864cf5f4492@192.168.210.54\n"
       "CSeq: 51635 INVITE\n"
       "Content-Length: 0\n\n",
       {"192.168.210.54", "192.168.210.81", "2001:db8::7", "+15557654321", "5557654321", "Jane Doe",
        "+18005550100", "jdoe", "fe80::1ff:fe23:4567:890a", "1002@"},
       {"f676c68a-9916-488f-8df2-9864cf5f4492@", "CSeq: 51635", "13:55:31.501",
        "z9hG4bKPj9998e7c7"}},
      {"log message ids and agent lines",
       "2016-04-20T09:22:09.969 Trc 04541 Message EventAgentNotReady received from "
       "'sipserver_01_p@+43891166406129992'\n"
       "09:22:09.970 [LS] '00AGCH16J4BHF6E1GNHNK2LAES00000R' ProcessEvent=AgentEventNotReady "
       "dev='+43891166406129992'\n",
       {"+43891166406129992"},
       {"Trc 04541", "00AGCH16J4BHF6E1GNHNK2LAES00000R"}},
  };
}

TEST(Mask, EveryPrintStyleLeavesNoTraceOfItsPersonalValues) {
  for (const Style& s : styles()) {
    Masker m;
    learn_text(m, s.text);
    const std::string out = m.mask_text(s.text);
    for (const auto& secret : s.secrets)
      EXPECT_EQ(out.find(secret), std::string::npos) << s.name << ": " << secret << "\n" << out;
    for (const auto& keep : s.kept)
      EXPECT_NE(out.find(keep), std::string::npos) << s.name << ": " << keep << "\n" << out;
  }
}

TEST(Mask, TheSameValueGetsTheSameTokenInTextAndJson) {
  Masker m;
  learn_text(m, styles()[0].text);
  const std::string text = m.mask_text(styles()[0].text);
  const std::string json = m.mask_json(
      R"({"legs":[{"ani":"+15551234567","dnis":"8005550199","dns":["7070","+15551234567"],)"
      R"("user_data":{"CustomerId":"C-004711","Language":"en"},"events":12}],)"
      R"("note":"from sip:+15551234567@10.0.0.1"})");
  // The ANI's token, as the text gave it, is the one the JSON has.
  std::smatch ani;
  ASSERT_TRUE(std::regex_search(text, ani, std::regex("AttributeANI\t'(PHONE-[0-9]+)'")));
  EXPECT_NE(json.find("\"ani\":\"" + ani[1].str() + "\""), std::string::npos) << json;
  EXPECT_NE(json.find("sip:" + ani[1].str() + "@IP-"), std::string::npos) << json;
  std::smatch cust;
  ASSERT_TRUE(std::regex_search(text, cust, std::regex("'CustomerId'\t'(UDATA-[0-9]+)'")));
  EXPECT_NE(json.find("\"CustomerId\":\"" + cust[1].str() + "\""), std::string::npos) << json;
  // Numbers and short DNs stay; the JSON is still JSON.
  EXPECT_NE(json.find("\"events\":12"), std::string::npos) << json;
  EXPECT_NE(json.find("\"7070\""), std::string::npos) << json;
  EXPECT_EQ(json.find("C-004711"), std::string::npos) << json;
  EXPECT_EQ(json.find("\"en\""), std::string::npos) << json;
}

TEST(Mask, KeptKeysKeepTheirValues) {
  Masker m({"Language"});
  learn_text(m, styles()[0].text);
  const std::string out = m.mask_text(styles()[0].text);
  EXPECT_NE(out.find("'Language'\t'en'"), std::string::npos) << out;
  EXPECT_EQ(out.find("C-004711"), std::string::npos) << out;
  const std::string json = m.mask_json(R"({"user_data":{"Language":"en","CustomerId":"x1"}})");
  EXPECT_NE(json.find("\"Language\":\"en\""), std::string::npos) << json;
  EXPECT_EQ(json.find("x1"), std::string::npos) << json;
}

TEST(Mask, PhoneShapes) {
  EXPECT_TRUE(looks_like_phone("+15551234567"));
  EXPECT_TRUE(looks_like_phone("555-123-4567"));
  EXPECT_TRUE(looks_like_phone("(555) 123 4567"));
  EXPECT_FALSE(looks_like_phone("7070"));
  EXPECT_FALSE(looks_like_phone("009a021843038407"));
  EXPECT_FALSE(looks_like_phone("1234567890123456"));
  EXPECT_FALSE(looks_like_phone("+"));
  EXPECT_FALSE(looks_like_phone(""));
}

TEST(Mask, NotJsonIsMaskedAsText) {
  Masker m;
  const std::string out = m.mask_json("{not json 192.168.1.20");
  EXPECT_EQ(out.find("192.168.1.20"), std::string::npos) << out;
}

}  // namespace
}  // namespace calltrail::bundle
