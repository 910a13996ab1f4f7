// --only NAME: every scenario is present when asked for, in truth.json and in
// the written logs (read back through the parser).
#include "simulate_support.hpp"

namespace calltrail::test {
namespace {

struct Run {
  fs::path dir;
  nlohmann::json truth;
  ParsedLogs logs;
  std::string text;
  std::map<std::string, std::vector<const ParsedEvent*>> by_uuid;  // file order
  std::map<std::string, std::vector<const ParsedEvent*>> by_link;  // events listing an IS-Link
};

std::unique_ptr<Run> run_only(simulate::Scenario s, std::uint64_t n = 16) {
  auto run = std::make_unique<Run>();
  run->dir = fresh_dir(std::string(simulate::scenario_name(s)));
  auto o = small_options(run->dir, n);
  o.only = s;
  run_simulation(o);
  run->truth = load_truth(run->dir);
  run->logs = parse_folder(run->dir);
  run->text = all_log_text(run->dir);
  for (const auto& e : run->logs.events) {
    run->by_uuid[e.call_uuid].push_back(&e);
    for (const auto& l : e.links)
      run->by_link[l.id].push_back(&e);
  }
  return run;
}

bool has_tag(const nlohmann::json& ia, std::string_view tag) {
  for (const auto& s : ia["scenarios"])
    if (s == tag) return true;
  return false;
}

// Index of the first event of `uuid` named `name`, or -1.
int index_of(const Run& r, const std::string& uuid, std::string_view name) {
  const auto& v = r.by_uuid.at(uuid);
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i]->name == name) return static_cast<int>(i);
  return -1;
}

// Index of the first event of `uuid` that lists IS-Link `id` with `role`, or -1.
int index_of_link(const Run& r, const std::string& uuid, const std::string& id,
                  std::string_view role) {
  const auto& v = r.by_uuid.at(uuid);
  for (std::size_t i = 0; i < v.size(); ++i)
    for (const auto& l : v[i]->links)
      if (l.id == id && l.role == role) return static_cast<int>(i);
  return -1;
}

class OnlyScenario : public ::testing::TestWithParam<simulate::Scenario> {};

TEST_P(OnlyScenario, IsInEveryInteractionAndInTheLogs) {
  using simulate::Scenario;
  const Scenario s = GetParam();
  const auto name = std::string(simulate::scenario_name(s));
  const auto run = run_only(s);
  const auto& r = *run;
  EXPECT_EQ(r.logs.diagnostics, 0U) << r.logs.first_diagnostic;
  const auto& interactions = r.truth["interactions"];
  ASSERT_EQ(interactions.size(), 16U);
  const bool site_wide = s == Scenario::LostEvents || s == Scenario::HaSync || s == Scenario::Noise;
  std::size_t tagged = 0;
  for (const auto& ia : interactions)
    tagged += has_tag(ia, name) ? 1 : 0;
  if (site_wide) {
    EXPECT_EQ(tagged, 0U) << "site-wide scenarios are not interaction tags";
  } else if (s == Scenario::ConnIdReuse) {
    // A reusing call needs an earlier single-site call on another site to
    // take its ConnID from: every other interaction is such a donor.
    EXPECT_GE(tagged, interactions.size() / 2);
  } else {
    EXPECT_EQ(tagged, interactions.size());
  }

  for (const auto& ia : interactions) {
    for (const auto& leg : ia["legs"]) {
      ASSERT_TRUE(r.by_uuid.count(leg["call_uuid"])) << "leg without events: " << leg;
      EXPECT_EQ(r.by_uuid.at(leg["call_uuid"]).size(), leg["events"].get<std::size_t>());
    }
    std::vector<nlohmann::json> islinks, transfers;
    for (const auto& l : ia["links"])
      (l["kind"] == "islink" ? islinks : transfers).push_back(l);

    switch (s) {
      case Scenario::Single:
      case Scenario::LostEvents:
      case Scenario::HaSync:
      case Scenario::Noise:
        EXPECT_EQ(ia["legs"].size(), 1U);
        EXPECT_TRUE(ia["links"].empty());
        break;
      case Scenario::Multisite: {
        ASSERT_FALSE(islinks.empty());
        for (const auto& l : islinks) {
          ASSERT_FALSE(l["to"].is_null());
          // Source reports `source`, target reports `target`, naming each other.
          const auto id = l["id"].get<std::string>();
          EXPECT_GE(index_of_link(r, l["from"], id, "source"), 0) << id;
          EXPECT_GE(index_of_link(r, l["to"], id, "target"), 0) << id;
          for (const auto* e : r.by_link.at(id)) {
            for (const auto& pl : e->links) {
              if (pl.id != id) continue;
              const auto other = pl.role == "source" ? l["to_site"] : l["from_site"];
              EXPECT_EQ(pl.location, other.get<std::string>());
            }
          }
        }
        break;
      }
      case Scenario::PingPong: {
        std::map<std::string, int> visits;
        for (const auto& leg : ia["legs"])
          ++visits[leg["site"].get<std::string>()];
        int max_visits = 0;
        for (const auto& [site, v] : visits)
          max_visits = std::max(max_visits, v);
        EXPECT_GE(max_visits, 2) << "a site visited twice, with a new CallUUID";
        // The middle leg lists its incoming and outgoing link in one event, as in the seed.
        bool both = false;
        for (const auto& leg : ia["legs"])
          for (const auto* e : r.by_uuid.at(leg["call_uuid"]))
            both |= e->links.size() >= 2 && e->links[0].role == "target" &&
                    e->links[1].role == "source";
        EXPECT_TRUE(both);
        break;
      }
      case Scenario::ConnIdChange: {
        bool changed = false;
        for (const auto& l : islinks) {
          if (l["conn_id_kept"].get<bool>()) continue;
          changed = true;
          const auto& from = r.by_uuid.at(l["from"]).front()->conn_id;
          const auto& to = r.by_uuid.at(l["to"]).front()->conn_id;
          EXPECT_NE(from, to);
        }
        EXPECT_TRUE(changed);
        break;
      }
      case Scenario::ConnIdReuse: {
        if (!has_tag(ia, "connid-reuse")) break;
        const auto donor_id = ia["reuses_conn_id_of"].get<std::string>();
        const nlohmann::json* donor = nullptr;
        for (const auto& other : interactions)
          if (other["interaction_id"] == donor_id) donor = &other;
        ASSERT_NE(donor, nullptr);
        EXPECT_EQ((*donor)["legs"][0]["conn_ids"][0], ia["legs"][0]["conn_ids"][0]);
        // On another site, or on the same site long after the donor's call.
        if ((*donor)["legs"][0]["site"] == ia["legs"][0]["site"]) {
          const auto end = base::parse_iso_time((*donor)["legs"][0]["true_end"].get<std::string>());
          const auto start = base::parse_iso_time(ia["legs"][0]["true_start"].get<std::string>());
          ASSERT_TRUE(end && start);
          EXPECT_GE(*start - *end, 900 * base::kMicrosPerSecond);
        }
        EXPECT_TRUE(ia["links"].empty()) << "ConnID reuse is not a link";
        break;
      }
      case Scenario::Consult:
      case Scenario::Conference: {
        ASSERT_EQ(transfers.size(), 1U);
        const auto& t = transfers[0];
        EXPECT_EQ(t["conference"].get<bool>(), s == Scenario::Conference);
        const auto main = t["from"].get<std::string>();
        const auto consult = t["to"].get<std::string>();
        const auto survivor = t["survivor"].get<std::string>();
        const auto merged = survivor == main ? consult : main;
        const auto& ce = r.by_uuid.at(consult);
        EXPECT_EQ(ce.front()->attributes.at("AttributeOrigCallUUID"), main);
        EXPECT_EQ(ce.front()->attributes.at("AttributeCallType"), "4");
        const int deleted = index_of(r, merged, "EventCallDeleted");
        ASSERT_GE(deleted, 0);
        EXPECT_EQ(r.by_uuid.at(merged)[static_cast<std::size_t>(deleted)]->attributes.at(
                      "AttributeRefCallUUID"),
                  survivor);
        const int changed = index_of(r, survivor, "EventPartyChanged");
        ASSERT_GE(changed, 0);
        EXPECT_EQ(r.by_uuid.at(survivor)[static_cast<std::size_t>(changed)]->attributes.at(
                      "AttributePreviousConnID"),
                  r.by_uuid.at(merged).front()->conn_id);
        bool transfer_conn_id = false;
        for (const auto* e : r.by_uuid.at(consult))
          transfer_conn_id |=
              e->name == "EventReleased" && e->attributes.count("AttributeTransferConnID") &&
              e->attributes.at("AttributeTransferConnID") == r.by_uuid.at(main).front()->conn_id;
        EXPECT_TRUE(transfer_conn_id);
        if (s == Scenario::Conference) {
          EXPECT_GE(index_of(r, main, "EventPartyAdded"), 0);
        }
        break;
      }
      case Scenario::MultisiteConsult: {
        ASSERT_EQ(transfers.size(), 1U);
        ASSERT_EQ(islinks.size(), 1U);
        EXPECT_EQ(islinks[0]["from"], transfers[0]["to"]) << "the IS-Link is on the consult call";
        EXPECT_GE(index_of_link(r, islinks[0]["from"], islinks[0]["id"], "source"), 0);
        EXPECT_GE(index_of_link(r, islinks[0]["to"], islinks[0]["id"], "target"), 0);
        break;
      }
      case Scenario::LateIsLink:
      case Scenario::PostMortemIsLink: {
        const auto& last = islinks.back();
        const auto to = last["to"].get<std::string>();
        const int report = index_of_link(r, to, last["id"], "target");
        ASSERT_GE(report, 0);
        const auto anchor =
            index_of(r, to, s == Scenario::LateIsLink ? "EventEstablished" : "EventCallDeleted");
        EXPECT_GT(report, anchor) << "the link is reported after the call's other events";
        const auto& events = r.by_uuid.at(to);
        ASSERT_TRUE(events.front()->utc && events[static_cast<std::size_t>(report)]->utc);
        EXPECT_GE(*events[static_cast<std::size_t>(report)]->utc - *events.front()->utc,
                  s == Scenario::LateIsLink ? 10 * base::kMicrosPerSecond : 0);
        break;
      }
      case Scenario::Unmonitored:
      case Scenario::FailedTransfer: {
        const auto& last = islinks.back();
        EXPECT_TRUE(last["to"].is_null());
        EXPECT_EQ(last["reason"], s == Scenario::Unmonitored ? "unmonitored" : "partner-missing");
        EXPECT_EQ(ia["complete"].get<bool>(), s == Scenario::Unmonitored);
        const auto id = last["id"].get<std::string>();
        ASSERT_TRUE(r.by_link.count(id));
        for (const auto* e : r.by_link.at(id)) {
          EXPECT_EQ(e->call_uuid, last["from"]) << "only the source reports the link";
          for (const auto& pl : e->links)
            if (pl.id == id) {
              EXPECT_EQ(pl.role, "source");
            }
        }
        break;
      }
    }
  }

  // Site-wide scenarios are seen in the text and in the sites of truth.
  if (s == Scenario::LostEvents) {
    std::size_t gaps = 0;
    for (const auto& site : r.truth["sites"])
      gaps += site["gaps"].size();
    EXPECT_GT(gaps, 0U);
  }
  if (s == Scenario::HaSync) {
    EXPECT_NE(r.text.find("[BSYNC] Trace: Send to backup ("), std::string::npos);
    EXPECT_NE(r.text.find("message RequestSetCallInfo\n"), std::string::npos);
  }
  if (s == Scenario::Noise) {
    EXPECT_NE(r.text.find(": SIPTR: Received [0,UDP] "), std::string::npos);
    EXPECT_NE(r.text.find(": Sending  [0,UDP] "), std::string::npos);
    EXPECT_NE(r.text.find("\n\nv=0\n"), std::string::npos) << "SIP bodies after a blank line";
    for (const char* kind : {" Std ", " Trc 0454", " Int "})
      EXPECT_NE(r.text.find(kind), std::string::npos) << kind;
  } else {
    EXPECT_EQ(r.text.find("SIPTR"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(All, OnlyScenario, ::testing::ValuesIn(simulate::all_scenarios()),
                         [](const auto& param_info) {
                           std::string n(simulate::scenario_name(param_info.param));
                           for (auto& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(LostEvents, GapsInTruthAreTheGapsInTheLogs) {
  const auto run = run_only(simulate::Scenario::LostEvents, 200);
  std::map<std::string, std::vector<std::uint64_t>> seqs;  // by app
  for (const auto& e : run->logs.events)
    if (e.seq) seqs[e.app].push_back(*e.seq);
  std::size_t checked = 0;
  for (const auto& site : run->truth["sites"]) {
    if (!site["monitored"].get<bool>()) continue;
    const auto& v = seqs[site["app"].get<std::string>()];
    EXPECT_EQ(v.size(), site["events"].get<std::size_t>());
    std::vector<std::pair<std::uint64_t, std::uint64_t>> found;
    for (std::size_t i = 1; i < v.size(); ++i) {
      ASSERT_GT(v[i], v[i - 1]);
      if (v[i] != v[i - 1] + 1) found.emplace_back(v[i - 1], v[i] - v[i - 1] - 1);
    }
    std::vector<std::pair<std::uint64_t, std::uint64_t>> expected;
    for (const auto& g : site["gaps"])
      expected.emplace_back(g["after_seq"].get<std::uint64_t>(), g["missing"].get<std::uint64_t>());
    // A gap before a site's first event is not visible in its log.
    if (!expected.empty() && !v.empty() && expected.front().first < v.front()) {
      expected.erase(expected.begin());
    }
    EXPECT_EQ(found, expected) << site["name"];
    checked += expected.size();
  }
  EXPECT_GT(checked, 0U);
}

}  // namespace
}  // namespace calltrail::test
