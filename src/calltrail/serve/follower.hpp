// `tail -F` for many logs at once, by polling: every file under the given
// paths (folders recursively), including files that appear later, read from
// where it was left. A file is known by its identity (device and inode), so a
// rotation by rename keeps reading the renamed file to its end while the new
// file at the old name starts from 0; a file that shrank was truncated and is
// read again from 0 as a new source (so is one whose first bytes changed: it
// was truncated and written again past the old size between two polls). Bytes go to
// LiveCorrelation::add_text. A log's last message is known to be complete only when the next one
// starts, so when a newer segment of the same log (same folder, same name up to the first '.')
// appears, the older one is ended and its last message released.
//
// Positions live in memory (per file identity): a restarted follower reads
// its files again from their start (serve --db stores followed files with
// store::follow instead, docs/http-api.md), unless its TextSink knows where
// each source stands (push asks the central server).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "calltrail/serve/live_state.hpp"

namespace calltrail::serve {

// Where a Follower's bytes go: the live correlation (serve, follow) or a
// central server (push).
class TextSink {
 public:
  virtual ~TextSink() = default;
  // The offset a source seen for the first time is read from: 0 unless the
  // receiver already holds its beginning.
  virtual std::uint64_t resume(const std::string& source) = 0;
  // Takes `text` of `source` read at `offset` (from the file at `path`).
  // Returns the offset to read from next: offset + text.size() when taken;
  // an earlier one when the receiver lost bytes and wants them again; `offset`
  // itself when nothing could be taken now (the next pass tries again).
  virtual std::uint64_t add(const std::string& source, std::uint64_t offset, std::string_view text,
                            const std::string& path) = 0;
  // Asked of every followed source at each pass: the offset the receiver
  // holds when it lost bytes since (below `offset`: the follower reads them
  // again, and ends the source again when it was ended), else `offset`.
  virtual std::uint64_t check(const std::string& source, std::uint64_t offset) {
    (void)source;
    return offset;
  }
  // The source, read up to `offset`, is complete: rotated away, truncated,
  // a newer segment of its log exists, or the caller says so. Returns the
  // offset the receiver holds: below `offset` when it lost bytes (the
  // follower reads them again and ends the source later).
  virtual std::uint64_t end(const std::string& source, std::uint64_t offset) = 0;
};

// The live correlation as a sink: every byte is taken, every source starts at 0.
class LiveTextSink final : public TextSink {
 public:
  explicit LiveTextSink(LiveCorrelation& live) : live_(live) {}
  std::uint64_t resume(const std::string&) override { return 0; }
  std::uint64_t add(const std::string& source, std::uint64_t offset, std::string_view text,
                    const std::string& path) override;
  std::uint64_t end(const std::string& source, std::uint64_t offset) override;

 private:
  LiveCorrelation& live_;
};

struct FollowOptions {
  std::chrono::milliseconds poll{200};
  std::size_t chunk = 1u << 20;
  std::uint64_t max_bytes_per_poll = 256u << 20;  // per file, to keep the others moving
};

struct FollowStats {
  std::uint64_t bytes = 0;
  std::uint64_t files = 0;      // files being followed
  std::uint64_t rotations = 0;  // identities that left their path
  std::uint64_t truncations = 0;
  std::uint64_t behind = 0;  // bytes the followed files hold past what was read, after a pass
};

class Follower {
 public:
  Follower(LiveCorrelation& live, std::vector<std::string> paths, FollowOptions options = {});
  Follower(TextSink& sink, std::vector<std::string> paths, FollowOptions options = {});
  ~Follower();
  Follower(const Follower&) = delete;
  Follower& operator=(const Follower&) = delete;

  // One pass: finds files, reads what is new. Returns the bytes read.
  std::uint64_t poll();
  // Polls until `stop`; calls `on_data` after each pass that read bytes.
  void run(const std::atomic<bool>& stop, const std::function<void()>& on_data);
  // Ends every source still open (the logs are complete: push --once --final).
  void end_all();
  const FollowStats& stats() const { return stats_; }
  // Problems seen (unreadable files), each once.
  std::vector<std::string> take_messages();

 private:
  struct Tracked {
    int fd = -1;
    std::string path;    // where it was last seen
    std::string source;  // the live source name
    std::uint64_t offset = 0;
    bool seen = false;   // found in this pass
    bool ended = false;  // a newer segment of the same log exists; its last message was released
    std::int64_t mtime_ns = 0;
    std::string head;  // the first bytes read: a rewrite from 0 changes them
  };
  using Identity = std::pair<std::uint64_t, std::uint64_t>;  // device, inode

  std::vector<std::string> list_files();
  std::uint64_t drain(Tracked& t);
  void end_older_segments();
  void end_source(Tracked& t);
  bool rewritten(const Tracked& t);
  std::string new_source_name(const std::string& path);
  // A new source for `t` (named after its path) and where it is read from.
  void start_source(Tracked& t);
  void message(std::string m);

  std::unique_ptr<LiveTextSink> live_sink_;  // when following into a LiveCorrelation
  TextSink& sink_;
  std::vector<std::string> paths_;
  FollowOptions options_;
  std::map<Identity, Tracked> tracked_;
  std::map<std::string, unsigned> generations_;  // path -> sources named after it
  std::vector<std::string> messages_;
  std::map<std::string, bool> reported_;
  std::vector<char> buffer_;
  FollowStats stats_;
};

}  // namespace calltrail::serve
