// The ISCC call history an arriving call carries is read onto its leg in
// every print style a log comes in (TAB, spaces, one line with curly quotes),
// with ConnIDs normalised, and kept whole when the leg's events are split
// over several parts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "calltrail/correlate/collect.hpp"

namespace calltrail::correlate {
namespace {

namespace fs = std::filesystem;

// The arrival as a T-Server prints it: attributes on their own lines.
const char* const kTab =
    "@10:37:36.6766 [0] 8.1.001.03 distribute_event: message EventRouteRequest\n"
    "\tAttributeTimeStamp\t508e94b0000a5306\n"
    "\tAttributeConnID\t00b1026b57ea7701\n"
    "\tAttributeCallUUID\t'00NA5TKG0HQINU7DP5KAETCMB60002SK'\n"
    "\tAttributeThisDN\t'1604'\n"
    "\tAttributeLastTransferHomeLocation\t'Avaya_Switch1'\n"
    "\tAttributeLastTransferOrigDN\t'27048'\n"
    "\tAttributeLastTransferConnID\t00B1026B57EA7702\n"
    "\tAttributeFirstTransferHomeLocation\t'Nortel_Switch5'\n"
    "\tAttributeFirstTransferOrigDN\t'47150'\n"
    "\tAttributeFirstTransferConnID\t5f02257e240b01\n"
    "@10:37:38.0000 [0] 8.1.001.03 distribute_event: message EventRinging\n"
    "\tAttributeTimeStamp\t508e94b200000000\n"
    "\tAttributeConnID\t00b1026b57ea7701\n"
    "\tAttributeCallUUID\t'00NA5TKG0HQINU7DP5KAETCMB60002SK'\n"
    "\tAttributeThisDN\t'17001'\n"
    "\tAttributeLastTransferHomeLocation\t'Other_Switch'\n";

std::string spaces(std::string s) {
  for (std::size_t p; (p = s.find('\t')) != std::string::npos;)
    s.replace(p, 1, "    ");
  return s;
}

// As re-published copies have it: a message on one line, curly quotes.
std::string flat(const std::string& tab) {
  std::string out;
  for (std::size_t i = 0; i < tab.size(); ++i) {
    const char ch = tab[i];
    if (ch == '\n' && i + 1 < tab.size() && tab[i + 1] == '\t') {
      out += ' ';
      ++i;
    } else if (ch == '\t') {
      out += ' ';
    } else if (ch == '\'') {
      // Opening quote after a space, closing otherwise.
      out += out.empty() || out.back() == ' ' ? "\xe2\x80\x98" : "\xe2\x80\x99";
    } else {
      out += ch;
    }
  }
  return out;
}

const Leg& arrival_leg(const Correlation& c) {
  for (const auto& l : c.legs)
    if (l.call_uuid == "00NA5TKG0HQINU7DP5KAETCMB60002SK") return l;
  ADD_FAILURE() << "no leg";
  return c.legs.front();
}

class CallHistoryStyle : public ::testing::TestWithParam<int> {};

TEST_P(CallHistoryStyle, IsReadOntoTheLeg) {
  const fs::path dir =
      fs::temp_directory_path() / ("calltrail_history_" + std::to_string(GetParam()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string text = GetParam() == 0 ? kTab : GetParam() == 1 ? spaces(kTab) : flat(kTab);
  const std::string path = (dir / "Tserver2.20121029_103700_000.log").string();
  std::ofstream(path, std::ios::binary) << text;
  const Loaded l = load(std::vector<std::string>{path}, {}, {});
  ASSERT_EQ(l.correlation.legs.size(), 1u) << text;
  const CallHistory& h = arrival_leg(l.correlation).history.get();
  // The first value of each: the second event's location does not replace it.
  EXPECT_EQ(h.last.location, "Avaya_Switch1");
  EXPECT_EQ(h.last.orig_dn, "27048");
  EXPECT_EQ(h.last.conn, 0x00b1026b57ea7702u);
  EXPECT_EQ(h.first.location, "Nortel_Switch5");
  EXPECT_EQ(h.first.orig_dn, "47150");
  EXPECT_EQ(h.first.conn, 0x005f02257e240b01u);
  ASSERT_TRUE(h.event.has_value());
  EXPECT_EQ(h.event->line, 1u);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Styles, CallHistoryStyle, ::testing::Values(0, 1, 2), [](const auto& p) {
  return std::string(p.param == 0 ? "Tab" : p.param == 1 ? "Spaces" : "FlatCurlyQuotes");
});

}  // namespace
}  // namespace calltrail::correlate
