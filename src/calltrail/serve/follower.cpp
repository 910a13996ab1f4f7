#include "calltrail/serve/follower.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

namespace calltrail::serve {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kHeadBytes = 256;

bool compressed(const std::string& path) {
  return path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
}

}  // namespace

std::uint64_t LiveTextSink::add(const std::string& source, std::uint64_t offset,
                                std::string_view text, const std::string& path) {
  live_.add_text(source, offset, text, path);
  return offset + text.size();
}

std::uint64_t LiveTextSink::end(const std::string& source, std::uint64_t offset) {
  live_.end_text(source);
  return offset;
}

Follower::Follower(LiveCorrelation& live, std::vector<std::string> paths, FollowOptions options)
    : live_sink_(std::make_unique<LiveTextSink>(live)),
      sink_(*live_sink_),
      paths_(std::move(paths)),
      options_(options),
      buffer_(options.chunk) {}

Follower::Follower(TextSink& sink, std::vector<std::string> paths, FollowOptions options)
    : sink_(sink), paths_(std::move(paths)), options_(options), buffer_(options.chunk) {}

Follower::~Follower() {
  for (auto& [id, t] : tracked_)
    if (t.fd >= 0) ::close(t.fd);
}

void Follower::message(std::string m) {
  if (reported_.emplace(m, true).second) messages_.push_back(std::move(m));
}

std::vector<std::string> Follower::take_messages() {
  return std::exchange(messages_, {});
}

std::vector<std::string> Follower::list_files() {
  std::vector<std::string> out;
  for (const auto& p : paths_) {
    std::error_code ec;
    const auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) continue;  // may appear later
    if (fs::is_directory(st)) {
      std::vector<std::string> found;
      for (fs::recursive_directory_iterator
               it(p, fs::directory_options::skip_permission_denied, ec),
           end;
           !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file(ec) && !compressed(it->path().string()))
          found.push_back(it->path().string());
      }
      std::sort(found.begin(), found.end());
      out.insert(out.end(), found.begin(), found.end());
    } else if (!compressed(p)) {
      out.push_back(p);
    } else {
      message("follow: " + p + " is compressed; only plain text logs can be followed");
    }
  }
  return out;
}

std::string Follower::new_source_name(const std::string& path) {
  const unsigned n = generations_[path]++;
  return n == 0 ? path : path + "#" + std::to_string(n + 1);
}

std::uint64_t Follower::drain(Tracked& t) {
  std::uint64_t total = 0;
  while (total < options_.max_bytes_per_poll) {
    const ssize_t n = ::pread(t.fd, buffer_.data(), buffer_.size(), static_cast<off_t>(t.offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      message("follow: cannot read " + t.path + ": " + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    const std::string_view text(buffer_.data(), static_cast<std::size_t>(n));
    const std::uint64_t next = sink_.add(t.source, t.offset, text, t.path);
    if (next == t.offset) break;  // not taken now: the next pass tries again
    if (next > t.offset) {
      // Taken (or the receiver already had it, and more: it skips ahead).
      if (t.head.size() < kHeadBytes && t.offset == t.head.size())
        t.head.append(text.substr(0, kHeadBytes - t.head.size()));
      total += next - t.offset;
    }
    t.offset = next;
  }
  stats_.bytes += total;
  return total;
}

std::uint64_t Follower::poll() {
  std::uint64_t read = 0;
  std::uint64_t behind = 0;
  for (auto& [id, t] : tracked_)
    t.seen = false;
  for (const auto& path : list_files()) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const Identity id{st.st_dev, st.st_ino};
    auto it = tracked_.find(id);
    if (it == tracked_.end()) {
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        message("follow: cannot open " + path + ": " + std::strerror(errno));
        continue;
      }
      Tracked t;
      t.fd = fd;
      t.path = path;
      start_source(t);
      it = tracked_.emplace(id, std::move(t)).first;
    }
    Tracked& t = it->second;
    if (t.seen) continue;  // the same file under two followed paths
    t.seen = true;
    t.path = path;  // renamed within the followed paths: same file, same source
    if (const std::uint64_t held = sink_.check(t.source, t.offset); held < t.offset) {
      t.offset = held;
      t.ended = false;
    }
    struct stat now {};
    if (::fstat(t.fd, &now) == 0) {
      t.mtime_ns = std::int64_t{now.st_mtim.tv_sec} * 1'000'000'000 + now.st_mtim.tv_nsec;
      if (static_cast<std::uint64_t>(now.st_size) < t.offset || rewritten(t)) {
        // Truncated: what follows is new content, read as a new source.
        sink_.end(t.source, t.offset);  // its bytes are gone: nothing to send again
        start_source(t);
        t.ended = false;
        ++stats_.truncations;
      }
    }
    if (!t.ended || static_cast<std::uint64_t>(now.st_size) > t.offset) read += drain(t);
    struct stat after {};
    if (::fstat(t.fd, &after) == 0 && static_cast<std::uint64_t>(after.st_size) > t.offset)
      behind += static_cast<std::uint64_t>(after.st_size) - t.offset;
  }
  end_older_segments();
  // Files no longer under any followed path (rotated away or deleted): read
  // what was still written to them, then let them go.
  for (auto it = tracked_.begin(); it != tracked_.end();) {
    if (it->second.seen) {
      ++it;
      continue;
    }
    Tracked& t = it->second;
    // A receiver that lost bytes gets them again, a few times at most.
    for (int tries = 0; tries < 3; ++tries) {
      read += drain(t);
      const std::uint64_t held = sink_.end(t.source, t.offset);
      if (held >= t.offset) break;
      t.offset = held;
    }
    ::close(t.fd);
    ++stats_.rotations;
    it = tracked_.erase(it);
  }
  stats_.files = tracked_.size();
  stats_.behind = behind;
  return read;
}

void Follower::start_source(Tracked& t) {
  t.source = new_source_name(t.path);
  t.offset = sink_.resume(t.source);
  // Resumed past the start: the first bytes are what a rewrite would change.
  t.head.assign(static_cast<std::size_t>(std::min<std::uint64_t>(t.offset, kHeadBytes)), '\0');
  const ssize_t n = t.head.empty() ? 0 : ::pread(t.fd, t.head.data(), t.head.size(), 0);
  t.head.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
}

bool Follower::rewritten(const Tracked& t) {
  if (t.head.empty()) return false;
  std::string now(t.head.size(), '\0');
  const ssize_t n = ::pread(t.fd, now.data(), now.size(), 0);
  return n == static_cast<ssize_t>(now.size()) && now != t.head;
}

void Follower::end_older_segments() {
  // (folder, name up to the first '.') -> the newest file of that log.
  std::map<std::pair<std::string, std::string>, Tracked*> newest;
  auto key = [](const std::string& path) {
    const fs::path p(path);
    std::string name = p.filename().string();
    const auto dot = name.find('.');
    if (dot != std::string::npos && dot > 0) name.resize(dot);
    return std::make_pair(p.parent_path().string(), name);
  };
  for (auto& [id, t] : tracked_) {
    if (!t.seen) continue;
    Tracked*& n = newest[key(t.path)];
    if (n == nullptr || t.mtime_ns > n->mtime_ns) n = &t;
  }
  // Only a strictly newer file ends one (equal times say nothing).
  for (auto& [id, t] : tracked_) {
    if (!t.seen || t.ended || newest[key(t.path)]->mtime_ns <= t.mtime_ns) continue;
    end_source(t);
  }
}

void Follower::end_source(Tracked& t) {
  const std::uint64_t held = sink_.end(t.source, t.offset);
  if (held < t.offset) {
    t.offset = held;  // read again, ended again after
  } else {
    t.ended = true;
  }
}

void Follower::end_all() {
  for (auto& [id, t] : tracked_) {
    if (!t.ended) end_source(t);
  }
}

void Follower::run(const std::atomic<bool>& stop, const std::function<void()>& on_data) {
  while (!stop) {
    if (poll() > 0 && on_data) on_data();
    for (auto waited = std::chrono::milliseconds(0); waited < options_.poll && !stop;
         waited += std::chrono::milliseconds(20))
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace calltrail::serve
