// The live correlation on the real SIP Server log (tests/cases/real/), pushed
// in pieces: its calls are found by their SIP Call-IDs, whole or the part
// before '@', and built as from the file.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "calltrail/correlate/collect.hpp"
#include "calltrail/correlate/json.hpp"
#include "calltrail/serve/live_state.hpp"

namespace calltrail::serve {
namespace {

namespace fs = std::filesystem;

const fs::path kLog =
    fs::path(CALLTRAIL_SOURCE_DIR) / "tests/cases/real/SIP_P-001.20260202_135459_850.log.gz";

std::string gunzip(const fs::path& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  EXPECT_NE(f, nullptr) << path;
  std::string out;
  char buf[1 << 16];
  for (int n; f != nullptr && (n = gzread(f, buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<std::size_t>(n));
  if (f != nullptr) gzclose(f);
  return out;
}

TEST(SipLive, PushedRealLogIsFoundByCallId) {
  const std::string text = gunzip(kLog);
  ASSERT_GT(text.size(), 700'000u);
  LiveCorrelation live;
  const std::string source = "SIP_P-001.20260202_135459_850.log";
  // Pieces that cut SIP messages and mapping lines anywhere.
  constexpr std::size_t kPiece = 4093;
  for (std::size_t off = 0; off < text.size(); off += kPiece)
    live.add_text(source, off, std::string_view(text).substr(off, kPiece));
  live.end_text(source);
  live.recompute();

  const std::vector<std::string> paths{kLog.string()};
  const correlate::Loaded expected = correlate::load(paths, {}, {});
  ASSERT_EQ(expected.correlation.interactions.size(), 7u);
  for (int call = 1; call <= 7; ++call) {
    SCOPED_TRACE(call);
    const std::string uuid = "TTL7J9EM750GP936CFL0EOACN800000" + std::to_string(call);
    const std::string local =
        "640476ED-F320-46F0-975D-6290F4CB29F6-" + std::to_string(2 * call + 2);
    for (const std::string& id : {local + "@192.168.210.81", local}) {
      SearchQuery q;
      q.id = id;
      const auto hits = live.search(q);
      ASSERT_EQ(hits.size(), 1u) << id;
      EXPECT_EQ(hits[0].interaction.id, uuid);
    }
    const auto built = live.build_interaction(uuid);
    ASSERT_TRUE(built.has_value());
    const auto got = nlohmann::json::parse(
        correlate::interaction_json(built->correlation,
                                    built->correlation.interactions[built->interaction])
            .dump());
    const auto* want = &expected.correlation.interactions[static_cast<std::size_t>(call - 1)];
    const auto want_json =
        nlohmann::json::parse(correlate::interaction_json(expected.correlation, *want).dump());
    EXPECT_EQ(got["legs"][0]["sip_call_ids"], want_json["legs"][0]["sip_call_ids"]);
    EXPECT_EQ(got["legs"][0]["events"], want_json["legs"][0]["events"]);
    EXPECT_EQ(got["legs"][0]["start"], want_json["legs"][0]["start"]);
    EXPECT_EQ(got["legs"][0]["end"], want_json["legs"][0]["end"]);
  }
}

}  // namespace
}  // namespace calltrail::serve
