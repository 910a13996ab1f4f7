#include "calltrail/serve/update_streams.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>

namespace calltrail::serve {

namespace {

using Clock = std::chrono::steady_clock;

// How often the thread looks for new updates when no socket needs it: the
// pump publishes at most this much before a stream sees it.
constexpr int kTickMs = 50;
constexpr auto kKeepAlive = std::chrono::seconds(1);
constexpr auto kLinger = std::chrono::seconds(10);

void append_chunk(std::string& out, std::string_view data) {
  char size[32];
  const int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  out.append(size, static_cast<std::size_t>(n));
  out.append(data);
  out.append("\r\n");
}

}  // namespace

bool matches_follow(const PublishedUpdate& u, std::string& follow) {
  if (follow.empty()) return true;
  if (u.interaction_id == follow) return true;
  for (const auto& m : u.merged) {
    if (m == follow) {
      follow = u.interaction_id;  // keep following the survivor
      return true;
    }
  }
  return false;
}

UpdateStreams::UpdateStreams(UpdatePump& pump) : pump_(pump) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
    wake_read_ = fds[0];
    wake_write_ = fds[1];
  }
  polled_.reserve(64);
  thread_ = std::thread([this] { loop(); });
}

UpdateStreams::~UpdateStreams() {
  stop();
  if (wake_read_ >= 0) ::close(wake_read_);
  if (wake_write_ >= 0) ::close(wake_write_);
}

void UpdateStreams::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake();
  if (thread_.joinable()) thread_.join();
}

void UpdateStreams::wake() {
  if (wake_write_ < 0) return;
  const char b = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_write_, &b, 1);  // full pipe: awake anyway
}

void UpdateStreams::add(int fd, Subscription subscription) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      const int flags = ::fcntl(fd, F_GETFL);
      ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
      Stream s;
      s.fd = fd;
      s.sub = std::move(subscription);
      s.last_write = Clock::now();
      incoming_.push_back(std::move(s));
      ++open_;
      fd = -1;
    }
  }
  if (fd >= 0) {
    ::close(fd);
    return;
  }
  wake();
}

void UpdateStreams::queue_event_text(Stream& s, const std::string& text) {
  append_chunk(s.pending, text);
}

void UpdateStreams::loop() {
  std::vector<Stream> streams;
  std::vector<::pollfd>& polled = polled_;
  std::array<char, 4096> scratch{};
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
      for (auto& s : incoming_)
        streams.push_back(std::move(s));
      incoming_.clear();
    }
    const auto now = Clock::now();
    // New updates, for every stream behind them.
    const std::uint64_t last = pump_.last_seq();
    for (auto& s : streams) {
      if (s.closing) continue;
      while (s.sub.after < last && s.pending.size() < kMaxPending) {
        const auto updates = pump_.since(s.sub.after, std::chrono::milliseconds(0));
        if (updates.empty()) break;
        std::string out;
        for (const auto& u : updates) {
          s.sub.after = u.seq;
          if (!matches_follow(u, s.sub.follow)) continue;
          out +=
              "id: " + std::to_string(u.seq) + "\nevent: " + u.kind + "\ndata: " + u.json + "\n\n";
        }
        if (!out.empty()) queue_event_text(s, out);
      }
      if (s.sub.until && now >= *s.sub.until) {
        // Ask EventSource clients not to come back soon, then end.
        queue_event_text(s, "retry: 3600000\n\n");
        s.pending.append("0\r\n\r\n");
        s.closing = true;
      } else if (s.pending.empty() && now - s.last_write >= kKeepAlive) {
        queue_event_text(s, ": keep-alive\n\n");
      }
    }
    // Write what is pending; drop the streams that are gone or too slow.
    for (auto& s : streams) {
      while (!s.pending.empty()) {
        const ssize_t n =
            ::send(s.fd, s.pending.data(), s.pending.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
          s.pending.erase(0, static_cast<std::size_t>(n));
          s.last_write = now;
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        s.closing = true;  // the peer is gone
        s.pending.clear();
        break;
      }
      if (s.pending.size() > kMaxPending) {
        s.closing = true;
        s.pending.clear();
      }
    }
    auto gone = [&](Stream& s) {
      // A stream that ends is closed once its last bytes are written, or
      // after kLinger when the client does not read them.
      if (!s.closing || (!s.pending.empty() && now - s.last_write < kLinger)) return false;
      ::shutdown(s.fd, SHUT_RDWR);
      ::close(s.fd);
      --open_;
      return true;
    };
    std::erase_if(streams, gone);

    polled.clear();
    polled.push_back({wake_read_, POLLIN, 0});
    for (const auto& s : streams)
      polled.push_back({s.fd, static_cast<short>(POLLIN | (s.pending.empty() ? 0 : POLLOUT)), 0});
    const int ready = ::poll(polled.data(), polled.size(), kTickMs);
    if (ready <= 0) continue;
    if (polled[0].revents & POLLIN) {
      while (::read(wake_read_, scratch.data(), scratch.size()) > 0) {
      }
    }
    for (std::size_t i = 1; i < polled.size(); ++i) {
      Stream& s = streams[i - 1];
      const short ev = polled[i].revents;
      if (ev & (POLLERR | POLLNVAL)) {
        s.closing = true;
        s.pending.clear();
        continue;
      }
      if (ev & (POLLIN | POLLHUP)) {
        // A client says nothing on an event stream; what it sends is
        // ignored, and end of file means it went away.
        const ssize_t n = ::recv(s.fd, scratch.data(), scratch.size(), MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
          s.closing = true;
          s.pending.clear();
        }
      }
    }
    std::erase_if(streams, gone);
  }
  for (auto& s : streams) {
    ::shutdown(s.fd, SHUT_RDWR);
    ::close(s.fd);
    --open_;
  }
  std::lock_guard lock(mutex_);
  for (auto& s : incoming_) {
    ::close(s.fd);
    --open_;
  }
  incoming_.clear();
}

}  // namespace calltrail::serve
