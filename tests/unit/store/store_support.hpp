// Helpers for the store tests: simulated logs in a temporary folder, the
// binary run with an environment, and the answers from files and from a store
// side by side.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../cli/run_support.hpp"
#include "calltrail/store/database.hpp"
#include "calltrail/store/records.hpp"

namespace calltrail::test {

namespace fs = std::filesystem;

// A fresh folder under the temporary directory, removed with the object.
class TempDir {
 public:
  explicit TempDir(const std::string& name) {
    static int counter = 0;
    path_ =
        fs::temp_directory_path() / ("calltrail-store-" + name + "-" + std::to_string(::getpid()) +
                                     "-" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  std::string str(const std::string& sub = {}) const {
    return sub.empty() ? path_.string() : (path_ / sub).string();
  }

 private:
  fs::path path_;
};

inline std::string q(const std::string& s) {
  return shell_quote(s);
}

// Sets an environment variable for the binaries run while it lives.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

inline void simulate(const std::string& out, const std::string& args) {
  auto r = run_calltrail("simulate --out " + q(out) + " -q " + args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Identifiers to trace: per sampled interaction its id, a ConnID, an IS-Link
// id, a DN and a user-data pair where it has them.
inline std::vector<std::string> sample_ids(const std::string& interactions_jsonl, std::size_t count,
                                           unsigned seed) {
  std::vector<nlohmann::json> all;
  std::istringstream in(interactions_jsonl);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) all.push_back(nlohmann::json::parse(line));
  std::mt19937 rng(seed);
  std::shuffle(all.begin(), all.end(), rng);
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < all.size() && i < count; ++i) {
    const auto& it = all[i];
    ids.push_back(it["interaction_id"]);
    const auto& legs = it["legs"];
    const auto& leg = legs[rng() % legs.size()];
    if (!leg["conn_ids"].empty()) ids.push_back(leg["conn_ids"][0]);
    for (const auto& l : it["links"]) {
      if (l["kind"] == "islink") {
        ids.push_back(l["id"]);
        break;
      }
    }
  }
  return ids;
}

// Every event the store holds, as "file:offset", counted.
inline std::map<std::string, int> stored_events(const std::string& url) {
  auto db = store::open_database(url);
  std::map<std::int64_t, std::string> paths;
  {
    auto s = db->prepare("SELECT id, path FROM files");
    while (s->step())
      paths[s->integer(0)] = std::string(s->text(1));
  }
  std::map<std::string, int> out;
  correlate::StringPool pool;
  auto s = db->prepare("SELECT file, data FROM legs");
  while (s->step()) {
    const auto r = store::decode_leg(s->blob(1), 0, pool);
    for (const auto& e : r.leg.events)
      ++out[paths[s->integer(0)] + ":" + std::to_string(e.offset)];
  }
  auto o = db->prepare("SELECT file, data FROM orphans");
  while (o->step()) {
    const auto r = store::decode_orphans(o->blob(1), 0, pool);
    for (const auto& e : r.events)
      ++out[paths[o->integer(0)] + ":" + std::to_string(e.offset)];
  }
  return out;
}

inline std::int64_t count_rows(const std::string& url, const std::string& table) {
  auto db = store::open_database(url);
  auto s = db->prepare("SELECT count(*) FROM " + table);
  s->step();
  return s->integer(0);
}

// interactions, sites and traces from `paths` and from `--db url` agree.
inline void expect_same_answers(const std::string& paths, const std::string& url,
                                std::size_t traces, unsigned seed = 1) {
  auto files = run_calltrail("interactions " + paths);
  auto stored = run_calltrail("interactions --db " + q(url));
  ASSERT_EQ(files.exit_code, 0) << files.err;
  ASSERT_EQ(stored.exit_code, 0) << stored.err;
  ASSERT_FALSE(files.out.empty());
  EXPECT_EQ(stored.out, files.out);
  auto sites_files = run_calltrail("sites --format json " + paths);
  auto sites_stored = run_calltrail("sites --format json --db " + q(url));
  EXPECT_EQ(sites_stored.out, sites_files.out);
  for (const auto& id : sample_ids(files.out, traces, seed)) {
    auto a = run_calltrail("trace --format json " + q(id) + " " + paths);
    auto b = run_calltrail("trace --format json " + q(id) + " --db " + q(url));
    EXPECT_EQ(a.exit_code, b.exit_code) << id;
    EXPECT_EQ(b.out, a.out) << "trace " << id;
  }
}

}  // namespace calltrail::test
