// The HTTP API on a loopback port, through a real HTTP client: tokens, bad
// input, pushed log text and events (resent), the interaction as JSON like
// `trace --format json`, raw lines, the ladder's SIP arrows and hops, and the
// SSE stream of updates.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "calltrail/correlate/json.hpp"
#include "calltrail/model/event_json.hpp"
#include "calltrail/parse/log_reader.hpp"
#include "calltrail/serve/http_server.hpp"
#include "serve_support.hpp"

namespace calltrail::serve {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class HttpApi : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions o;
    o.port = 0;
    o.token = "s3cret";
    o.max_body = 1 << 20;
    server_ = std::make_unique<HttpServer>(live_, pump_, o);
    port_ = server_->start();
    ASSERT_GT(port_, 0);
  }
  void TearDown() override {
    server_->stop();
    pump_.stop();
  }
  httplib::Client client(bool with_token = true) {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    if (with_token) c.set_bearer_token_auth("s3cret");
    return c;
  }
  // POSTs a file's text in pieces of `piece` bytes, each sent twice.
  void push_text(const std::string& path, std::size_t piece) {
    const std::string data = test::read_all(path);
    auto c = client();
    for (std::size_t off = 0; off < data.size(); off += piece) {
      const std::string body = data.substr(off, piece);
      for (int twice = 0; twice < 2; ++twice) {
        auto r = c.Post(("/api/logs?source=" + path + "&offset=" + std::to_string(off)).c_str(),
                        body, "text/plain");
        ASSERT_TRUE(r);
        ASSERT_EQ(r->status, 200) << r->body;
        const json j = json::parse(r->body);
        EXPECT_EQ(j["accepted"], twice == 0 ? body.size() : 0u);
        EXPECT_EQ(j["next"], off + body.size());
      }
    }
  }
  // POSTs `text` as source `source` in pieces of `piece` bytes, the last one
  // ending the source.
  void push_log(const std::string& source, const std::string& text, std::size_t piece) {
    auto c = client();
    for (std::size_t off = 0; off < text.size(); off += piece) {
      const bool last = off + piece >= text.size();
      auto r = c.Post(
          ("/api/logs?source=" + source + "&offset=" + std::to_string(off) + (last ? "&end=1" : ""))
              .c_str(),
          text.substr(off, piece), "text/plain");
      ASSERT_TRUE(r);
      ASSERT_EQ(r->status, 200) << r->body;
    }
  }
  json get_json(const std::string& path, int status = 200) {
    auto c = client();
    auto r = c.Get(path.c_str());
    EXPECT_TRUE(r);
    if (!r) return {};
    EXPECT_EQ(r->status, status) << path << ": " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << path;
    return json::parse(r->body, nullptr, false);
  }

  LiveCorrelation live_;
  UpdatePump pump_{live_, std::chrono::milliseconds(2)};
  std::unique_ptr<HttpServer> server_;
  int port_ = -1;
};

TEST_F(HttpApi, TokenOnEverythingButHealth) {
  auto anonymous = client(false);
  auto h = anonymous.Get("/health");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  for (const char* path : {"/metrics", "/api/search?q=1", "/", "/api/updates"}) {
    auto r = anonymous.Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
    EXPECT_TRUE(json::parse(r->body).contains("error")) << path;
  }
  auto wrong = httplib::Client("127.0.0.1", port_);
  wrong.set_bearer_token_auth("nope");
  EXPECT_EQ(wrong.Get("/metrics")->status, 401);
  EXPECT_EQ(client().Get("/metrics")->status, 200);
  // ?token= only where a browser cannot send the header (http_guard_test).
  EXPECT_EQ(anonymous.Get("/metrics?token=s3cret")->status, 401);
  EXPECT_EQ(anonymous.Get("/?token=s3cret")->status, 200);
}

TEST_F(HttpApi, BadInputIsA4xxWithAJsonError) {
  auto c = client();
  struct Case {
    std::string method, path, body;
    int status;
  };
  const std::vector<Case> cases = {
      {"POST", "/api/events?first=0", "{}", 400},                   // no source
      {"POST", "/api/events?source=a", "{}", 400},                  // no first
      {"POST", "/api/events?source=a&first=x", "{}", 400},          // bad first
      {"POST", "/api/events?source=a&first=0", "{\"name\":", 400},  // bad JSON
      {"POST", "/api/events?source=a&first=0", "[1,2]", 400},
      {"POST", "/api/events?source=a&first=0", "{\"name\":\"EventX\",\"utc\":\"no\"}", 400},
      {"POST", "/api/events?source=a&first=7", "{\"name\":\"EventX\"}", 409},  // gap
      {"POST", "/api/logs?source=b&offset=5", "text", 409},                    // gap
      {"POST", "/api/logs?source=a&offset=0", "text", 409},  // `a` takes events (above)
      {"POST", "/api/logs?source=c&offset=0", std::string(2 << 20, 'x'), 413},
      {"GET", "/api/search?from=yesterday", "", 400},
      {"GET", "/api/search?limit=-1", "", 400},
      {"GET", "/api/interactions/NOPE", "", 404},
      {"GET", "/api/interactions/NOPE/svg", "", 404},
      {"GET", "/api/raw?source=zzz&offset=0", "", 404},
      {"GET", "/api/raw?source=zzz", "", 400},
      {"GET", "/api/updates?since=abc", "", 400},
      {"GET", "/no/such/thing", "", 404},
  };
  for (const auto& k : cases) {
    auto r =
        k.method == "GET" ? c.Get(k.path.c_str()) : c.Post(k.path.c_str(), k.body, "text/plain");
    ASSERT_TRUE(r) << k.method << " " << k.path;
    EXPECT_EQ(r->status, k.status) << k.method << " " << k.path << ": " << r->body;
    const json j = json::parse(r->body, nullptr, false);
    EXPECT_TRUE(j.is_object() && j.contains("error")) << k.path << ": " << r->body;
  }
  // Still serving.
  EXPECT_EQ(c.Get("/health")->status, 200);
}

TEST_F(HttpApi, PushedLogsGiveTheTraceJson) {
  auto logs = test::simulate_logs("http", "--interactions 40 --seed 12 --segment-size 64k");
  for (const auto& f : logs.files)
    push_text(f, 7000);
  for (const auto& f : logs.files)
    live_.end_text(f);
  pump_.flush();

  const json m = get_json("/metrics");
  parse::LogReader reader;
  std::uint64_t events = 0;
  reader.read(logs.files, [&](model::Event&) { ++events; });
  EXPECT_EQ(m["events"], events);
  EXPECT_EQ(m["interactions"], 40u);

  correlate::Loaded expected = correlate::load(logs.files, {}, {});
  ASSERT_EQ(expected.correlation.interactions.size(), 40u);
  for (const auto& it : expected.correlation.interactions) {
    std::string trace_json;  // as trace --format json prints it
    correlate::append_interaction_json(trace_json, expected.correlation, it, {.timeline = true});
    const json want = json::parse(trace_json);
    // Any leg's ConnID finds it.
    const std::string conn = want["legs"].back()["conn_ids"][0];
    const json found = get_json("/api/search?q=" + conn);
    bool listed = false;
    for (const auto& hit : found["interactions"])
      listed = listed || hit["interaction_id"] == it.id;
    EXPECT_TRUE(listed) << conn;

    const json got = get_json("/api/interactions/" + it.id);
    EXPECT_EQ(got["interaction_id"], want["interaction_id"]);
    // One rule for times: the clocks of everything received, as trace over
    // the files (docs/http-api.md), so the same start, end and timeline.
    EXPECT_EQ(got["start"], want["start"]) << it.id;
    EXPECT_EQ(got["end"], want["end"]) << it.id;
    EXPECT_EQ(got["timeline"], want["timeline"]) << it.id;
    EXPECT_EQ(got["complete"], want["complete"]);
    ASSERT_EQ(got["legs"].size(), want["legs"].size()) << it.id;
    // Legs by CallUUID and links as a set: what each holds, whatever the order.
    EXPECT_EQ(got["legs"][0]["call_uuid"], want["legs"][0]["call_uuid"]) << it.id;
    auto legs = [](const json& j) {
      std::map<std::string, json> by_uuid;
      for (const auto& l : j["legs"]) {
        json kept;
        for (const char* k :
             {"call_uuid", "conn_ids", "sip_call_ids", "events", "root", "start", "end"})
          kept[k] = l[k];
        by_uuid[l["call_uuid"]] = kept;
      }
      return by_uuid;
    };
    EXPECT_EQ(legs(got), legs(want)) << it.id;
    auto links = [](const json& j) {
      std::map<std::string, json> by_key;
      for (const auto& l : j["links"])
        by_key[l["kind"].dump() + l["id"].dump() + l["from"].dump() + l["to"].dump()] = l;
      return by_key;
    };
    EXPECT_EQ(links(got), links(want)) << it.id;
  }

  // Time range and site filters: each interaction listed is inside them, and
  // an interaction is found by its own time and site.
  const json all = get_json("/api/search?limit=1000");
  ASSERT_EQ(all["interactions"].size(), 40u);
  const json one = all["interactions"][7];
  const std::string at = one["start"];
  const std::string site = one["sites"][0];
  std::string site_param;  // a site whose switch is unknown is "app@?"
  for (char ch : site)
    site_param += ch == '?' ? std::string("%3F") : std::string(1, ch);
  for (const std::string& q : {"from=" + at + "&to=" + at, "site=" + site_param}) {
    const json hits = get_json("/api/search?limit=1000&" + q);
    bool found = false;
    for (const auto& h : hits["interactions"]) {
      found = found || h["interaction_id"] == one["interaction_id"];
      if (q.starts_with("from")) {
        EXPECT_LE(h["start"].get<std::string>(), at) << q;
        EXPECT_GE(h["end"].get<std::string>(), at) << q;
      } else {
        EXPECT_NE(h["sites"].dump().find(site), std::string::npos) << q;
      }
    }
    EXPECT_TRUE(found) << q;
    EXPECT_LT(hits["interactions"].size(), 40u) << q;
  }
  EXPECT_TRUE(get_json("/api/search?site=no-such-site")["interactions"].empty());
  EXPECT_TRUE(get_json("/api/search?from=2030-01-01")["interactions"].empty());

  // The ladder's events lead to their raw lines; the SVG names the id.
  const std::string id = expected.correlation.interactions.front().id;
  const json ladder = get_json("/api/interactions/" + id + "/ladder");
  ASSERT_FALSE(ladder["events"].empty());
  for (const auto& e : ladder["events"]) {
    const json raw = get_json("/api/raw?source=" + e["source"].get<std::string>() +
                              "&offset=" + std::to_string(e["offset"].get<std::uint64_t>()) +
                              "&lines=3");  // two-line forms name the message on line 2
    EXPECT_NE(raw["text"].get<std::string>().find(e["name"].get<std::string>()), std::string::npos)
        << e.dump() << "\n"
        << raw["text"];
  }
  auto svg = client().Get(("/api/interactions/" + id + "/svg").c_str());
  ASSERT_TRUE(svg);
  EXPECT_EQ(svg->get_header_value("Content-Type"), "image/svg+xml");
  EXPECT_NE(svg->body.find(id), std::string::npos);
  fs::remove_all(logs.dir);
}

// A second SIP Server (site B) that received call 1's second INVITE from the
// real log's SIP Server and answered it 403: the two legs share the dialog's
// Call-ID, a sip link.
constexpr std::string_view kSiteBLog =
    "Application name: SIP_B\n"
    "Application type: TServer (1)\n"
    "Host name:        GenUAT03\n"
    "Time zone:        -19800, India Standard Time, India Daylight Time\n"
    "UTC time:         2026-02-02T08:25:00.000\n"
    "Local time:       2026-02-02T13:55:00.000\n"
    "Start time (UTC): 2026-02-02T08:25:00\n"
    "File:             (1) D:\\gcti_logs\\SIP_B\\SIP_B-001.20260202_135500_000.log\n"
    "\n"
    "13:56:06.085: SIPTR: Received [0,UDP] 308 bytes from 192.168.210.66:5060 <<<<<\n"
    "INVITE sip:1002@192.168.210.54:5061 SIP/2.0\n"
    "From: sip:1003@192.168.210.81:5060;tag=A2BB77D7-EABF-4274-8BD4-6D98F1BD8715-7\n"
    "To: sip:1002@192.168.210.81\n"
    "Call-ID: 640476ED-F320-46F0-975D-6290F4CB29F6-4@192.168.210.81\n"
    "CSeq: 1 INVITE\n"
    "X-Genesys-CallUUID: TTL7J9EM750GP936CFL0EOACN8000001\n"
    "Content-Length: 0\n"
    "\n"
    "\n"
    "13:56:06.085: CID:CUUID>640476ED-F320-46F0-975D-6290F4CB29F6-4@192.168.210.81:"
    "0B1SITEB000000000000000000001:\n"
    "13:56:06.110: Sending  [0,UDP] 264 bytes to 192.168.210.66:5060 >>>>>\n"
    "SIP/2.0 403 Forbidden\n"
    "From: sip:1003@192.168.210.81:5060;tag=A2BB77D7-EABF-4274-8BD4-6D98F1BD8715-7\n"
    "To: sip:1002@192.168.210.81;tag=b-1\n"
    "Call-ID: 640476ED-F320-46F0-975D-6290F4CB29F6-4@192.168.210.81\n"
    "CSeq: 1 INVITE\n"
    "Reason: Q.850;cause=21\n"
    "Content-Length: 0\n"
    "\n"
    "\n"
    "13:56:07.000: end of the excerpt\n";

const std::string kPeer1003 = "192.168.210.81:5090";
const std::string kPeer1002 = "192.168.210.54:5061";
const std::string kCall1Dialog2 = "640476ED-F320-46F0-975D-6290F4CB29F6-4@192.168.210.81";

// Each SIP peer address: the site lane it is a sub-lane of, and which.
struct PeerLane {
  std::size_t lane = 0;
  std::size_t sub = 0;
};
std::map<std::string, PeerLane> peer_lanes(const json& ladder) {
  std::map<std::string, PeerLane> lanes;
  for (std::size_t i = 0; i < ladder["lanes"].size(); ++i) {
    const json& l = ladder["lanes"][i];
    for (std::size_t k = 0; k < l["sub_lanes"].size(); ++k) {
      const json& sub = l["sub_lanes"][k];
      if (sub["kind"] != "sip_peer") continue;
      EXPECT_EQ(l["kind"], "site");
      EXPECT_EQ(sub["label"], "SIP " + sub["peer"].get<std::string>());
      EXPECT_TRUE(lanes.emplace(sub["peer"], PeerLane{i, k}).second)
          << "two lanes for " << sub["peer"];
    }
  }
  return lanes;
}

TEST_F(HttpApi, LadderDrawsTheRealSipMessagesBetweenTheSiteAndItsPeers) {
  const std::string source = "SIP_P-001.20260202_135459_850.log";
  push_log(source, test::read_log(test::kRealSipLog), 200000);
  pump_.flush();
  const json ladder = get_json("/api/interactions/" + test::kRealSipCall1 + "/ladder");
  ASSERT_EQ(ladder["interaction_id"], test::kRealSipCall1);

  // One lane for the SIP Server's site: its own sub-lane (no DN) and one per
  // peer; nothing outside.
  const auto peers = peer_lanes(ladder);
  ASSERT_EQ(peers.size(), 2u) << ladder["lanes"].dump();
  ASSERT_TRUE(peers.contains(kPeer1003)) << ladder["lanes"].dump();
  ASSERT_TRUE(peers.contains(kPeer1002)) << ladder["lanes"].dump();
  ASSERT_EQ(ladder["lanes"].size(), 1u) << ladder["lanes"].dump();
  const json& site = ladder["lanes"][0];
  EXPECT_EQ(site["kind"], "site");
  EXPECT_EQ(site["site"], "SIP_P@?");
  ASSERT_EQ(site["sub_lanes"].size(), 3u) << site.dump();
  EXPECT_EQ(site["sub_lanes"][0]["kind"], "call");
  EXPECT_EQ(site["sub_lanes"][0]["sip"], true);
  EXPECT_FALSE(site["sub_lanes"][0].contains("dn"));

  // 15 events (trace's timeline, tests/cases/trace/real_sip_403), every one a
  // message drawn as an arrow (a Call-ID mapping is not an event of the call).
  ASSERT_EQ(ladder["events"].size(), 15u);
  std::size_t arrows = 0;
  std::size_t failures = 0;
  std::map<std::string, std::size_t> arrows_by_peer;
  for (const json& e : ladder["events"]) {
    SCOPED_TRACE(e.dump());
    EXPECT_EQ(e["kind"], "sip");
    EXPECT_EQ(e["lane"], 0u);
    EXPECT_EQ(e["sub_lane"], 0u);
    EXPECT_EQ(e["leg_label"], "L1");
    EXPECT_FALSE(e.contains("to_sub_lane"));
    const std::string name = e["name"];
    if (name == "CID:CUUID") {
      EXPECT_FALSE(e.contains("peer_sub_lane"));
      EXPECT_FALSE(e.contains("direction"));
      EXPECT_NE(e["label"].get<std::string>().find("Call-ID"), std::string::npos);
      continue;
    }
    ++arrows;
    ASSERT_TRUE(e.contains("peer_sub_lane"));
    const std::string peer = e["peer"];
    ASSERT_TRUE(peers.contains(peer));
    EXPECT_EQ(e["peer_sub_lane"], peers.at(peer).sub);
    ++arrows_by_peer[peer];
    const bool response = name[0] >= '1' && name[0] <= '6';
    // The SIP Server sends the requests and receives the answers here.
    EXPECT_EQ(e["direction"], response ? "in" : "out");
    if (response) {
      EXPECT_EQ(e["status"], std::stoi(name.substr(0, 3)));
      ASSERT_TRUE(e.contains("method"));
      EXPECT_EQ(e["label"], name + " (" + e["method"].get<std::string>() + ")");
      EXPECT_FALSE(e.contains("request_uri"));
    } else {
      EXPECT_FALSE(e.contains("status"));
      EXPECT_EQ(e["label"], name + " " + e["request_uri"].get<std::string>());
      EXPECT_NE(e["request_uri"].get<std::string>().find(peer), std::string::npos);
    }
    if (e.value("failure", false)) {
      ++failures;
      EXPECT_EQ(name, "403 Forbidden");
      EXPECT_EQ(e["status"], 403);
      EXPECT_EQ(e["direction"], "in");
      EXPECT_EQ(e["peer"], kPeer1002);
      EXPECT_EQ(e["peer_sub_lane"], peers.at(kPeer1002).sub);
      EXPECT_EQ(e["method"], "INVITE");
      EXPECT_EQ(e["reason"], "Q.850;cause=21");
      EXPECT_EQ(e["call_id"], kCall1Dialog2);
    } else {
      EXPECT_LT(e.value("status", 0), 400);
    }
    // The raw lines behind the arrow are that message.
    const json raw = get_json("/api/raw?source=" + source + "&offset=" +
                              std::to_string(e["offset"].get<std::uint64_t>()) + "&lines=8");
    const std::string text = raw["text"];
    EXPECT_NE(text.find(name), std::string::npos) << text;
    EXPECT_NE(text.find("Call-ID: " + e["call_id"].get<std::string>()), std::string::npos) << text;
    EXPECT_NE(text.find(peer), std::string::npos) << text;
  }
  EXPECT_EQ(arrows, 15u);
  EXPECT_EQ(failures, 1u);
  EXPECT_EQ(arrows_by_peer[kPeer1003], 10u);
  EXPECT_EQ(arrows_by_peer[kPeer1002], 5u);
  // The first arrow: the INVITE to 1003, from the site's lane to the peer's.
  const json& first = ladder["events"][0];
  EXPECT_EQ(first["label"], "INVITE sip:1003@192.168.210.81:5090");
  EXPECT_EQ(first["direction"], "out");
  EXPECT_EQ(first["peer_sub_lane"], peers.at(kPeer1003).sub);

  // The SVG draws the same: the peers' lanes, 15 arrows, the 403 in red.
  auto svg = client().Get(("/api/interactions/" + test::kRealSipCall1 + "/svg").c_str());
  ASSERT_TRUE(svg);
  ASSERT_EQ(svg->status, 200);
  const std::string& body = svg->body;
  for (const auto& p : {kPeer1003, kPeer1002})
    EXPECT_NE(body.find(">SIP " + p + "</text>"), std::string::npos) << p;
  auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = 0; (at = body.find(what, at)) != std::string::npos; ++at)
      ++n;
    return n;
  };
  EXPECT_EQ(count("<g class=\"sip\">") + count("<g class=\"sip failure\">"), 15u);
  EXPECT_EQ(count("<g class=\"sip-note\">"), 0u);
  const auto failure = body.find("<g class=\"sip failure\">");
  ASSERT_NE(failure, std::string::npos) << body;
  const std::string failure_group = body.substr(failure, body.find("</g>", failure) - failure);
  EXPECT_NE(failure_group.find(">403 Forbidden (INVITE)</text>"), std::string::npos)
      << failure_group;
  EXPECT_NE(failure_group.find("Reason: Q.850;cause=21"), std::string::npos) << failure_group;
  EXPECT_NE(failure_group.find("stroke=\"#d00\""), std::string::npos) << failure_group;
  EXPECT_EQ(body.find("<g class=\"sip failure\">", failure + 1), std::string::npos);
  EXPECT_NE(body.find(">INVITE sip:1002@192.168.210.54:5061</text>"), std::string::npos);
}

TEST_F(HttpApi, LadderHopsFollowSipLinksBetweenSites) {
  push_log("SIP_P-001.20260202_135459_850.log", test::read_log(test::kRealSipLog), 200000);
  push_log("SIP_B-001.20260202_135500_000.log", std::string(kSiteBLog), 1 << 20);
  pump_.flush();
  // The document is kept: a range-for over a member of the temporary would
  // read it after it was destroyed.
  const json metrics = get_json("/metrics");
  for (const json& src : metrics["sources"])
    EXPECT_EQ(src["malformed"], 0u) << src.dump();
  const json it = get_json("/api/interactions/" + test::kRealSipCall1);
  ASSERT_EQ(it["legs"].size(), 2u) << it.dump();
  const json ladder = get_json("/api/interactions/" + test::kRealSipCall1 + "/ladder");

  // The sip link from SIP_P's INVITE to SIP_B's is a hop, like an IS-Link.
  std::vector<json> sip_hops;
  for (const json& h : ladder["hops"])
    if (h["kind"] == "sip") sip_hops.push_back(h);
  ASSERT_EQ(sip_hops.size(), 1u) << ladder["hops"].dump();
  const json& hop = sip_hops[0];
  EXPECT_EQ(hop["id"], kCall1Dialog2);
  EXPECT_EQ(hop["sip_call_id"], kCall1Dialog2);
  const json& from = ladder["events"][hop["from"].get<std::size_t>()];
  const json& to = ladder["events"][hop["to"].get<std::size_t>()];
  EXPECT_EQ(from["name"], "INVITE");
  EXPECT_EQ(from["direction"], "out");
  EXPECT_EQ(from["call_id"], kCall1Dialog2);
  EXPECT_EQ(to["name"], "INVITE");
  EXPECT_EQ(to["direction"], "in");
  EXPECT_EQ(to["call_id"], kCall1Dialog2);
  EXPECT_EQ(hop["label"], "SIP \u202629F6-4");
  EXPECT_EQ(hop["from_lane"], from["lane"]);
  EXPECT_EQ(hop["to_lane"], to["lane"]);
  EXPECT_EQ(ladder["lanes"][from["lane"].get<std::size_t>()]["site"], "SIP_P@?");
  EXPECT_EQ(ladder["lanes"][to["lane"].get<std::size_t>()]["site"], "SIP_B@?");
  EXPECT_LT(hop["from"].get<std::size_t>(), hop["to"].get<std::size_t>());

  // SIP_B's peer (the address SIP_P sent from) has a lane of its own; its
  // 403 goes from SIP_B's lane to it.
  const auto peers = peer_lanes(ladder);
  ASSERT_TRUE(peers.contains("192.168.210.66:5060")) << ladder["lanes"].dump();
  bool answered = false;
  for (const json& e : ladder["events"]) {
    if (e["peer"] != "192.168.210.66:5060" || e["name"] != "403 Forbidden") continue;
    answered = true;
    EXPECT_EQ(e["direction"], "out");
    EXPECT_EQ(e["failure"], true);
    EXPECT_EQ(e["lane"], to["lane"]);
    EXPECT_EQ(peers.at("192.168.210.66:5060").lane, to["lane"]);
    EXPECT_EQ(e["peer_sub_lane"], peers.at("192.168.210.66:5060").sub);
  }
  EXPECT_TRUE(answered);

  auto svg = client().Get(("/api/interactions/" + test::kRealSipCall1 + "/svg").c_str());
  ASSERT_TRUE(svg);
  EXPECT_NE(svg->body.find("<g class=\"hop\"><title>sip " + kCall1Dialog2 + " (certain)</title>"),
            std::string::npos)
      << svg->body;
  EXPECT_NE(svg->body.find(">SIP \u202629F6-4</text>"), std::string::npos) << svg->body;
}

TEST_F(HttpApi, PushedEventsResentAreTakenOnce) {
  auto logs = test::simulate_logs("http_events", "--interactions 20 --seed 4");
  parse::LogReader reader;
  std::uint64_t total = 0;
  auto c = client();
  for (const auto& f : logs.files) {
    std::vector<std::string> lines;
    reader.read_file(f, [&](model::Event& e) {
      std::string l;
      model::append_event_json(l, e, f);
      lines.push_back(std::move(l));
    });
    total += lines.size();
    for (std::size_t first = 0; first < lines.size(); first += 25) {
      std::string body;
      for (std::size_t i = first; i < std::min(lines.size(), first + 25); ++i)
        body += lines[i] + "\n";
      for (int k = 0; k < 3; ++k) {  // the collector did not hear back and resends
        auto r = c.Post(("/api/events?source=" + f + "&first=" + std::to_string(first)).c_str(),
                        body, "application/x-ndjson");
        ASSERT_TRUE(r);
        ASSERT_EQ(r->status, 200) << r->body;
      }
    }
    EXPECT_EQ(get_json("/api/sources?source=" + f)["next"], lines.size());
  }
  pump_.flush();
  EXPECT_EQ(get_json("/metrics")["events"], total);
  EXPECT_EQ(get_json("/metrics")["interactions"], 20u);
  fs::remove_all(logs.dir);
}

TEST_F(HttpApi, UpdatesStreamTellsCreatedLinkedCompletedMerged) {
  // The later sites first, so that roots move and interactions merge.
  auto logs = test::simulate_logs("sse", "--only multisite --interactions 12 --seed 9");
  const auto expected = test::file_grouping(logs.files);
  std::vector<std::string> files = logs.files;
  std::reverse(files.begin(), files.end());

  std::mutex mutex;
  std::vector<json> updates;
  std::atomic<bool> done{false};
  std::thread listener([&] {
    auto c = client();
    std::string buffer;
    c.Get("/api/updates", [&](const char* data, std::size_t n) {
      buffer.append(data, n);
      for (std::size_t end; (end = buffer.find("\n\n")) != std::string::npos;) {
        const std::string block = buffer.substr(0, end);
        buffer.erase(0, end + 2);
        const auto at = block.find("data: ");
        if (at == std::string::npos) continue;
        std::lock_guard lock(mutex);
        updates.push_back(json::parse(block.substr(at + 6, block.find('\n', at) - at - 6)));
      }
      return !done;
    });
  });
  // Let the stream connect; updates sent before it would be missed (a
  // subscriber that reconnects passes ?since= or Last-Event-ID instead).
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (const auto& f : files) {
    push_text(f, 20000);
    live_.end_text(f);
    pump_.flush();
  }
  // Wait (bounded) until a subscriber replaying the stream knows the final ids.
  auto replayed = [&] {
    std::set<std::string> ids;
    std::lock_guard lock(mutex);
    for (const auto& u : updates) {
      if (u["kind"] == "created") ids.insert(u["interaction_id"]);
      if (u["kind"] == "merged") {
        for (const auto& m : u["merged"])
          ids.erase(m.get<std::string>());
        ids.insert(u["interaction_id"]);
      }
    }
    return ids;
  };
  std::set<std::string> want;
  for (const auto& [id, v] : expected.by_id)
    want.insert(id);
  for (int i = 0; i < 200 && replayed() != want; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  done = true;  // the listener sees it at the next keep-alive, within a second
  listener.join();

  EXPECT_EQ(replayed(), want);
  std::set<std::string> kinds;
  for (const auto& u : updates) {
    kinds.insert(u["kind"]);
    if (u["kind"] == "merged") {
      EXPECT_EQ(u["survivor"], u["interaction_id"]);
      EXPECT_FALSE(u["merged"].empty());
    }
  }
  for (const char* k : {"created", "linked", "completed", "merged"})
    EXPECT_TRUE(kinds.contains(k)) << k;
  fs::remove_all(logs.dir);
}

}  // namespace
}  // namespace calltrail::serve
