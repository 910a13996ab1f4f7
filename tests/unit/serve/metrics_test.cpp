// GET /metrics in the Prometheus text format (version 0.0.4), checked line by
// line by a strict reader of that format, and against the JSON the page reads
// from the same path.
#include <gtest/gtest.h>
#include <httplib.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "calltrail/serve/http_server.hpp"
#include "serve_support.hpp"

namespace calltrail::serve {
namespace {

using nlohmann::json;

// What a scrape gives: samples by name and labels, the type of each family.
struct Scrape {
  std::map<std::string, std::map<std::string, double>> samples;  // name -> labels -> value
  std::map<std::string, std::string> types;
  std::vector<std::string> errors;  // "line N: what is wrong"
};

// Label pairs `a="x",b="y"`: true when well formed (escapes \\ \" \n only),
// with the pairs rewritten in order into `canonical`.
bool read_labels(std::string_view s, std::string& canonical) {
  static const std::regex name("[a-zA-Z_][a-zA-Z0-9_]*");
  std::set<std::string> seen;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto eq = s.find('=', i);
    if (eq == std::string_view::npos) return false;
    const std::string key(s.substr(i, eq - i));
    if (!std::regex_match(key, name) || !seen.insert(key).second) return false;
    if (eq + 1 >= s.size() || s[eq + 1] != '"') return false;
    std::string value;
    std::size_t j = eq + 2;
    for (; j < s.size() && s[j] != '"'; ++j) {
      if (s[j] == '\n') return false;
      if (s[j] == '\\') {
        if (j + 1 >= s.size() || std::string_view("\\\"n").find(s[j + 1]) == std::string_view::npos)
          return false;
        ++j;
        value += s[j] == 'n' ? '\n' : s[j];
        continue;
      }
      value += s[j];
    }
    if (j >= s.size()) return false;  // unterminated
    canonical += key + "=" + value + ";";
    i = j + 1;
    if (i < s.size()) {
      if (s[i] != ',') return false;
      ++i;
    }
  }
  return true;
}

Scrape read_prometheus(const std::string& text) {
  static const std::regex metric_name("[a-zA-Z_:][a-zA-Z0-9_:]*");
  static const std::regex type_line("# TYPE ([^ ]+) (counter|gauge|histogram|summary|untyped)");
  static const std::regex help_line("# HELP ([^ ]+) .*");
  Scrape s;
  std::size_t line_no = 0;
  std::string family;  // of the samples now being read
  std::set<std::string> finished;
  std::set<std::string> helped;
  auto error = [&](const std::string& what) {
    s.errors.push_back("line " + std::to_string(line_no) + ": " + what);
  };
  if (!text.empty() && text.back() != '\n') s.errors.push_back("the text does not end with \\n");
  std::size_t at = 0;
  while (at < text.size()) {
    const auto nl = text.find('\n', at);
    const std::string line = text.substr(at, nl - at);
    at = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    std::smatch m;
    if (line.empty()) {
      error("empty line");
    } else if (std::regex_match(line, m, type_line)) {
      const std::string name = m[1];
      if (!std::regex_match(name, metric_name)) error("bad name " + name);
      if (s.types.contains(name)) error("second TYPE for " + name);
      if (s.samples.contains(name)) error("TYPE after samples of " + name);
      s.types[name] = m[2];
      if (!family.empty() && family != name) finished.insert(family);
      family = name;
    } else if (std::regex_match(line, m, help_line)) {
      if (!helped.insert(m[1]).second) error("second HELP for " + std::string(m[1]));
    } else if (line[0] == '#') {
      error("a comment that is neither HELP nor TYPE");
    } else {
      const auto brace = line.find('{');
      const auto space = brace == std::string::npos ? line.find(' ') : line.find("} ", brace) + 1;
      if (space == std::string::npos || space == 0) {
        error("no value");
        continue;
      }
      const std::string name = line.substr(0, brace == std::string::npos ? space : brace);
      if (!std::regex_match(name, metric_name)) error("bad name '" + name + "'");
      std::string labels;
      if (brace != std::string::npos &&
          !read_labels(std::string_view(line).substr(brace + 1, space - brace - 2), labels))
        error("bad labels in '" + line + "'");
      if (!s.types.contains(name)) error("no TYPE before " + name);
      if (finished.contains(name)) error("samples of " + name + " are not together");
      if (name != family) {
        if (!family.empty()) finished.insert(family);
        family = name;
      }
      const std::string value = line.substr(space + 1);
      char* end = nullptr;
      const double v = std::strtod(value.c_str(), &end);
      if (value.empty() || end != value.c_str() + value.size()) error("bad value '" + value + "'");
      if (s.types[name] == "counter" && (v < 0 || std::isnan(v))) error("negative counter");
      if (!s.samples[name].emplace(labels, v).second) error("the same series twice: " + line);
    }
  }
  return s;
}

TEST(ReadPrometheus, RefusesWhatIsNotTheFormat) {
  // The checker itself: each of these is wrong.
  for (const char* bad : {
           "a 1",                                         // no TYPE
           "# TYPE a gauge\na one\n",                     // not a number
           "# TYPE a gauge\na{x=\"1\" 2\n",               // unterminated labels
           "# TYPE a gauge\na{x=\"\\q\"} 2\n",            // bad escape
           "# TYPE a gauge\na 1\na 2\n",                  // the same series twice
           "# TYPE a counter\na -1\n",                    // a counter below 0
           "# TYPE a gauge\n# TYPE b gauge\nb 1\na 2\n",  // TYPE after samples / apart
           "# TYPE a gauge\n\na 1\n",                     // empty line
       }) {
    EXPECT_FALSE(read_prometheus(bad).errors.empty()) << bad;
  }
  const Scrape good =
      read_prometheus("# HELP a An a.\n# TYPE a counter\na{x=\"q\\\"\\\\\\n\",y=\"\"} 2.5\na 3\n");
  EXPECT_TRUE(good.errors.empty()) << good.errors.front();
  EXPECT_EQ(good.samples.at("a").at("x=q\"\\\n;y=;"), 2.5);
}

TEST(Metrics, PrometheusTextForAScraperJsonForThePage) {
  auto logs = test::simulate_logs("metrics", "--interactions 10 --seed 3");
  LiveCorrelation live;
  UpdatePump pump(live, std::chrono::milliseconds(2));
  ServerOptions o;
  o.port = 0;
  o.token = "t";
  HttpServer server(live, pump, o);
  const int port = server.start();
  ASSERT_GT(port, 0);
  httplib::Client c("127.0.0.1", port);
  c.set_bearer_token_auth("t");
  // A source named with the characters a label must escape.
  const std::string weird = "site \"b\"\\" + std::to_string(1);
  const std::string encoded = "site%20%22b%22%5C1";
  const std::string text = test::read_all(logs.files.front());
  ASSERT_EQ(c.Post(("/api/logs?source=" + encoded + "&offset=0&end=1").c_str(), text, "text/plain")
                ->status,
            200);
  // Refused: a gap, and a body that is not events JSON.
  EXPECT_EQ(c.Post("/api/logs?source=gappy&offset=5", "x", "text/plain")->status, 409);
  EXPECT_EQ(c.Post("/api/events?source=ev&first=0", "not json\n", "text/plain")->status, 400);
  EXPECT_EQ(httplib::Client("127.0.0.1", port).Get("/api/search")->status, 401);
  // What was pushed is correlated now, so both answers below count the same.
  pump.flush();

  const auto j = c.Get("/metrics");
  ASSERT_TRUE(j);
  EXPECT_EQ(j->get_header_value("Content-Type"), "application/json");
  const json m = json::parse(j->body);

  // What Prometheus sends.
  const auto p = c.Get("/metrics", {{"Accept",
                                     "application/openmetrics-text;version=1.0.0,application/"
                                     "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0."
                                     "0.4;q=0.5,*/*;q=0.1"}});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const Scrape s = read_prometheus(p->body);
  EXPECT_TRUE(s.errors.empty()) << s.errors.front() << "\n" << p->body;
  EXPECT_GT(m["events"].get<double>(), 0);
  EXPECT_EQ(s.samples.at("calltrail_events_total").at(""), m["events"].get<double>());
  EXPECT_EQ(s.types.at("calltrail_events_total"), "counter");
  EXPECT_EQ(s.samples.at("calltrail_interactions").at(""), m["interactions"].get<double>());
  const std::string label = "source=" + weird + ";";
  EXPECT_EQ(s.samples.at("calltrail_source_position").at(label), text.size());
  EXPECT_GE(s.samples.at("calltrail_source_lag_seconds").at(label), 0);
  EXPECT_EQ(s.samples.at("calltrail_refused_batches_total").at("reason=gap;"), 1);
  EXPECT_EQ(s.samples.at("calltrail_refused_batches_total").at("reason=malformed;"), 1);
  EXPECT_GE(s.samples.at("calltrail_http_responses_total").at("code=401;"), 1);
  EXPECT_GE(s.samples.at("calltrail_http_responses_total").at("code=200;"), 2);
  // Every family has its HELP and TYPE, even when it has no sample yet.
  for (const auto& [name, type] : s.types)
    EXPECT_NE(p->body.find("# HELP " + name + " "), std::string::npos) << name;

  // Asking for JSON by name gives JSON, whatever else is listed.
  const auto again = c.Get("/metrics", {{"Accept", "application/json, text/plain"}});
  EXPECT_EQ(again->get_header_value("Content-Type"), "application/json");
  server.stop();
  pump.stop();
  std::filesystem::remove_all(logs.dir);
}

}  // namespace
}  // namespace calltrail::serve
