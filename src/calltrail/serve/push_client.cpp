#include "calltrail/serve/push_client.hpp"

#include <httplib.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

namespace calltrail::serve {

namespace {

// The URL cut in two: "scheme://host[:port]" and the path ("" or "/...").
struct SplitUrl {
  std::string origin;
  std::string path;
  std::string error;
};

SplitUrl split_url(const std::string& url) {
  SplitUrl s;
  std::size_t scheme_end = 0;
  for (std::string_view scheme : {"http://", "https://"})
    if (url.compare(0, scheme.size(), scheme) == 0) scheme_end = scheme.size();
  if (scheme_end == 0) {
    s.error = "'" + url + "' should start with http:// or https://";
    return s;
  }
  const auto slash = url.find('/', scheme_end);
  s.origin = url.substr(0, slash);
  if (slash != std::string::npos) s.path = url.substr(slash);
  while (!s.path.empty() && s.path.back() == '/')
    s.path.pop_back();
  if (s.origin.size() == scheme_end) s.error = "'" + url + "' names no host";
  if (s.path.find_first_of("?#") != std::string::npos)
    s.error = "'" + url + "' should be the server's address alone, without a query";
  return s;
}

std::string encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// The server's JSON answer, or a discarded value when it is not JSON.
nlohmann::json parse_answer(const std::string& body) {
  return nlohmann::json::parse(body, nullptr, false);
}

std::string error_of(int status, const std::string& body) {
  const auto j = parse_answer(body);
  std::string text = "HTTP " + std::to_string(status);
  if (j.is_object() && j.contains("error") && j["error"].is_string())
    text += ": " + j["error"].get<std::string>();
  return text;
}

// `next` of an answer to /api/logs or /api/sources, when it carries one.
std::optional<std::uint64_t> next_of(const std::string& body) {
  const auto j = parse_answer(body);
  if (!j.is_object() || !j.contains("next") || !j["next"].is_number_unsigned()) return std::nullopt;
  return j["next"].get<std::uint64_t>();
}

}  // namespace

std::string PushClient::check_url(const std::string& url) {
  return split_url(url).error;
}

PushClient::PushClient(PushOptions options, const std::atomic<bool>& stop,
                       std::function<void(const std::string&)> report)
    : options_(std::move(options)), stop_(stop), report_(std::move(report)) {
  const SplitUrl u = split_url(options_.url);
  client_ = std::make_unique<httplib::Client>(u.origin);
  base_path_ = u.path;
  client_->set_connection_timeout(std::chrono::seconds(10));
  client_->set_read_timeout(options_.timeout);
  client_->set_write_timeout(options_.timeout);
  client_->set_keep_alive(true);
  if (!options_.token.empty()) client_->set_bearer_token_auth(options_.token);
}

PushClient::~PushClient() = default;

bool PushClient::wait(std::chrono::milliseconds d) {
  const auto until = std::chrono::steady_clock::now() + d;
  while (!stop_ && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return !stop_;
}

std::optional<PushClient::Answer> PushClient::call(const std::string& target,
                                                   const std::string* body) {
  auto delay = options_.first_retry;
  std::string last_problem;
  while (!stop_) {
    ++stats_.requests;
    httplib::Result r =
        body != nullptr ? client_->Post(target, *body, "text/plain") : client_->Get(target);
    std::string problem;
    if (!r) {
      problem = "no answer (" + httplib::to_string(r.error()) + ")";
    } else if (r->status >= 500 || r->status == 401 || r->status == 403 || r->status == 404) {
      // The server is away, failing or not the one meant: nothing can be
      // sent until it is back (or set right), whichever source it is.
      problem = error_of(r->status, r->body);
    } else {
      if (away_) {
        report_(options_.url + " answers again");
        ++generation_;
      }
      away_ = false;
      return Answer{r->status, r->body};
    }
    ++stats_.failures;
    if (!away_ || problem != last_problem)
      report_(options_.url + ": " + problem + "; trying again (every " +
              std::to_string(options_.max_retry.count() / 1000) + " s at most)");
    away_ = true;
    last_problem = problem;
    if (!wait(delay)) break;
    delay = std::min(delay * 2, options_.max_retry);
  }
  return std::nullopt;
}

std::string PushClient::logs_target(const std::string& name, std::uint64_t offset, bool end) const {
  return base_path_ + "/api/logs?source=" + encode(name) + "&offset=" + std::to_string(offset) +
         (end ? "&end=1" : "");
}

bool PushClient::may_try(const std::string& name) {
  auto it = blocked_.find(name);
  return it == blocked_.end() || std::chrono::steady_clock::now() >= it->second.until;
}

void PushClient::refuse(const std::string& name, const Answer& a) {
  ++stats_.refused;
  Blocked& b = blocked_[name];
  b.wait = std::clamp(b.wait * 2, options_.first_retry, options_.max_retry);
  b.until = std::chrono::steady_clock::now() + b.wait;
  report_("the server refused source '" + name + "' (" + error_of(a.status, a.body) +
          "); trying it again in " + std::to_string(b.wait.count()) + " ms");
}

std::uint64_t PushClient::resume(const std::string& source) {
  const std::string name = options_.source_prefix + source;
  checked_[name] = generation_;
  // Without an answer, 0: the server's answer to the first batch then says
  // how much of it was a duplicate and where it stands.
  return position(name).value_or(0);
}

std::uint64_t PushClient::check(const std::string& source, std::uint64_t offset) {
  const std::string name = options_.source_prefix + source;
  auto [it, added] = checked_.emplace(name, generation_);
  if (!added && it->second == generation_) return offset;
  it->second = generation_;
  const auto held = position(name);
  return held && *held < offset ? rewind(name, *held, offset) : offset;
}

std::uint64_t PushClient::rewind(const std::string& name, std::uint64_t held,
                                 std::uint64_t offset) {
  ++stats_.rewinds;
  report_("the server holds '" + name + "' up to byte " + std::to_string(held) + ", not " +
          std::to_string(offset) + ": sending again from there");
  return held;
}

std::optional<std::uint64_t> PushClient::position(const std::string& name) {
  auto a = call(base_path_ + "/api/sources?source=" + encode(name), nullptr);
  if (!a || a->status != 200) return std::nullopt;
  return next_of(a->body);
}

std::uint64_t PushClient::send(const std::string& source, std::uint64_t offset,
                               std::string_view text, bool end) {
  const std::string name = options_.source_prefix + source;
  if (!may_try(name)) return offset;
  const std::string body(text);
  auto a = call(logs_target(name, offset, end), &body);
  if (!a) return offset;
  const auto next = next_of(a->body);
  if (a->status == 200 && next) {
    blocked_.erase(name);
    const auto j = parse_answer(a->body);
    stats_.sent += j.value("accepted", std::uint64_t{0});
    stats_.duplicates += j.value("duplicates", std::uint64_t{0});
    if (end) ++stats_.ended;
    return *next;
  }
  if (a->status == 409 && next && *next < offset) {
    // A Gap: the server holds less than was sent (it restarted without its
    // store, or had not committed the end): read again from where it stands,
    // and ask about the other sources.
    ++generation_;
    checked_[name] = generation_;
    return rewind(name, *next, offset);
  }
  refuse(name, *a);
  return offset;
}

std::uint64_t PushClient::add(const std::string& source, std::uint64_t offset,
                              std::string_view text, const std::string&) {
  return send(source, offset, text, false);
}

std::uint64_t PushClient::end(const std::string& source, std::uint64_t offset) {
  if (offset == 0) return offset;  // nothing was sent: nothing to release
  return send(source, offset, {}, true);
}

}  // namespace calltrail::serve
