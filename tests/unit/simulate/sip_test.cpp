// SIP on SIP Server sites, as the real SIP Server log writes it: the
// transport lines, the messages and their sizes, the CID:CUUID lines, the
// dialogs two sites share when a call passes between them, and sites that
// print no T-Library message (tlib=off). truth.json names the Call-IDs.
#include <fstream>
#include <sstream>

#include "simulate_support.hpp"

namespace calltrail::test {
namespace {

// One SIP message as a site logged it.
struct LoggedSip {
  bool sent = false;
  std::size_t bytes = 0;  // as the transport line says
  std::size_t wire = 0;   // counted: every line end is CRLF on the wire
  std::string peer;
  std::string start;
  std::map<std::string, std::string> headers;
  std::string body;
  bool net_marker = false;  // "$+NET:SIP::0:0" just before (received)
  bool blank_after = false;
  std::string mapped_call_id;  // the CID:CUUID line after it, if any
  std::string mapped_uuid;
};

struct SiteSip {
  std::vector<LoggedSip> messages;
  std::map<std::string, std::set<std::string>> call_ids_of;  // CallUUID -> Call-IDs
  std::size_t transport_lines = 0;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    const auto nl = text.find('\n', at);
    lines.push_back(text.substr(at, nl - at));
    at = nl == std::string::npos ? text.size() : nl + 1;
  }
  return lines;
}

// "HH:MM:SS.mmm: " at the start of a line.
bool sip_time_prefix(const std::string& line) {
  return line.size() > 14 && line[2] == ':' && line[5] == ':' && line[8] == '.' &&
         line[12] == ':' && line[13] == ' ';
}

SiteSip read_site(const fs::path& dir, const nlohmann::json& site) {
  SiteSip out;
  for (const auto& f : site["files"]) {
    std::ifstream in(dir / f.get<std::string>(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const auto lines = lines_of(ss.str());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const auto& line = lines[i];
      if (sip_time_prefix(line) && line.compare(14, 10, "CID:CUUID>") == 0) {
        // CID:CUUID><Call-ID>:<CallUUID>:
        const std::string rest = line.substr(24);
        const auto uuid_at = rest.size() - 33;
        out.call_ids_of[rest.substr(uuid_at, 32)].insert(rest.substr(0, uuid_at - 1));
        continue;
      }
      const bool received = line.find(": SIPTR: Received [0,UDP] ") == 12;
      const bool sent = line.find(": Sending  [0,UDP] ") == 12;
      if (!received && !sent) continue;
      ++out.transport_lines;
      LoggedSip m;
      m.sent = sent;
      const auto number = line.find(']') + 2;
      m.bytes = std::stoul(line.substr(number));
      const auto peer_at = line.find(sent ? " bytes to " : " bytes from ") + (sent ? 10 : 12);
      m.peer = line.substr(peer_at, line.find(' ', peer_at) - peer_at);
      EXPECT_TRUE(line.ends_with(sent ? " >>>>>" : " <<<<<")) << line;
      m.net_marker = received && i > 0 && lines[i - 1].ends_with(": $+NET:SIP::0:0");
      std::size_t j = i + 1;
      m.start = lines[j++];
      m.wire = m.start.size() + 2;
      for (; j < lines.size() && !lines[j].empty(); ++j) {
        const auto colon = lines[j].find(": ");
        auto value = lines[j].substr(colon + 2);
        while (!value.empty() && value.front() == ' ')
          value.erase(0, 1);
        m.headers[lines[j].substr(0, colon)] = value;
        m.wire += lines[j].size() + 2;
      }
      m.wire += 2;  // the blank line after the headers
      const std::size_t length = std::stoul(m.headers["Content-Length"]);
      std::size_t body_wire = 0;
      for (++j; body_wire < length && j < lines.size(); ++j) {
        m.body += lines[j] + "\n";
        body_wire += lines[j].size() + 2;
      }
      EXPECT_EQ(body_wire, length) << m.start << " " << m.headers["Call-ID"];
      m.wire += body_wire;
      m.blank_after = j < lines.size() && lines[j].empty();
      if (j + 1 < lines.size() && sip_time_prefix(lines[j + 1]) &&
          lines[j + 1].compare(14, 10, "CID:CUUID>") == 0) {
        const std::string rest = lines[j + 1].substr(24);
        m.mapped_call_id = rest.substr(0, rest.size() - 34);
        m.mapped_uuid = rest.substr(rest.size() - 33, 32);
      }
      out.messages.push_back(std::move(m));
      i = j;
    }
  }
  return out;
}

const char* const kMixedSites[] = {
    "SIPServer1@SIP_Switch1,-4h,-50ms",          "Tserver2@Avaya_Switch1,-5h,+0ms",
    "SIPServer4@SIP_Switch4,+1h,-1.2s",          "SIPServer7@SIP_Switch7,+2h,+30ms,tlib=off",
    "SIPServer8@SIP_Switch8,-3h,-20ms,tlib=off",
};

simulate::SimulateOptions mixed_options(const fs::path& dir, std::uint64_t interactions = 200) {
  auto o = small_options(dir, interactions);
  std::string error;
  for (const char* spec : kMixedSites)
    o.sites.push_back(*simulate::parse_site_spec(spec, error));
  return o;
}

struct MixedRun {
  fs::path dir;
  nlohmann::json truth;
  std::map<std::string, SiteSip> sip;  // by site name
  std::map<std::string, const nlohmann::json*> sites;
};

const MixedRun& mixed_run() {
  static const auto run = [] {
    auto r = std::make_unique<MixedRun>();
    r->dir = fresh_dir("mixed");
    run_simulation(mixed_options(r->dir));
    r->truth = load_truth(r->dir);
    for (const auto& s : r->truth["sites"]) {
      r->sites[s["name"]] = &s;
      if (s["monitored"].get<bool>()) r->sip[s["name"]] = read_site(r->dir, s);
    }
    return r;
  }();
  return *run;
}

TEST(Sip, MessagesAreLoggedAsTheRealSipServerLogsThem) {
  const auto& r = mixed_run();
  std::set<std::string> starts;
  std::size_t messages = 0;
  for (const auto& [name, site] : r.sip) {
    if (name.starts_with("Tserver2")) {
      EXPECT_EQ(site.transport_lines, 0U) << "a T-Server logs no SIP";
      continue;
    }
    EXPECT_EQ(site.messages.size(), site.transport_lines);
    for (const auto& m : site.messages) {
      ++messages;
      EXPECT_EQ(m.bytes, m.wire) << name << " " << m.start << " " << m.headers.at("Call-ID");
      EXPECT_TRUE(m.blank_after) << m.start;
      if (!m.sent) {
        EXPECT_TRUE(m.net_marker) << m.start;
      }
      EXPECT_TRUE(m.start.ends_with(" SIP/2.0") || m.start.starts_with("SIP/2.0 ")) << m.start;
      for (const char* h : {"Via", "From", "To", "Call-ID", "CSeq", "Content-Length"})
        EXPECT_TRUE(m.headers.count(h)) << h << " in " << m.start;
      if (!m.body.empty()) {
        EXPECT_EQ(m.headers.at("Content-Type"), "application/sdp");
        EXPECT_TRUE(m.body.starts_with("v=0\n"));
        EXPECT_NE(m.body.find("\nc=IN IP4 "), std::string::npos);
        EXPECT_NE(m.body.find("\nm=audio "), std::string::npos);
        EXPECT_NE(m.body.find(" RTP/AVP 0 8 101\n"), std::string::npos);
        EXPECT_NE(m.body.find("\na=rtpmap:0 "), std::string::npos);
      }
      if (!m.mapped_call_id.empty()) {
        EXPECT_EQ(m.mapped_call_id, m.headers.at("Call-ID"));
      }
      // A SIP Server names its own call in the requests it sends.
      const bool request = !m.start.starts_with("SIP/2.0");
      const auto method = m.start.substr(0, m.start.find(' '));
      if (m.sent && request && (method == "INVITE" || method == "BYE") && !m.mapped_uuid.empty()) {
        EXPECT_EQ(m.headers.count("X-Genesys-CallUUID") ? m.headers.at("X-Genesys-CallUUID") : "",
                  m.mapped_uuid)
            << m.start;
      }
      if (m.sent && method == "BYE") {
        EXPECT_EQ(m.headers.at("Reason"), "Q.850;cause=16;text=\"Normal call clearing\"");
      }
      // Traffic that belongs to no call has no CID:CUUID line.
      if (method == "REGISTER" || method == "OPTIONS") {
        EXPECT_TRUE(m.mapped_call_id.empty()) << m.start;
      }
      if (m.start == "SIP/2.0 404 Not Found") {
        EXPECT_TRUE(m.mapped_call_id.empty());
      }
      starts.insert(request ? method : m.start);
    }
  }
  EXPECT_GT(messages, 1000U);
  for (const char* s :
       {"INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS", "SIP/2.0 100 Trying",
        "SIP/2.0 180 Ringing", "SIP/2.0 200 OK", "SIP/2.0 403 Forbidden", "SIP/2.0 486 Busy Here",
        "SIP/2.0 487 Request Terminated", "SIP/2.0 404 Not Found"})
    EXPECT_TRUE(starts.count(s)) << s;
}

TEST(Sip, LegsListTheCallIdsTheirSiteMapsToThem) {
  const auto& r = mixed_run();
  std::set<std::pair<std::string, std::string>> truth_legs;
  std::size_t two_or_more = 0, sip_legs = 0;
  for (const auto& ia : r.truth["interactions"]) {
    for (const auto& leg : ia["legs"]) {
      const auto site = leg["site"].get<std::string>();
      const auto uuid = leg["call_uuid"].get<std::string>();
      truth_legs.emplace(site, uuid);
      ASSERT_TRUE(leg["sip_call_ids"].is_array()) << leg;
      std::set<std::string> ids;
      for (const auto& id : leg["sip_call_ids"])
        EXPECT_TRUE(ids.insert(id.get<std::string>()).second) << "listed twice: " << id;
      const auto& mapped = r.sip.at(site).call_ids_of;
      const auto it = mapped.find(uuid);
      EXPECT_EQ(ids, it == mapped.end() ? std::set<std::string>{} : it->second)
          << site << " " << uuid;
      if (site.starts_with("Tserver2")) {
        EXPECT_TRUE(ids.empty());
      } else {
        ++sip_legs;
        // The customer's dialog and the agent's, as in the real log.
        two_or_more += ids.size() >= 2 ? 1 : 0;
      }
    }
  }
  EXPECT_GT(two_or_more, sip_legs * 8 / 10);
  // Every CallUUID a CID:CUUID line names is a leg of truth.
  for (const auto& [site, sip] : r.sip)
    for (const auto& [uuid, ids] : sip.call_ids_of)
      EXPECT_TRUE(truth_legs.count({site, uuid})) << site << " " << uuid;
}

TEST(Sip, CallsPassedBetweenSipServersShareTheirCallId) {
  const auto& r = mixed_run();
  auto tlib = [&](const std::string& site) { return (*r.sites.at(site))["tlib"].get<bool>(); };
  auto is_sip_site = [&](const std::string& site) { return site.starts_with("SIPServer"); };
  std::size_t shared = 0, sip_links = 0, one_sided = 0;
  for (const auto& ia : r.truth["interactions"]) {
    std::map<std::string, const nlohmann::json*> legs;
    for (const auto& leg : ia["legs"])
      legs[leg["call_uuid"]] = &leg;
    for (const auto& link : ia["links"]) {
      if (link["kind"] == "transfer" || link["to"].is_null()) continue;
      const auto from_site = link["from_site"].get<std::string>();
      const auto to_site = link["to_site"].get<std::string>();
      // A hop a correct tool can see: never between a T-Server and a SIP
      // Server that prints no T-Library message.
      EXPECT_TRUE((tlib(from_site) && tlib(to_site)) ||
                  (is_sip_site(from_site) && is_sip_site(to_site)))
          << from_site << " -> " << to_site;
      if (!is_sip_site(from_site) || !is_sip_site(to_site)) {
        EXPECT_FALSE(link.contains("sip_call_id")) << link;
        continue;
      }
      ASSERT_TRUE(link.contains("sip_call_id")) << link;
      const auto call_id = link["sip_call_id"].get<std::string>();
      ++shared;
      if (!tlib(from_site) && !tlib(to_site)) {
        // Neither reports the IS-Link: the dialog is the link.
        EXPECT_EQ(link["kind"], "sip");
        EXPECT_EQ(link["id"], call_id);
        ++sip_links;
      } else {
        EXPECT_EQ(link["kind"], "islink");
        EXPECT_TRUE(is_call_uuid(link["id"])) << link["id"];
        one_sided += tlib(from_site) != tlib(to_site) ? 1 : 0;
      }
      const auto from = link["from"].get<std::string>();
      const auto to = link["to"].get<std::string>();
      for (const auto* leg : {legs.at(from), legs.at(to)}) {
        const auto& ids = (*leg)["sip_call_ids"];
        EXPECT_NE(std::find(ids.begin(), ids.end(), call_id), ids.end()) << *leg;
      }
      // The sender sends the INVITE naming its own CallUUID; the receiver
      // logs the same bytes and maps the Call-ID to its own CallUUID.
      const LoggedSip* out = nullptr;
      const LoggedSip* in = nullptr;
      for (const auto& m : r.sip.at(from_site).messages)
        if (m.sent && m.start.starts_with("INVITE ") && m.headers.at("Call-ID") == call_id)
          out = &m;
      for (const auto& m : r.sip.at(to_site).messages)
        if (!m.sent && m.start.starts_with("INVITE ") && m.headers.at("Call-ID") == call_id)
          in = &m;
      ASSERT_TRUE(out && in) << call_id;
      EXPECT_EQ(out->headers.at("X-Genesys-CallUUID"), from);
      EXPECT_EQ(in->headers.at("X-Genesys-CallUUID"), from) << "names the sender's leg";
      EXPECT_EQ(out->mapped_uuid, from);
      EXPECT_EQ(in->mapped_uuid, to);
      EXPECT_EQ(out->headers, in->headers);
      EXPECT_EQ(out->body, in->body);
      EXPECT_NE(in->headers.at("To").find("@" + out->peer), std::string::npos) << out->peer;
    }
  }
  EXPECT_GT(shared, 10U);
  EXPECT_GT(sip_links, 0U);
  EXPECT_GT(one_sided, 0U);
}

TEST(Sip, SiteWithoutTLibraryWritesSipAndMappingsOnly) {
  const auto& r = mixed_run();
  std::size_t legs = 0;
  for (const auto& [name, site] : r.sites) {
    if ((*site)["tlib"].get<bool>()) continue;
    EXPECT_EQ((*site)["events"], 0);
    EXPECT_TRUE((*site)["gaps"].empty());
    std::string text;
    for (const auto& f : (*site)["files"]) {
      std::ifstream in(r.dir / f.get<std::string>(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      text += ss.str();
    }
    EXPECT_TRUE(text.starts_with("Application name: ")) << name;
    for (const char* tlib : {"message Event", "message Request", "AttributeISLinkList",
                             "AttributeConnID", "distribute", "[BSYNC]", "Trc 04541"})
      EXPECT_EQ(text.find(tlib), std::string::npos) << name << ": " << tlib;
    EXPECT_NE(text.find(": CID:CUUID>"), std::string::npos);
    EXPECT_NE(text.find(" Std "), std::string::npos) << "other records stay";
  }
  for (const auto& ia : r.truth["interactions"]) {
    for (const auto& leg : ia["legs"]) {
      if ((*r.sites.at(leg["site"]))["tlib"].get<bool>()) continue;
      ++legs;
      EXPECT_EQ(leg["events"], 0);
      EXPECT_TRUE(leg["conn_ids"].empty());
      EXPECT_FALSE(leg["sip_call_ids"].empty());
      // Its life is that of its CID:CUUID lines, which have milliseconds.
      EXPECT_TRUE(leg["start"].get<std::string>().ends_with("000Z")) << leg;
      EXPECT_TRUE(leg["end"].get<std::string>().ends_with("000Z")) << leg;
      EXPECT_LE(leg["start"].get<std::string>(), leg["end"].get<std::string>());
    }
  }
  EXPECT_GT(legs, 20U);
}

TEST(Sip, MixedSitesParseWithoutDiagnostics) {
  const auto& r = mixed_run();
  const auto logs = parse_folder(r.dir);
  EXPECT_EQ(logs.input_errors, 0U);
  EXPECT_EQ(logs.diagnostics, 0U) << logs.first_diagnostic;
  std::map<std::string, std::uint64_t> events;
  for (const auto& e : logs.events)
    ++events[e.app];
  for (const auto& [name, site] : r.sites)
    EXPECT_EQ(events[(*site)["app"].get<std::string>()], (*site)["events"].get<std::uint64_t>())
        << name;
}

TEST(Sip, SameOptionsSameBytesWithSitesWithoutTLibrary) {
  const auto a = fresh_dir("a");
  const auto b = fresh_dir("b");
  run_simulation(mixed_options(a, 40));
  run_simulation(mixed_options(b, 40));
  EXPECT_TRUE(folder_bytes(a) == folder_bytes(b));
}

TEST(Sip, WithoutNoiseOnlySitesWithoutTLibraryWriteSip) {
  const auto dir = fresh_dir("quiet");
  auto o = mixed_options(dir, 60);
  std::string error;
  o.scenarios = *simulate::parse_scenario_list("single,multisite", error);
  run_simulation(o);
  const auto truth = load_truth(dir);
  for (const auto& s : truth["sites"]) {
    if (!s["monitored"].get<bool>()) continue;
    const auto sip = read_site(dir, s);
    if (s["tlib"].get<bool>()) {
      EXPECT_EQ(sip.transport_lines, 0U) << s["name"];
    } else {
      EXPECT_GT(sip.transport_lines, 0U) << s["name"];
      for (const auto& m : sip.messages)
        EXPECT_FALSE(m.mapped_call_id.empty()) << "no noise: calls only: " << m.start;
    }
  }
}

}  // namespace
}  // namespace calltrail::test
