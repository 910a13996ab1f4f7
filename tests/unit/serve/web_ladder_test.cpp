// The ladder on the web page in headless Chromium, at 1,280 and 1,920 px, for
// simulated calls of one to five legs (the simulator's longest: four hops) on
// up to four sites and a seven-leg, four-site call written here, each opened
// by its deep link (?id=): a lane per site, every event labelled with its leg,
// every hop labelled, the links table, the three exports, and every call
// drawn at full scale within the window; the keyboard with real key presses
// (cdp_page.hpp).
// Screenshots are kept under the build folder (test-artefacts/web/), for
// people to look at; nothing compares their pixels.
// Skipped (with a message) when Chromium is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "../cli/run_support.hpp"
#include "calltrail/serve/http_server.hpp"
#include "calltrail/serve/views.hpp"
#include "cdp_page.hpp"
#include "journey_logs.hpp"
#include "serve_support.hpp"
#include "web_support.hpp"

namespace calltrail::serve {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kArtefacts = fs::path(CALLTRAIL_BINARY).parent_path() / "test-artefacts" / "web";

// The value of attribute `name` of the element whose id is `id`.
std::string attribute(const std::string& dom, const std::string& id, const std::string& name) {
  const auto tag = dom.find("id=\"" + id + "\"");
  if (tag == std::string::npos) return {};
  const auto end = dom.find('>', tag);
  const auto at = dom.find(" " + name + "=\"", tag);
  if (at == std::string::npos || at > end) return {};
  const auto from = at + name.size() + 3;
  return dom.substr(from, dom.find('"', from) - from);
}

std::string text_of(const std::string& dom, const std::string& id) {
  const auto tag = dom.find("id=\"" + id + "\"");
  if (tag == std::string::npos) return {};
  const auto from = dom.find('>', tag) + 1;
  return dom.substr(from, dom.find('<', from) - from);
}

std::string percent_decoded(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string base64_decoded(const std::string& s) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char ch : s) {
    const auto v = kAlphabet.find(ch);
    if (v == std::string::npos) break;
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

std::uint32_t big_endian(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

// What the page shows of interaction `it` (its ladder JSON `ladder`) at
// `width` px, against the correlation `c` of the same logs.
void expect_ladder_page(const std::string& dom, const correlate::Correlation& c,
                        const correlate::Interaction& it, const json& ladder, int width) {
  std::set<std::string> sites;
  for (auto leg : it.legs)
    sites.insert(c.sites[c.legs[leg].site].name);
  // A lane per site, with its full name.
  std::size_t site_heads = 0;
  for (const auto& site : sites)
    site_heads += test::occurrences(dom, "data-label=\"" + site + "\"");
  EXPECT_EQ(site_heads, sites.size());
  EXPECT_EQ(test::occurrences(dom, "<g class=\"lane-head site\""), sites.size());
  // Every event, labelled with its leg.
  std::size_t events = 0;
  for (auto leg : it.legs)
    events += c.legs[leg].events.size();
  EXPECT_EQ(test::occurrences(dom, "<g class=\"event"), events);
  for (std::size_t i = 0; i < it.legs.size(); ++i) {
    const std::string label = "L" + std::to_string(i + 1);
    EXPECT_GE(test::occurrences(dom, ">" + label + " "), 1u) << label;
    EXPECT_NE(dom.find("data-call-uuid=\"" + c.legs[it.legs[i]].call_uuid.str() + "\""),
              std::string::npos);
  }
  // Every hop, labelled.
  EXPECT_EQ(test::occurrences(dom, "class=\"hop-group\""), ladder["hops"].size());
  for (const json& h : ladder["hops"])
    EXPECT_GE(test::occurrences(dom, test::html_text(h["label"]) + "</text>"), 1u) << h.dump();
  // The links table: a row per link, with its id and evidence.
  EXPECT_EQ(test::occurrences(dom, "<tr class=\"link "), it.links.size());
  for (auto k : it.links)
    EXPECT_NE(dom.find(">" + c.links[k].id + "</td>"), std::string::npos);
  // The state: every leg of these finished calls was deleted.
  EXPECT_NE(dom.find(it.complete ? "class=\"badge complete\"" : "class=\"badge incomplete\""),
            std::string::npos);
  EXPECT_EQ(dom.find("class=\"badge open\""), std::string::npos);
  // Drawn at full scale, within the window: no horizontal scrolling.
  EXPECT_EQ(text_of(dom, "zoom-level"), "100 % (fit)");
  const auto body = dom.find("class=\"ladder ladder-body\" width=\"");
  ASSERT_NE(body, std::string::npos);
  EXPECT_LE(std::stoi(dom.substr(body + 34)), width - 300);

  // The exports: the SVG with every site, the JSON of the interaction, a PNG.
  const std::string svg_href = attribute(dom, "export-svg", "href");
  ASSERT_EQ(svg_href.rfind("data:image/svg+xml;charset=utf-8,", 0), 0u) << svg_href;
  const std::string svg = percent_decoded(svg_href.substr(svg_href.find(',') + 1));
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  for (const auto& site : sites)
    EXPECT_NE(svg.find("data-label=\"" + site + "\""), std::string::npos) << site;
  const std::string json_href = attribute(dom, "export-json", "href");
  ASSERT_EQ(json_href.rfind("data:application/json;charset=utf-8,", 0), 0u);
  const json exported = json::parse(percent_decoded(json_href.substr(json_href.find(',') + 1)));
  EXPECT_EQ(exported["interaction"]["interaction_id"], it.id);
  EXPECT_EQ(exported["ladder"]["events"].size(), events);
  const std::string png_href = attribute(dom, "export-png", "href");
  ASSERT_EQ(png_href.rfind("data:image/png;base64,", 0), 0u) << png_href.substr(0, 40);
  const std::string png = base64_decoded(png_href.substr(22, 64));
  ASSERT_GE(png.size(), 24u);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_GT(big_endian(png, 16), 400u);  // width
  EXPECT_GT(big_endian(png, 20), 40u);   // height
}

class WebLadder : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    logs_ = new test::SimulatedLogs(test::simulate_logs(
        "web_ladder", "--sites 4 --scenarios single,pingpong --interactions 150 --seed 3"));
    expected_ = new correlate::Loaded(correlate::load(logs_->files, {}, {}));
  }
  static void TearDownTestSuite() {
    fs::remove_all(logs_->dir);
    delete expected_;
    delete logs_;
  }
  void SetUp() override {
    browser_ = test::chromium();
    if (browser_.empty())
      GTEST_SKIP() << "chromium is not installed (scripts/install-deps installs it)";
    fs::create_directories(kArtefacts);
  }
  // Serves `files` (the simulated logs unless told).
  void start(const std::vector<std::string>& files) {
    for (const auto& f : files) {
      ASSERT_EQ(live_.add_text(f, 0, test::read_all(f)).status, Accepted::Ok);
      live_.end_text(f);
    }
    pump_.flush();
    ServerOptions o;
    o.port = 0;
    server_ = std::make_unique<HttpServer>(live_, pump_, o);
    port_ = server_->start();
    ASSERT_GT(port_, 0);
  }
  void TearDown() override {
    if (server_) server_->stop();
    pump_.stop();
  }
  // The page at `query`, `width` px wide: its DOM, and a screenshot kept
  // as `shot`.png when named.
  std::string page(const std::string& query, int width, const std::string& shot = {}) {
    const std::string url = "http://127.0.0.1:" + std::to_string(port_) + "/?" + query;
    std::string flags =
        " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
        "--hide-scrollbars --virtual-time-budget=4000 --window-size=" +
        std::to_string(width) + ",1100";
    if (!shot.empty())
      flags += " --screenshot=" + test::shell_quote((kArtefacts / (shot + ".png")).string());
    return test::run_capture("timeout 120 " + test::shell_quote(browser_) + flags + " --dump-dom " +
                             test::shell_quote(url) + " 2>/dev/null");
  }
  const correlate::Correlation& c() const { return expected_->correlation; }

  static test::SimulatedLogs* logs_;
  static correlate::Loaded* expected_;
  std::string browser_;
  LiveCorrelation live_;
  UpdatePump pump_{live_, std::chrono::milliseconds(2)};
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};
test::SimulatedLogs* WebLadder::logs_ = nullptr;
correlate::Loaded* WebLadder::expected_ = nullptr;

TEST_F(WebLadder, CallsOfOneToFiveLegsAtBothWidths) {
  start(logs_->files);
  // For each number of legs, the call with the most sites.
  std::map<std::size_t, const correlate::Interaction*> by_legs;
  auto sites_of = [&](const correlate::Interaction& it) {
    std::set<std::string> s;
    for (auto leg : it.legs)
      s.insert(c().sites[c().legs[leg].site].name);
    return s;
  };
  for (const auto& it : c().interactions) {
    auto& pick = by_legs[it.legs.size()];
    if (pick == nullptr || sites_of(it).size() > sites_of(*pick).size()) pick = &it;
  }
  // The simulator's calls make at most four hops: up to five legs.
  for (std::size_t n = 1; n <= 5; ++n)
    ASSERT_TRUE(by_legs.contains(n)) << "no simulated call of " << n << " legs";
  std::size_t most_sites = 0;
  for (const auto& [n, it] : by_legs)
    most_sites = std::max(most_sites, sites_of(*it).size());
  ASSERT_EQ(most_sites, 4u);

  for (const auto& [n, pick] : by_legs) {
    const correlate::Interaction& it = *pick;
    auto built = live_.build_interaction(it.id);
    ASSERT_TRUE(built.has_value());
    const json ladder = json::parse(ladder_json(*built));
    for (int width : {1280, 1920}) {
      SCOPED_TRACE(std::to_string(n) + " legs at " + std::to_string(width) + " px: " + it.id);
      const std::string dom =
          page("id=" + it.id + "&live=0", width,
               "ladder-" + std::to_string(n) + "-legs-" + std::to_string(width) + "px");
      ASSERT_FALSE(dom.empty());
      expect_ladder_page(dom, c(), it, ladder, width);
    }
  }
}

TEST_F(WebLadder, ListSaysWhenItIsCutAndEventDeepLinkOpensTheRawLines) {
  start(logs_->files);
  ASSERT_GT(c().interactions.size(), 100u);
  const std::string list = page("live=0", 1280);
  EXPECT_EQ(text_of(list, "result-count"),
            "(100 of " + std::to_string(c().interactions.size()) + ", newest first)");

  // &event=N selects event N: highlighted on the ladder, its raw lines in
  // the side panel with its own record marked.
  const correlate::Interaction* pick = nullptr;
  for (const auto& it : c().interactions)
    if (pick == nullptr || it.legs.size() > pick->legs.size()) pick = &it;
  auto built = live_.build_interaction(pick->id);
  ASSERT_TRUE(built.has_value());
  const json ladder = json::parse(ladder_json(*built));
  const std::size_t row = ladder["events"].size() / 2;
  const json& e = ladder["events"][row];
  const std::string dom =
      page("id=" + pick->id + "&event=" + std::to_string(row) + "&live=0", 1280, "ladder-event");
  EXPECT_NE(dom.find("class=\"event selected\" data-leg=\"" + e["leg"].get<std::string>() +
                     "\" data-row=\"" + std::to_string(row) + "\""),
            std::string::npos);
  EXPECT_EQ(test::occurrences(dom, "<aside id=\"raw\" hidden"), 0u);
  const auto mark = dom.find("<mark class=\"hit\">");
  ASSERT_NE(mark, std::string::npos);
  const std::string marked = dom.substr(mark, dom.find("</mark>", mark) - mark);
  EXPECT_NE(marked.find(e["name"].get<std::string>()), std::string::npos) << marked;
  EXPECT_NE(text_of(dom, "raw-title")
                .find(e["source"].get<std::string>() + " line " +
                      std::to_string(e["line"].get<std::uint64_t>())),
            std::string::npos);
}

// Seven legs on four sites (A B C D A B C over six IS-Links, logs written
// here: the simulator makes at most four hops): a lane per site, and at
// 1,280 px the whole ladder at full scale, every hop labelled.
TEST_F(WebLadder, SevenLegsOnFourSitesReadAt1280) {
  const fs::path dir =
      fs::temp_directory_path() / ("calltrail_journey_" + std::to_string(::getpid()));
  const auto journey = test::write_journey(
      dir, {"TServerA", "TServerB", "TServerC", "TServerD", "TServerA", "TServerB", "TServerC"});
  const correlate::Loaded expected = correlate::load(journey.files, {}, {});
  const correlate::Correlation& jc = expected.correlation;
  ASSERT_EQ(jc.interactions.size(), 1u);
  const correlate::Interaction& it = jc.interactions.front();
  ASSERT_EQ(it.id, journey.root_uuid);
  ASSERT_EQ(it.legs.size(), 7u);
  ASSERT_EQ(jc.sites.size(), 4u);
  start(journey.files);
  auto built = live_.build_interaction(it.id);
  ASSERT_TRUE(built.has_value());
  const json ladder = json::parse(ladder_json(*built));
  std::size_t islinks = 0;
  for (const json& h : ladder["hops"]) {
    if (h["kind"] != "islink") continue;
    ++islinks;
    EXPECT_NE(h["from_lane"], h["to_lane"]) << h.dump();
  }
  EXPECT_EQ(islinks, 6u);
  for (int width : {1280, 1920}) {
    SCOPED_TRACE(std::to_string(width) + " px");
    const std::string dom = page("id=" + it.id + "&live=0", width,
                                 "ladder-7-legs-4-sites-" + std::to_string(width) + "px");
    ASSERT_FALSE(dom.empty());
    expect_ladder_page(dom, jc, it, ladder, width);
  }
  fs::remove_all(dir);
}

// The keyboard, with real key presses: j/k step through the events (the raw
// lines follow), Esc closes them, o opens every site's sub-lanes, + and 0 zoom
// and fit, n opens the next interaction of the list (and the address follows).
TEST_F(WebLadder, KeyboardStepsThroughEventsZoomsAndOpensLanes) {
  start(logs_->files);
  const correlate::Interaction* pick = nullptr;
  for (const auto& it : c().interactions)
    if (pick == nullptr || it.legs.size() > pick->legs.size()) pick = &it;
  test::CdpPage page(browser_,
                     "http://127.0.0.1:" + std::to_string(port_) + "/?id=" + pick->id + "&live=0",
                     1280, 1000);
  ASSERT_TRUE(page.ok()) << "chromium did not open the page over --remote-debugging-pipe";
  ASSERT_TRUE(
      page.wait_for("document.querySelectorAll('#ladder .event').length > 0 && "
                    "document.querySelectorAll('#result-list li').length > 1"));
  const auto selected = [&] {
    return page.eval(
        "(document.querySelector('#ladder .event.selected') || {dataset: {}})"
        ".dataset.row || null");
  };
  EXPECT_EQ(selected(), nullptr);
  for (int i = 0; i < 3; ++i)
    page.press("j");
  EXPECT_EQ(selected(), "2");
  page.press("k");
  EXPECT_EQ(selected(), "1");
  EXPECT_EQ(page.eval("document.getElementById('raw').hidden"), false);
  EXPECT_TRUE(page.wait_for("document.querySelector('#raw mark.hit') !== null"));
  page.press("Escape");
  EXPECT_EQ(page.eval("document.getElementById('raw').hidden"), true);

  // A lane with sub-lanes says ▸ (closed) or ▾ (open) before its name.
  const auto marked = [&](const char* marker) {
    return page.eval(std::string("[...document.querySelectorAll('.lane-head text.site')]"
                                 ".filter((t) => t.textContent.startsWith('") +
                     marker + "')).length");
  };
  const auto closed = marked("\u25b8");
  EXPECT_GE(closed, 3);  // they do not fit 1,280 px
  EXPECT_EQ(marked("\u25be"), 0);
  page.press("o");
  EXPECT_EQ(marked("\u25be"), closed);
  EXPECT_EQ(marked("\u25b8"), 0);
  EXPECT_EQ(selected(), "1");  // the selection stays
  page.press("o");
  EXPECT_EQ(marked("\u25b8"), closed);

  EXPECT_EQ(page.eval("document.getElementById('zoom-level').textContent"), "100 % (fit)");
  page.press("+");
  EXPECT_EQ(page.eval("document.getElementById('zoom-level').textContent"), "125 %");
  page.press("0");
  EXPECT_EQ(page.eval("document.getElementById('zoom-level').textContent"), "100 % (fit)");

  // n: the next interaction of the list, its id in the address.
  const auto next = page.eval(
      "(() => { const li = [...document.querySelectorAll('#result-list li')];"
      " const at = li.findIndex((x) => x.dataset.id === '" +
      pick->id + "'); return li[at + 1].dataset.id; })()");
  ASSERT_TRUE(next.is_string());
  page.press("n");
  EXPECT_TRUE(
      page.wait_for("document.getElementById('detail-title').textContent === "
                    "'Interaction ' + " +
                    next.dump()));
  EXPECT_EQ(page.eval("new URLSearchParams(location.search).get('id')"), next);
}

// A call still in progress: the logs of the site of its last leg end just
// before that leg's EventCallDeleted. The ladder says it is open, and the page
// shows it "in progress", never "complete".
TEST(WebLadderOpen, ACallInProgressIsNotShownComplete) {
  const std::string browser = test::chromium();
  if (browser.empty())
    GTEST_SKIP() << "chromium is not installed (scripts/install-deps installs it)";
  auto logs = test::simulate_logs("web_open", "--only multisite --interactions 12 --seed 14");
  const correlate::Loaded all = correlate::load(logs.files, {}, {});
  const correlate::Correlation& ac = all.correlation;
  const correlate::Interaction* pick = nullptr;
  for (const auto& it : ac.interactions)
    if (it.legs.size() >= 2 && (pick == nullptr || it.legs.size() > pick->legs.size())) pick = &it;
  ASSERT_NE(pick, nullptr);
  const correlate::Leg& last = ac.legs[pick->legs.back()];
  const correlate::EventRef* deleted = nullptr;
  for (const auto& e : last.events)
    if (ac.str(e.name) == "EventCallDeleted") deleted = &e;
  ASSERT_NE(deleted, nullptr);
  const std::string cut = ac.files[deleted->file].info.path;
  std::ofstream(cut + ".tmp", std::ios::binary)
      << test::read_all(cut).substr(0, static_cast<std::size_t>(deleted->offset));
  fs::rename(cut + ".tmp", cut);

  const correlate::Loaded expected = correlate::load(logs.files, {}, {});
  const correlate::Interaction* open = nullptr;
  for (const auto& it : expected.correlation.interactions)
    if (it.id == pick->id) open = &it;
  ASSERT_NE(open, nullptr);
  bool any_open = false;
  for (auto leg : open->legs)
    any_open = any_open || !expected.correlation.legs[leg].deleted;
  ASSERT_TRUE(any_open);

  LiveCorrelation live;
  UpdatePump pump(live, std::chrono::milliseconds(2));
  for (const auto& f : logs.files) {
    ASSERT_EQ(live.add_text(f, 0, test::read_all(f)).status, Accepted::Ok);
    live.end_text(f);
  }
  pump.flush();
  auto built = live.build_interaction(pick->id);
  ASSERT_TRUE(built.has_value());
  const json ladder = json::parse(ladder_json(*built));
  EXPECT_EQ(ladder["open"], true);
  EXPECT_EQ(ladder["complete"], open->complete);

  ServerOptions o;
  o.port = 0;
  HttpServer server(live, pump, o);
  const int port = server.start();
  ASSERT_GT(port, 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/?id=" + pick->id +
                          "&q=" + pick->id + "&live=0";
  const std::string dom =
      test::run_capture("timeout 120 " + test::shell_quote(browser) +
                        " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
                        "--virtual-time-budget=3000 --window-size=1280,900 --dump-dom " +
                        test::shell_quote(url) + " 2>/dev/null");
  server.stop();
  pump.stop();
  ASSERT_FALSE(dom.empty());
  // The badge of the detail and of the list entry.
  const auto detail = dom.find("id=\"detail-badge\"");
  ASSERT_NE(detail, std::string::npos);
  EXPECT_EQ(dom.find("<span class=\"badge open\"", detail),
            dom.find("<span class=\"badge", detail));
  EXPECT_EQ(test::occurrences(dom, "class=\"badge open\""), 2u);
  EXPECT_EQ(test::occurrences(dom, "class=\"badge complete\""), 0u);
  EXPECT_EQ(test::occurrences(dom, ">in progress</span>"), 2u);
  fs::remove_all(logs.dir);
}

}  // namespace
}  // namespace calltrail::serve
