#include "calltrail/io/byte_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

namespace calltrail::io {

namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

class FdSource final : public ByteSource {
 public:
  FdSource(int fd, bool owned, bool seekable) : fd_(fd), owned_(owned), seekable_(seekable) {}
  ~FdSource() override {
    if (owned_) ::close(fd_);
  }
  FdSource(const FdSource&) = delete;
  FdSource& operator=(const FdSource&) = delete;

  ReadOutcome read(char* buffer, std::size_t capacity) override {
    for (;;) {
      ssize_t n = seekable_ ? ::pread(fd_, buffer, capacity, static_cast<off_t>(position_))
                            : ::read(fd_, buffer, capacity);
      if (n >= 0) {
        position_ += static_cast<std::uint64_t>(n);
        return {static_cast<std::size_t>(n), {}};
      }
      if (errno != EINTR) return {0, errno_text(errno)};
    }
  }
  std::uint64_t raw_position() const override { return position_; }
  bool seekable() const { return seekable_; }
  void start_at(std::uint64_t position) { position_ = position; }

 private:
  int fd_;
  bool owned_;
  bool seekable_;
  std::uint64_t position_ = 0;
};

// zlib's message without the name it gives a descriptor ("<fd:3>: "): the
// caller names the file.
std::string gzip_message(const char* msg, const char* otherwise) {
  std::string_view m = msg != nullptr && *msg != '\0' ? msg : otherwise;
  if (m.starts_with("<fd:")) {
    const auto end = m.find(">: ");
    if (end != std::string_view::npos) m.remove_prefix(end + 3);
  }
  return "gzip: " + std::string(m);
}

class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(gzFile f) : file_(f) {}
  ~GzipSource() override { gzclose(file_); }
  GzipSource(const GzipSource&) = delete;
  GzipSource& operator=(const GzipSource&) = delete;

  ReadOutcome read(char* buffer, std::size_t capacity) override {
    if (capacity > (1u << 30)) capacity = 1u << 30;
    int n = gzread(file_, buffer, static_cast<unsigned>(capacity));
    if (n < 0) {
      int code = 0;
      const char* msg = gzerror(file_, &code);
      return {0, gzip_message(msg, "read error")};
    }
    if (n == 0 && !gzeof(file_)) return {0, "gzip: read error"};
    if (n == 0) {
      // A stream cut short ends without error from gzread; gzerror says so.
      int code = 0;
      const char* msg = gzerror(file_, &code);
      if (code == Z_BUF_ERROR) return {0, gzip_message(msg, "truncated")};
    }
    return {static_cast<std::size_t>(n), {}};
  }
  std::uint64_t raw_position() const override {
    return static_cast<std::uint64_t>(gzoffset(file_));
  }

 private:
  gzFile file_;
};

}  // namespace

OpenOutcome open_source(const std::string& path) {
  if (path == "-") return {std::make_unique<FdSource>(STDIN_FILENO, false, false), {}};
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return {nullptr, errno_text(errno)};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const int err = errno;
    ::close(fd);
    return {nullptr, S_ISREG(st.st_mode) ? errno_text(err) : std::string(kNotRegularFile)};
  }
  char magic[2] = {0, 0};
  const ssize_t n = ::pread(fd, magic, 2, 0);
  if (n == 2 && is_gzip(std::string_view(magic, 2))) {
    gzFile gz = gzdopen(fd, "rb");
    if (gz == nullptr) {
      ::close(fd);
      return {nullptr, "gzip: cannot open"};
    }
    gzbuffer(gz, 256 * 1024);
    return {std::make_unique<GzipSource>(gz), {}};
  }
  return {std::make_unique<FdSource>(fd, true, true), {}};
}

bool seekable(const std::string& path) {
  OpenOutcome o = open_source(path);
  const auto* plain = dynamic_cast<const FdSource*>(o.source.get());
  return plain != nullptr && plain->seekable();
}

OpenOutcome open_source_at(const std::string& path, std::uint64_t offset) {
  OpenOutcome o = open_source(path);
  if (!o.source || offset == 0) return o;
  if (auto* plain = dynamic_cast<FdSource*>(o.source.get());
      plain != nullptr && plain->seekable()) {
    plain->start_at(offset);
    return o;
  }
  // Compressed or standard input: read up to the offset.
  std::string skip(std::min<std::uint64_t>(offset, 1 << 20), '\0');
  while (offset > 0) {
    ReadOutcome r = o.source->read(skip.data(), std::min<std::uint64_t>(offset, skip.size()));
    if (!r.error.empty()) return {nullptr, r.error};
    if (r.size == 0) return {nullptr, "shorter than the offset to read from"};
    offset -= r.size;
  }
  return o;
}

}  // namespace calltrail::io
