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

Follower::Follower(LiveCorrelation& live, std::vector<std::string> paths, FollowOptions options)
    : live_(live), paths_(std::move(paths)), options_(options), buffer_(options.chunk) {}

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
    live_.add_text(t.source, t.offset,
                   std::string_view(buffer_.data(), static_cast<std::size_t>(n)), t.path);
    if (t.head.size() < kHeadBytes && t.offset == t.head.size())
      t.head.append(buffer_.data(),
                    std::min<std::size_t>(kHeadBytes - t.head.size(), static_cast<std::size_t>(n)));
    t.offset += static_cast<std::uint64_t>(n);
    total += static_cast<std::uint64_t>(n);
  }
  stats_.bytes += total;
  return total;
}

std::uint64_t Follower::poll() {
  std::uint64_t read = 0;
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
      t.source = new_source_name(path);
      it = tracked_.emplace(id, std::move(t)).first;
    }
    Tracked& t = it->second;
    if (t.seen) continue;  // the same file under two followed paths
    t.seen = true;
    t.path = path;  // renamed within the followed paths: same file, same source
    struct stat now {};
    if (::fstat(t.fd, &now) == 0) {
      t.mtime_ns = std::int64_t{now.st_mtim.tv_sec} * 1'000'000'000 + now.st_mtim.tv_nsec;
      if (static_cast<std::uint64_t>(now.st_size) < t.offset || rewritten(t)) {
        // Truncated: what follows is new content, read as a new source.
        live_.end_text(t.source);
        t.source = new_source_name(path);
        t.offset = 0;
        t.ended = false;
        t.head.clear();
        ++stats_.truncations;
      }
    }
    if (!t.ended || static_cast<std::uint64_t>(now.st_size) > t.offset) read += drain(t);
  }
  end_older_segments();
  // Files no longer under any followed path (rotated away or deleted): read
  // what was still written to them, then let them go.
  for (auto it = tracked_.begin(); it != tracked_.end();) {
    if (it->second.seen) {
      ++it;
      continue;
    }
    read += drain(it->second);
    live_.end_text(it->second.source);
    ::close(it->second.fd);
    ++stats_.rotations;
    it = tracked_.erase(it);
  }
  stats_.files = tracked_.size();
  return read;
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
    live_.end_text(t.source);
    t.ended = true;
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
