// `calltrail bundle` on simulated multi-site interactions, against the
// simulator's truth: every leg's lines are in the archive, each block is the
// original's lines; masked, none of the caller's numbers, the IP addresses
// or the user-data values read from the logs is left anywhere in it, the
// same value has the same token everywhere, identifiers are kept.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "../cli/run_support.hpp"

namespace calltrail::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using Files = std::map<std::string, std::string>;  // name in the archive (top folder cut) -> data

Files unpack(const std::string& path) {
  Files files;
  archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  EXPECT_EQ(archive_read_open_filename(a, path.c_str(), 1 << 16), ARCHIVE_OK) << path;
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string name = archive_entry_pathname(e);
    name = name.substr(name.find('/') + 1);
    std::string data;
    char buf[1 << 14];
    for (la_ssize_t n; (n = archive_read_data(a, buf, sizeof buf)) > 0;)
      data.append(buf, static_cast<std::size_t>(n));
    files[name] = std::move(data);
  }
  archive_read_free(a);
  return files;
}

std::vector<std::string> file_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  for (std::string l; std::getline(in, l);)
    lines.push_back(l);
  return lines;
}

struct Sim {
  fs::path dir;
  fs::path logs;
  Json truth;
};

Sim simulate(const std::string& name, const std::string& args) {
  Sim s;
  s.dir =
      fs::temp_directory_path() / ("calltrail_bundle_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(s.dir);
  s.logs = s.dir / "logs";
  const RunResult r =
      run_calltrail("simulate -q --out " + shell_quote(s.logs.string()) + " " + args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(s.logs / "truth.json");
  s.truth = Json::parse(in);
  fs::rename(s.logs / "truth.json", s.dir / "truth.json");
  return s;
}

// The multi-site truth interactions.
std::vector<Json> multisite(const Sim& s) {
  std::vector<Json> v;
  for (const auto& it : s.truth["interactions"]) {
    std::set<std::string> sites;
    for (const auto& l : it["legs"])
      sites.insert(l["site"]);
    if (sites.size() >= 2) v.push_back(it);
  }
  return v;
}

std::string everything(const Files& f) {
  std::string all;
  for (const auto& [name, data] : f)
    all += data + "\n";
  return all;
}

// Each "==> FILE:A-B <==" block of the site logs is lines A..B of FILE; the
// headers, in order.
std::vector<std::string> check_blocks_are_the_originals(const Files& f) {
  std::vector<std::string> headers;
  const std::regex header("^==> (.*):([0-9]+)-([0-9]+) <==$");
  for (const auto& [name, data] : f) {
    if (name.rfind("logs/", 0) != 0) continue;
    std::istringstream in(data);
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (!std::regex_match(line, m, header)) continue;
      headers.push_back(line);
      const auto original = file_lines(m[1]);
      const std::size_t a = std::stoul(m[2]);
      const std::size_t b = std::stoul(m[3]);
      EXPECT_LE(a, b);
      EXPECT_LE(b, original.size()) << line;
      for (std::size_t k = a; k <= b && k <= original.size(); ++k) {
        std::string got;
        std::getline(in, got);
        EXPECT_EQ(got, original[k - 1]) << line << " line " << k;
      }
    }
  }
  return headers;
}

TEST(Bundle, EveryLegsLinesAreInTheBundleAsInTheOriginals) {
  const Sim s = simulate("plain",
                         "--scenarios multisite,multisite-consult,pingpong,noise "
                         "--interactions 12 --seed 41");
  const auto calls = multisite(s);
  ASSERT_GE(calls.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    const Json& it = calls[k];
    const std::string out = (s.dir / ("b" + std::to_string(k) + ".tar.gz")).string();
    const RunResult r = run_calltrail("bundle " + it["interaction_id"].get<std::string>() + " " +
                                      shell_quote(s.logs.string()) + " --out " + shell_quote(out));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Files f = unpack(out);
    for (const char* name : {"README.txt", "interaction.json", "timeline.txt", "diagram.mmd"})
      EXPECT_TRUE(f.contains(name)) << name;
    const Json doc = Json::parse(f.at("interaction.json"));
    EXPECT_EQ(doc["interactions"].size(), 1u);
    for (const auto& leg : it["legs"]) {
      const std::string site_log = "logs/" + leg["site"].get<std::string>() + ".log";
      ASSERT_TRUE(f.contains(site_log)) << site_log;
      EXPECT_NE(f.at(site_log).find(leg["call_uuid"].get<std::string>()), std::string::npos)
          << site_log;
    }
    EXPECT_FALSE(check_blocks_are_the_originals(f).empty());
    EXPECT_NE(f.at("README.txt").find("Masking: none"), std::string::npos);
  }
  fs::remove_all(s.dir);
}

TEST(Bundle, MaskedBundleHoldsEverySiteAndNoneOfThePersonalValues) {
  const Sim s = simulate("mask",
                         "--scenarios multisite,multisite-consult,noise --style mixed "
                         "--interactions 10 --seed 42");
  const auto calls = multisite(s);
  ASSERT_GE(calls.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    const Json& it = calls[k];
    const std::string id = it["legs"][0]["conn_ids"][0];  // by ConnID this time
    const std::string plain_out = (s.dir / "plain.tar.gz").string();
    const std::string out = (s.dir / "masked.tar.gz").string();
    const std::string logs = shell_quote(s.logs.string());
    ASSERT_EQ(
        run_calltrail("bundle " + id + " " + logs + " --out " + shell_quote(plain_out)).exit_code,
        0);
    const RunResult r = run_calltrail("bundle " + id + " " + logs + " --out " + shell_quote(out) +
                                      " --mask --context 2");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Files plain = unpack(plain_out);
    const Files masked = unpack(out);
    const std::string all = everything(masked);

    // The personal values, read from the unmasked lines (not by the masker).
    std::set<std::string> secrets{it["ani"], it["dnis"], it["customer_id"]};
    const std::string raw = everything(plain);
    // IPv4 as docs/bundle.md says: octets without leading zeros (a version
    // such as 9.0.014.13 is none).
    const std::string octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    const std::regex ipv4("(?:^|[^0-9.])((?:" + octet + "\\.){3}" + octet + ")(?![0-9]|\\.[0-9])");
    const std::regex phone_attr(
        "Attribute(ANI|DNIS|OtherDN|ThisDN|ThirdPartyDN)[\\s'‘’\"]+(\\+?[0-9]{5,})");
    const std::regex udata("(CustomerId|CaseId|Segment|Language)['’\"]?\\s+['‘\"]?([^'’\"\\s]+)");
    std::set<std::pair<std::string, std::string>> pairs;
    for (auto m = std::sregex_iterator(raw.begin(), raw.end(), ipv4); m != std::sregex_iterator();
         ++m)
      secrets.insert((*m)[1]);
    for (auto m = std::sregex_iterator(raw.begin(), raw.end(), phone_attr);
         m != std::sregex_iterator(); ++m)
      secrets.insert((*m)[2]);
    for (auto m = std::sregex_iterator(raw.begin(), raw.end(), udata); m != std::sregex_iterator();
         ++m) {
      pairs.emplace((*m)[1], (*m)[2]);
      if ((*m)[2].length() >= 3) secrets.insert((*m)[2]);
    }
    ASSERT_FALSE(pairs.empty());
    for (const auto& v : secrets)
      EXPECT_EQ(all.find(v), std::string::npos) << "leaked " << v;
    for (const auto& [key, value] : pairs) {  // short values: not after their key
      const std::regex after(key + "['’\"]?[\\s=:]+['‘\"]?" + value + "\\b");
      EXPECT_FALSE(std::regex_search(all, after)) << key << "=" << value;
    }
    // Identifiers kept, every site there, the same blocks as unmasked.
    for (const auto& leg : it["legs"]) {
      EXPECT_NE(all.find(leg["call_uuid"].get<std::string>()), std::string::npos);
      for (const auto& c : leg["conn_ids"])
        EXPECT_NE(all.find(c.get<std::string>()), std::string::npos);
      EXPECT_TRUE(masked.contains("logs/" + leg["site"].get<std::string>() + ".log"));
    }
    // One token per value: the ANI has the same token in every file.
    std::set<std::string> ani_tokens;
    const std::regex ani_token("AttributeANI[\\s'‘’\"]+(PHONE-[0-9]+)");
    for (const auto& [name, data] : masked)
      for (auto m = std::sregex_iterator(data.begin(), data.end(), ani_token);
           m != std::sregex_iterator(); ++m)
        ani_tokens.insert((*m)[1]);
    ASSERT_EQ(ani_tokens.size(), 1u);
    const Json doc = Json::parse(masked.at("interaction.json"));
    for (const auto& leg : doc["interactions"][0]["legs"]) {
      if (leg.contains("ani")) {
        EXPECT_EQ(leg["ani"], *ani_tokens.begin());
      }
    }
    EXPECT_NE(masked.at("README.txt").find("Masking: on"), std::string::npos);
  }
  fs::remove_all(s.dir);
}

TEST(Bundle, FromAStoreAndWhatIsNoLongerReadable) {
  const Sim s = simulate("db", "--only multisite --interactions 4 --seed 43");
  const auto calls = multisite(s);
  ASSERT_FALSE(calls.empty());
  const std::string id = calls[0]["interaction_id"];
  const std::string db = (s.dir / "store.db").string();
  ASSERT_EQ(run_calltrail("ingest -q --db " + shell_quote(db) + " " + shell_quote(s.logs.string()))
                .exit_code,
            0);
  const std::string a = (s.dir / "files.tar.gz").string();
  const std::string b = (s.dir / "db.tar.gz").string();
  ASSERT_EQ(run_calltrail("bundle " + id + " " + shell_quote(s.logs.string()) + " --out " +
                          shell_quote(a))
                .exit_code,
            0);
  const RunResult r =
      run_calltrail("bundle " + id + " --db " + shell_quote(db) + " --out " + shell_quote(b));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(check_blocks_are_the_originals(unpack(a)), check_blocks_are_the_originals(unpack(b)));

  // The logs moved away: the bundle says what is missing, and exits 3.
  fs::rename(s.logs, s.dir / "gone");
  const std::string c = (s.dir / "missing.tar.gz").string();
  const RunResult gone =
      run_calltrail("bundle " + id + " --db " + shell_quote(db) + " --out " + shell_quote(c));
  EXPECT_EQ(gone.exit_code, 3) << gone.err;
  EXPECT_NE(gone.err.find("cannot read"), std::string::npos) << gone.err;
  const Files f = unpack(c);
  EXPECT_NE(f.at("README.txt").find("NOT READ"), std::string::npos) << f.at("README.txt");
  EXPECT_TRUE(f.contains("interaction.json"));

  // No such interaction: 1; no --out: 2.
  EXPECT_EQ(run_calltrail("bundle NOSUCHID000 --db " + shell_quote(db) + " --out " +
                          shell_quote((s.dir / "x.tar.gz").string()))
                .exit_code,
            1);
  EXPECT_EQ(run_calltrail("bundle " + id + " --db " + shell_quote(db)).exit_code, 2);
  fs::remove_all(s.dir);
}

}  // namespace
}  // namespace calltrail::test
