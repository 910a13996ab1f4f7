#include "simulate_support.hpp"

#include <zlib.h>

#include <atomic>
#include <fstream>
#include <sstream>

namespace calltrail::test {

fs::path fresh_dir(const std::string& name) {
  static std::atomic<int> counter{0};
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string test = info ? std::string(info->test_suite_name()) + "_" + info->name() : "x";
  for (auto& c : test)
    if (c == '/') c = '_';
  const fs::path dir = fs::path(::testing::TempDir()) / "calltrail_simulate" /
                       (test + "_" + name + "_" + std::to_string(counter++));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

simulate::SimulateResult run_simulation(simulate::SimulateOptions options) {
  auto result = simulate::simulate(std::move(options));
  EXPECT_EQ(result.error, "");
  return result;
}

simulate::SimulateOptions small_options(const fs::path& out, std::uint64_t interactions) {
  simulate::SimulateOptions o;
  o.out_dir = out.string();
  o.interactions = interactions;
  o.duration = 10 * 60 * base::kMicrosPerSecond;
  o.seed = 7;
  return o;
}

nlohmann::json load_truth(const fs::path& dir) {
  std::ifstream in(dir / "truth.json");
  return nlohmann::json::parse(in);
}

namespace {

std::string read_plain(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string read_gzip(const fs::path& p) {
  std::string out;
  gzFile gz = gzopen(p.c_str(), "rb");
  if (!gz) return out;
  char buf[1 << 16];
  int n = 0;
  while ((n = gzread(gz, buf, sizeof buf)) > 0)
    out.append(buf, static_cast<std::size_t>(n));
  gzclose(gz);
  return out;
}

std::vector<fs::path> sorted_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::string all_log_text(const fs::path& dir) {
  std::string text;
  for (const auto& p : sorted_files(dir)) {
    const auto name = p.filename().string();
    if (name.ends_with(".log")) text += read_plain(p);
    if (name.ends_with(".log.gz")) text += read_gzip(p);
  }
  return text;
}

std::map<std::string, std::string> folder_bytes(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& p : sorted_files(dir))
    out[p.filename().string()] = read_plain(p);
  return out;
}

// The logs are read back through `calltrail events --strict`, the parser's
// own command line, so that this module's tests need not link the parser.
ParsedLogs parse_folder(const fs::path& dir) {
  ParsedLogs out;
  const fs::path err = dir.parent_path() / (dir.filename().string() + ".events.err");
  const std::string cmd = std::string(CALLTRAIL_BINARY) + " events --strict '" + dir.string() +
                          "' 2>'" + err.string() + "'";
  std::FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) {
    ADD_FAILURE() << "cannot run " << cmd;
    return out;
  }
  std::string line;
  char buf[1 << 16];
  std::size_t n = 0;
  std::string pending;
  auto take = [&](const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded()) {
      ADD_FAILURE() << "not JSON: " << text.substr(0, 200);
      return;
    }
    if (j.value("kind", "") != "event") return;
    ParsedEvent p;
    p.app = j.value("app", "");
    p.name = j.value("name", "");
    if (j.contains("seq")) p.seq = j["seq"].get<std::uint64_t>();
    if (j.contains("utc")) p.utc = base::parse_iso_time(j["utc"].get<std::string>());
    const auto local = j.value("local", "");
    p.local_dated = local.find('T') != std::string::npos;
    if (p.local_dated) p.local = *base::parse_iso_time(local);
    for (const auto& [key, value] : j["attributes"].items()) {
      if (key == "AttributeISLinkList") {
        for (const auto& entry : value) {
          ParsedLink link;
          link.id = entry[0].get<std::string>();
          for (const auto& pair : entry[1]) {
            if (pair[0] == "location-name") link.location = pair[1].get<std::string>();
            if (pair[0] == "direction-role") link.role = pair[1].get<std::string>();
          }
          p.links.push_back(link);
        }
      } else if (value.is_string()) {
        p.attributes[key] = value.get<std::string>();
      } else if (!value.is_array()) {
        p.attributes[key] = value.dump();
      }
    }
    p.call_uuid = p.attributes["AttributeCallUUID"];
    p.conn_id = p.attributes["AttributeConnID"];
    out.events.push_back(std::move(p));
  };
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) {
    pending.append(buf, n);
    std::size_t start = 0, nl = 0;
    while ((nl = pending.find('\n', start)) != std::string::npos) {
      take(pending.substr(start, nl - start));
      start = nl + 1;
    }
    pending.erase(0, start);
  }
  const int status = pclose(pipe);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err);
  std::stringstream ss;
  ss << in.rdbuf();
  if (code == 4) {
    out.diagnostics = 1;
    out.first_diagnostic = ss.str().substr(0, 2000);
  } else if (code != 0) {
    out.input_errors = 1;
    ADD_FAILURE() << "calltrail events exited with " << code << ": " << ss.str();
  }
  return out;
}

bool is_call_uuid(const std::string& s) {
  if (s.size() != 32) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'V'))) return false;
  return true;
}

bool is_conn_id(const std::string& s) {
  if (s.size() != 16) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace calltrail::test
