// The web page in headless Chromium: search an interaction by its id while
// one site's logs are still missing, let them arrive while the page is open,
// and check that the page, updated over SSE, shows every leg and every event
// of the interaction; and the real SIP Server log's call as SIP arrows between
// the site and its peers (its sub-lanes, open at 1,280 px). Skipped (with a message) when Chromium
// is absent; scripts/install-deps installs it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "../cli/run_support.hpp"
#include "calltrail/serve/http_server.hpp"
#include "calltrail/serve/views.hpp"
#include "serve_support.hpp"
#include "web_support.hpp"

namespace calltrail::serve {
namespace {

namespace fs = std::filesystem;

TEST(WebPage, ShowsEveryLegAndUpdatesLive) {
  const std::string browser = test::chromium();
  if (browser.empty())
    GTEST_SKIP() << "chromium is not installed (scripts/install-deps installs it)";
  auto logs = test::simulate_logs("web", "--only multisite --interactions 12 --seed 14");
  correlate::Loaded expected = correlate::load(logs.files, {}, {});
  const correlate::Correlation& c = expected.correlation;
  const correlate::Interaction* pick = nullptr;
  for (const auto& it : c.interactions)
    if (it.legs.size() >= 3 && (pick == nullptr || it.legs.size() > pick->legs.size())) pick = &it;
  ASSERT_NE(pick, nullptr);
  // The site of its last leg arrives only once the page is open.
  const std::uint32_t late_site = c.legs[pick->legs.back()].site;
  ASSERT_NE(late_site, c.legs[pick->root].site);
  std::set<std::string> late_files;
  for (auto f : c.sites[late_site].files)
    late_files.insert(c.files[f].info.path);

  LiveCorrelation live;
  UpdatePump pump(live, std::chrono::milliseconds(2));
  ServerOptions o;
  o.port = 0;
  o.token = "page-token";
  HttpServer server(live, pump, o);
  const int port = server.start();
  ASSERT_GT(port, 0);
  auto push = [&](bool late) {
    for (const auto& f : logs.files) {
      if (late_files.contains(f) != late) continue;
      ASSERT_EQ(live.add_text(f, 0, test::read_all(f)).status, Accepted::Ok);
      live.end_text(f);
    }
    pump.flush();
  };
  push(false);

  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/?q=" + pick->id +
                          "&token=page-token&live_window=6";
  std::string dom;
  std::thread page([&] {
    dom = test::run_capture("timeout 120 " + test::shell_quote(browser) +
                            " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
                            "--virtual-time-budget=3000 --dump-dom " +
                            test::shell_quote(url) + " 2>/dev/null");
  });
  // Once the page listens, the missing site's logs arrive.
  for (int i = 0; i < 600 && server.subscribers() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_GT(server.subscribers(), 0) << "the page never opened the update stream";
  push(true);
  page.join();
  server.stop();
  pump.stop();

  ASSERT_FALSE(dom.empty()) << "chromium printed nothing for " << url;
  for (auto leg : pick->legs) {
    const std::string uuid = c.legs[leg].call_uuid.str();
    EXPECT_NE(dom.find("data-call-uuid=\"" + uuid + "\""), std::string::npos)
        << "leg " << uuid << " missing from the page";
  }
  std::size_t events = 0;
  for (auto leg : pick->legs)
    events += c.legs[leg].events.size();
  const std::regex event_group("<g class=\"event\"");
  const auto shown = static_cast<std::size_t>(std::distance(
      std::sregex_iterator(dom.begin(), dom.end(), event_group), std::sregex_iterator()));
  EXPECT_EQ(shown, events);
  for (auto leg : pick->legs)
    EXPECT_NE(dom.find(">" + c.sites[c.legs[leg].site].name + "<"), std::string::npos);
  fs::remove_all(logs.dir);
}

TEST(WebPage, ShowsTheRealSipMessagesAsLabelledArrows) {
  const std::string browser = test::chromium();
  if (browser.empty())
    GTEST_SKIP() << "chromium is not installed (scripts/install-deps installs it)";
  LiveCorrelation live;
  UpdatePump pump(live, std::chrono::milliseconds(2));
  const std::string source = "SIP_P-001.20260202_135459_850.log";
  ASSERT_EQ(live.add_text(source, 0, test::read_log(test::kRealSipLog)).status, Accepted::Ok);
  live.end_text(source);
  pump.flush();
  // What the page is given: the ladder JSON of call 1.
  auto built = live.build_interaction(test::kRealSipCall1);
  ASSERT_TRUE(built.has_value());
  const nlohmann::json ladder = nlohmann::json::parse(ladder_json(*built));

  ServerOptions o;
  o.port = 0;
  HttpServer server(live, pump, o);
  const int port = server.start();
  ASSERT_GT(port, 0);
  const std::string url =
      "http://127.0.0.1:" + std::to_string(port) + "/?q=" + test::kRealSipCall1 + "&live=0";
  const std::string dom = test::run_capture("timeout 120 " + test::shell_quote(browser) +
                                            " --headless --no-sandbox --disable-gpu "
                                            "--disable-dev-shm-usage --virtual-time-budget=3000 "
                                            "--window-size=1280,900 --dump-dom " +
                                            test::shell_quote(url) + " 2>/dev/null");
  server.stop();
  pump.stop();
  ASSERT_FALSE(dom.empty()) << "chromium printed nothing for " << url;

  // The peers' lanes, labelled with their addresses.
  for (const char* peer : {"192.168.210.81:5090", "192.168.210.54:5061"})
    EXPECT_EQ(test::occurrences(dom, std::string(">SIP ") + peer + "</text>"), 1u) << peer;
  // Each SIP message an arrow with its label; the mappings are not arrows.
  std::size_t arrows = 0;
  for (const auto& e : ladder["events"]) {
    if (!e.contains("peer_sub_lane")) continue;
    ++arrows;
    const std::string label = test::html_text(e["label"].get<std::string>());
    EXPECT_GE(test::occurrences(dom, ">" + label + "</text>"), 1u) << label;
  }
  EXPECT_EQ(arrows, 15u);
  EXPECT_EQ(test::occurrences(dom, "class=\"sip-msg\"") +
                test::occurrences(dom, "class=\"sip-msg failure\""),
            arrows);
  EXPECT_EQ(test::occurrences(dom, "class=\"event sip-note\""), 0u);
  EXPECT_EQ(test::occurrences(dom, ">INVITE sip:1003@192.168.210.81:5090</text>"), 1u);
  EXPECT_EQ(test::occurrences(dom, ">INVITE sip:1002@192.168.210.54:5061</text>"), 1u);
  // The 403 stands out: the one failure, red by its class.
  EXPECT_EQ(test::occurrences(dom, "class=\"sip-msg failure\""), 1u);
  EXPECT_EQ(test::occurrences(dom, "class=\"sip-label failure\">403 Forbidden (INVITE)</text>"),
            1u);
  // Its tooltip names the Call-ID, the Reason and the line.
  const auto at = dom.find("class=\"event sip failure\"");
  ASSERT_NE(at, std::string::npos);
  const std::string group = dom.substr(at, dom.find("</g>", at) - at);
  EXPECT_NE(group.find("Call-ID: 640476ED-F320-46F0-975D-6290F4CB29F6-4@192.168.210.81"),
            std::string::npos)
      << group;
  EXPECT_NE(group.find("Reason: Q.850;cause=21"), std::string::npos) << group;
  EXPECT_NE(group.find(source + ":1569"), std::string::npos) << group;
}

}  // namespace
}  // namespace calltrail::serve
