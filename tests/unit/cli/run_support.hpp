// Runs the calltrail binary and captures its output and exit code.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace calltrail::test {

struct RunResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}

// `args` is passed to the shell as written (quote paths with shell_quote);
// `cwd`, when given, is the folder the binary runs in; with `timeout_seconds`
// the run is killed after that long (exit code 124 or 137: it hung).
inline RunResult run_calltrail(const std::string& args, const std::string& stdin_file = {},
                               const std::string& cwd = {}, int timeout_seconds = 0) {
  static int counter = 0;
  const auto err_path =
      std::filesystem::temp_directory_path() /
      ("calltrail-test-err-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::string cmd = cwd.empty() ? std::string() : "cd " + shell_quote(cwd) + " && ";
  if (timeout_seconds > 0) cmd += "timeout -k 5 " + std::to_string(timeout_seconds) + " ";
  cmd += shell_quote(CALLTRAIL_BINARY) + " " + args + " 2>" + shell_quote(err_path.string());
  if (!stdin_file.empty()) cmd += " <" + shell_quote(stdin_file);
  RunResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 65536> buf;
  for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), p)) > 0;)
    r.out.append(buf.data(), n);
  const int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (FILE* e = std::fopen(err_path.c_str(), "rb")) {
    for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), e)) > 0;)
      r.err.append(buf.data(), n);
    std::fclose(e);
  }
  std::filesystem::remove(err_path);
  return r;
}

// One JSON value per line of `out` (the JSON lines of events, interactions).
inline std::vector<nlohmann::json> json_lines(const std::string& out) {
  std::vector<nlohmann::json> v;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    v.push_back(nlohmann::json::parse(line));
  return v;
}

}  // namespace calltrail::test
