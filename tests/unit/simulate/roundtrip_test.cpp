// The parser reads everything simulate writes, in every style, plain and
// gzip, without a single diagnostic, and finds what truth.json says.
#include "simulate_support.hpp"

namespace calltrail::test {
namespace {

struct StyleCase {
  simulate::PrintStyle style;
  bool gzip;
};

class RoundTrip : public ::testing::TestWithParam<StyleCase> {};

TEST_P(RoundTrip, ParserFindsTheTruth) {
  const auto [style, gzip] = GetParam();
  const auto dir = fresh_dir("rt");
  auto o = small_options(dir, 150);
  o.style = style;
  o.gzip = gzip;
  o.segment_size = 64 * 1024;
  // Start so that the UTC+10 site crosses local midnight.
  o.start = *base::parse_iso_time("2012-10-29T13:50:00Z");
  run_simulation(o);
  const auto truth = load_truth(dir);
  const auto logs = parse_folder(dir);
  EXPECT_EQ(logs.input_errors, 0U);
  EXPECT_EQ(logs.diagnostics, 0U) << logs.first_diagnostic;

  std::map<std::string, const nlohmann::json*> site_by_app;
  for (const auto& s : truth["sites"])
    site_by_app[s["app"]] = &s;

  std::map<std::string, std::uint64_t> events_by_app;
  std::set<std::string> parsed_uuids, parsed_links;
  std::map<std::string, base::Micros> first_utc;
  std::set<std::int64_t> local_days_of_far_site;
  for (const auto& e : logs.events) {
    ASSERT_TRUE(site_by_app.count(e.app)) << e.app;
    const auto& site = *site_by_app[e.app];
    ++events_by_app[e.app];
    if (!e.call_uuid.empty()) {
      parsed_uuids.insert(e.call_uuid);
      if (!first_utc.count(e.call_uuid) && e.utc) first_utc[e.call_uuid] = *e.utc;
    }
    for (const auto& l : e.links)
      parsed_links.insert(l.id);
    // Every event carries a UTC time; with its dated local line time it gives
    // the site's offset (the line is cut to 100 microseconds).
    ASSERT_TRUE(e.utc.has_value());
    ASSERT_TRUE(e.local_dated);
    const auto offset = static_cast<base::Micros>(site["utc_offset"].get<int>()) * 1000000;
    EXPECT_LE(e.local - *e.utc, offset);
    EXPECT_GT(e.local - *e.utc, offset - 100);
    if (site["utc_offset"].get<int>() == 36000) {
      local_days_of_far_site.insert(e.local / base::kMicrosPerDay);
    }
  }
  EXPECT_EQ(local_days_of_far_site.size(), 2U) << "the UTC+10 site crosses midnight";

  for (const auto& s : truth["sites"]) {
    EXPECT_EQ(events_by_app[s["app"]], s["events"].get<std::uint64_t>()) << s["name"];
  }
  std::set<std::string> truth_uuids, truth_links;
  for (const auto& ia : truth["interactions"]) {
    for (const auto& leg : ia["legs"]) {
      const auto uuid = leg["call_uuid"].get<std::string>();
      truth_uuids.insert(uuid);
      ASSERT_TRUE(first_utc.count(uuid)) << uuid;
      EXPECT_EQ(base::format_utc(first_utc[uuid], 6), leg["start"]) << uuid;
    }
    for (const auto& l : ia["links"])
      if (l["kind"] == "islink") truth_links.insert(l["id"].get<std::string>());
  }
  EXPECT_EQ(parsed_uuids, truth_uuids);
  EXPECT_EQ(parsed_links, truth_links);
  EXPECT_FALSE(truth_links.empty());
}

INSTANTIATE_TEST_SUITE_P(Styles, RoundTrip,
                         ::testing::Values(StyleCase{simulate::PrintStyle::Tab, false},
                                           StyleCase{simulate::PrintStyle::Spaces, false},
                                           StyleCase{simulate::PrintStyle::Flat, false},
                                           StyleCase{simulate::PrintStyle::Tab, true},
                                           StyleCase{simulate::PrintStyle::Spaces, true},
                                           StyleCase{simulate::PrintStyle::Flat, true},
                                           StyleCase{simulate::PrintStyle::Mixed, false}),
                         [](const auto& param_info) {
                           return std::string(simulate::style_name(param_info.param.style)) +
                                  (param_info.param.gzip ? "_gzip" : "");
                         });

TEST(Styles, LookAsDocumented) {
  std::map<simulate::PrintStyle, std::string> text;
  std::map<simulate::PrintStyle, fs::path> dirs;
  for (auto style :
       {simulate::PrintStyle::Tab, simulate::PrintStyle::Spaces, simulate::PrintStyle::Flat}) {
    const auto dir = fresh_dir(std::string(simulate::style_name(style)));
    dirs[style] = dir;
    auto o = small_options(dir, 20);
    o.style = style;
    run_simulation(o);
    text[style] = all_log_text(dir);
  }
  EXPECT_NE(text[simulate::PrintStyle::Tab].find("\n\tAttributeConnID\t"), std::string::npos);
  EXPECT_NE(text[simulate::PrintStyle::Tab].find("\n\t\t'CustomerId'\t'C-"), std::string::npos);
  EXPECT_NE(text[simulate::PrintStyle::Spaces].find("\n    AttributeConnID    "),
            std::string::npos);
  EXPECT_NE(text[simulate::PrintStyle::Spaces].find("\n        'CustomerId'    'C-"),
            std::string::npos);
  const auto& flat = text[simulate::PrintStyle::Flat];
  EXPECT_NE(flat.find(": message EventRouteRequest AttributeEventSequenceNumber "),
            std::string::npos);
  EXPECT_NE(flat.find(" \xE2\x80\x98"
                      "CustomerId\xE2\x80\x99 \xE2\x80\x98"
                      "C-"),
            std::string::npos);
  EXPECT_NE(flat.find(" \xE2\x80\x98Notes\xE2\x80\x99 \xE2\x80\x9D"), std::string::npos)
      << "empty strings print as a closing double quote";
  EXPECT_EQ(flat.find("\tAttribute"), std::string::npos);

  // Mixed: the three styles in one log, and the same logs otherwise (the
  // style is drawn apart from everything else).
  const auto dir = fresh_dir("mixed");
  auto o = small_options(dir, 20);
  o.style = simulate::PrintStyle::Mixed;
  run_simulation(o);
  const std::string mixed = all_log_text(dir);
  EXPECT_NE(mixed.find("\n\tAttributeConnID\t"), std::string::npos);
  EXPECT_NE(mixed.find("\n    AttributeConnID    "), std::string::npos);
  EXPECT_NE(mixed.find(": message EventRouteRequest AttributeEventSequenceNumber "),
            std::string::npos);
  EXPECT_EQ(load_truth(dir)["interactions"],
            load_truth(dirs[simulate::PrintStyle::Tab])["interactions"]);
}

}  // namespace
}  // namespace calltrail::test
