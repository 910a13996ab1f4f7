// `calltrail serve --db URL` as a child process, and the restart scenario
// shared by the SQLite (unit_serve) and PostgreSQL (postgres_store) tests:
// simulated logs pushed as raw text by a collector, the server ended between
// a commit and its answer, started again, the collector resending everything,
// then killed and started once more; every answer is compared with the
// file-based one.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../cli/run_support.hpp"

namespace calltrail::test {

class ServeProcess {
 public:
  // `exit_after` > 0: the server ends abruptly right after that many commits.
  ServeProcess(const std::string& db, const std::string& log, std::uint64_t exit_after = 0,
               std::vector<std::string> extra = {})
      : log_(log) {
    // The seamed binary: the shipped one has no way to end after a commit.
    std::vector<std::string> args{CALLTRAIL_SEAMED_BINARY, "serve", "--listen",
                                  "127.0.0.1:0",           "--db",  db};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, 1);
      ::dup2(err, 2);
      if (exit_after > 0)
        ::setenv("CALLTRAIL_SERVE_EXIT_AFTER_COMMITS", std::to_string(exit_after).c_str(), 1);
      std::vector<char*> argv;
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    const std::string marker = "listening on http://127.0.0.1:";
    for (int i = 0; i < 600 && port_ == 0; ++i) {
      std::ifstream in(log);
      std::stringstream ss;
      ss << in.rdbuf();
      const std::string text = ss.str();
      if (auto p = text.find(marker); p != std::string::npos)
        port_ = std::atoi(text.c_str() + p + marker.size());
      if (port_ == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~ServeProcess() {
    if (pid_ > 0) kill(SIGKILL);
  }
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  int port() const { return port_; }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(60, 0);
    return c;
  }
  // Sends `signal` and returns the wait status.
  int kill(int signal) {
    ::kill(pid_, signal);
    return wait();
  }
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  nlohmann::json get(const std::string& path) const {
    auto r = client().Get(path.c_str());
    if (!r || r->status != 200) return nullptr;
    return nlohmann::json::parse(r->body);
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// A collector's batch of raw log text.
struct Chunk {
  std::string source;
  std::uint64_t offset = 0;
  std::string body;
  bool end = false;
};

// Each file cut into pieces of 2 to 9 KB, the files' pieces interleaved as
// collectors on several sites would send them.
inline std::vector<Chunk> chunks_of(const std::string& dir, const std::vector<std::string>& names,
                                    unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::vector<Chunk>> per_file;
  for (const auto& name : names) {
    std::ifstream in(dir + "/" + name, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string data = ss.str();
    auto& v = per_file.emplace_back();
    for (std::size_t at = 0; at < data.size();) {
      const std::size_t n = std::min<std::size_t>(data.size() - at, 2000 + rng() % 7000);
      v.push_back({name, at, data.substr(at, n), at + n == data.size()});
      at += n;
    }
  }
  std::vector<Chunk> out;
  for (std::size_t i = 0;; ++i) {
    bool any = false;
    for (const auto& v : per_file) {
      if (i < v.size()) {
        out.push_back(v[i]);
        any = true;
      }
    }
    if (!any) return out;
  }
}

inline httplib::Result post_chunk(httplib::Client& c, const Chunk& k) {
  const std::string path = "/api/logs?source=" + k.source + "&offset=" + std::to_string(k.offset) +
                           (k.end ? "&end=1" : "");
  return c.Post(path.c_str(), k.body, "text/plain");
}

// Per interaction id: its legs (CallUUID and event count) and completeness,
// from trace JSON.
inline std::string legs_of(const nlohmann::json& interaction) {
  std::multiset<std::string> legs;
  for (const auto& l : interaction["legs"])
    legs.insert(l["call_uuid"].get<std::string>() + ":" + std::to_string(l["events"].get<int>()));
  std::string out = interaction["complete"].get<bool>() ? "complete" : "incomplete";
  for (const auto& l : legs)
    out += " " + l;
  return out;
}

// Simulated logs in `logs` and the file-based answers, with the files named
// as the sources are (the tools run in `logs`).
struct FileAnswers {
  std::vector<std::string> names;               // the log files, sorted
  std::string paths;                            // the same, quoted, for a command line
  std::string jsonl;                            // interactions --format jsonl
  std::map<std::string, std::string> legs;      // interaction id -> legs_of(its trace JSON)
  std::map<std::string, std::string> conn;      // interaction id -> a ConnID of it
  std::map<std::string, nlohmann::json> trace;  // interaction id -> its trace JSON
};

// Where an interaction's JSON from a server differs from trace's over the
// files, part by part (legs, links, times, timeline, gaps); empty when the
// same. Legs, links and their evidence, every time and the timeline must
// agree whichever way the logs came in (files, store, live, restarted).
// `hints_outside`: whether hint links toward another interaction are
// compared (a live build does not see an interaction already evicted from
// memory, docs/http-api.md).
inline std::string json_difference(const nlohmann::json& got, const nlohmann::json& want,
                                   bool hints_outside = true) {
  auto part_of = [&](const nlohmann::json& j, const char* part) {
    nlohmann::json v = j.value(part, nlohmann::json());
    if (!hints_outside && std::string_view(part) == "links" && v.is_array()) {
      nlohmann::json kept = nlohmann::json::array();
      for (const auto& l : v)
        if (!(l["kind"] == "hint" && l.contains("other_interaction"))) kept.push_back(l);
      v = kept;
    }
    return v;
  };
  std::string out;
  for (const char* part : {"interaction_id", "complete", "start", "end", "sites", "legs", "links",
                           "gaps", "timeline"}) {
    if (part_of(got, part) != part_of(want, part)) {
      out += std::string("\n  ") + part + ": " + part_of(got, part).dump() + "\n  instead of " +
             part_of(want, part).dump();
    }
  }
  return out;
}

inline FileAnswers simulated_answers(const std::string& logs, const std::string& args) {
  namespace fs = std::filesystem;
  FileAnswers a;
  const std::string sim = std::string(CALLTRAIL_BINARY) + " simulate -q --out " +
                          shell_quote(logs) + " " + args + " > /dev/null";
  EXPECT_EQ(std::system(sim.c_str()), 0);
  for (const auto& e : fs::directory_iterator(logs))
    if (e.path().extension() == ".log") a.names.push_back(e.path().filename().string());
  std::sort(a.names.begin(), a.names.end());
  for (const auto& n : a.names)
    a.paths += " " + shell_quote(n);
  const RunResult files = run_calltrail("interactions --format jsonl" + a.paths, {}, logs);
  EXPECT_EQ(files.exit_code, 0) << files.err;
  a.jsonl = files.out;
  std::istringstream in(files.out);
  for (std::string line; std::getline(in, line);) {
    const auto it = nlohmann::json::parse(line);
    const std::string id = it["interaction_id"];
    const auto t = run_calltrail("trace --format json " + shell_quote(id) + a.paths, {}, logs);
    a.trace[id] = nlohmann::json::parse(t.out).at("interactions").at(0);
    a.legs[id] = legs_of(a.trace[id]);
    a.conn[id] = it["legs"][0]["conn_ids"][0];
  }
  return a;
}

// The scenario. `db` is a store URL (created empty), `dir` a scratch folder.
inline void expect_pushed_text_survives_restarts(const std::string& db, const std::string& dir) {
  namespace fs = std::filesystem;
  const std::string logs = dir + "/logs";
  const FileAnswers files = simulated_answers(logs, "--interactions 40 --seed 37");
  const auto& [names, paths, jsonl, want, conn, traces] = files;
  ASSERT_GE(want.size(), 30u);

  const std::vector<Chunk> chunks = chunks_of(logs, names, 5);
  const std::size_t k = chunks.size() / 2;
  std::map<std::string, std::uint64_t> committed;  // source -> position after chunk k-1
  for (std::size_t i = 0; i < k; ++i)
    committed[chunks[i].source] = chunks[i].offset + chunks[i].body.size();

  // 1. The server ends right after committing chunk k-1, before answering.
  {
    ServeProcess serve(db, dir + "/serve1.err", k);
    ASSERT_GT(serve.port(), 0);
    auto c = serve.client();
    for (std::size_t i = 0; i + 1 < k; ++i) {
      auto r = post_chunk(c, chunks[i]);
      ASSERT_TRUE(r) << i;
      ASSERT_EQ(r->status, 200) << r->body;
    }
    EXPECT_FALSE(post_chunk(c, chunks[k - 1]));  // no answer
    const int status = serve.wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 86) << status;
  }

  // 2. Started again: each source resumes where it was committed; the
  // collector, unsure, sends everything again.
  {
    ServeProcess serve(db, dir + "/serve2.err");
    ASSERT_GT(serve.port(), 0);
    for (const auto& [source, next] : committed)
      EXPECT_EQ(serve.get("/api/sources?source=" + source)["next"], next) << source;
    auto c = serve.client();
    std::uint64_t duplicates = 0;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      auto r = post_chunk(c, chunks[i]);
      ASSERT_TRUE(r) << i;
      ASSERT_EQ(r->status, 200) << r->body;
      const auto a = nlohmann::json::parse(r->body);
      const std::uint64_t size = chunks[i].body.size();
      if (i < k) {
        EXPECT_EQ(a["duplicates"], size) << i;
        EXPECT_EQ(a["accepted"], 0u) << i;
        EXPECT_EQ(a["next"], committed[chunks[i].source]) << i;
        duplicates += size;
      } else {
        EXPECT_EQ(a["next"], chunks[i].offset + size) << i;
        EXPECT_EQ(a["accepted"].get<std::uint64_t>() + a["duplicates"].get<std::uint64_t>(), size);
      }
    }
    EXPECT_GT(duplicates, 0u);
    // Every interaction as from the files: legs that straddle the restart
    // are one leg with all their events.
    for (const auto& [id, legs] : want) {
      const auto got = serve.get("/api/interactions/" + id);
      ASSERT_FALSE(got.is_null()) << id;
      EXPECT_EQ(legs_of(got), legs) << id;
      // Started again, the server left what was complete in the store:
      // hints toward those interactions are not seen from memory.
      EXPECT_EQ(json_difference(got, traces.at(id), false), "") << id << " (live)";
    }
    serve.kill(SIGKILL);
  }

  // The store answers as the files do, nothing doubled.
  const RunResult stored = run_calltrail("interactions --format jsonl --db " + shell_quote(db));
  EXPECT_EQ(stored.exit_code, 0) << stored.err;
  EXPECT_EQ(stored.out, jsonl);
  std::size_t traced = 0;
  for (const auto& [id, legs] : want) {
    if (traced++ % 4 != 0) continue;
    const auto a = run_calltrail("trace --format json " + shell_quote(id) + paths, {}, logs);
    const auto b =
        run_calltrail("trace --format json " + shell_quote(id) + " --db " + shell_quote(db));
    EXPECT_EQ(b.out, a.out) << id;
  }

  // 3. Killed and started once more: everything is still served.
  {
    ServeProcess serve(db, dir + "/serve3.err");
    ASSERT_GT(serve.port(), 0);
    for (const auto& n : names)
      EXPECT_EQ(serve.get("/api/sources?source=" + n)["next"], fs::file_size(logs + "/" + n));
    for (const auto& [id, legs] : want) {
      const auto got = serve.get("/api/interactions/" + id);
      ASSERT_FALSE(got.is_null()) << id;
      EXPECT_EQ(legs_of(got), legs) << id;
      EXPECT_EQ(json_difference(got, traces.at(id)), "") << id << " (restarted)";
    }
    // What was complete is left in the store at start; the rest is in memory.
    const auto m = serve.get("/metrics");
    EXPECT_EQ(m["interactions"].get<std::size_t>() + m["evicted_interactions"].get<std::size_t>(),
              want.size())
        << m.dump();
    EXPECT_EQ(serve.get("/api/search?limit=10000")["interactions"].size(),
              m["interactions"].get<std::size_t>());
    serve.kill(SIGTERM);
  }
}

}  // namespace calltrail::test
