// Byte sources for log input: plain files (read with pread, so a file that is
// truncated or rotated underneath us gives a short read rather than SIGBUS),
// gzip files (zlib, detected by their magic bytes) and standard input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace calltrail::io {

// Outcome of one read: bytes read (0 = end of input) or an error message.
struct ReadOutcome {
  std::size_t size = 0;
  std::string error;  // non-empty when the read failed
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `capacity` bytes into `buffer`.
  virtual ReadOutcome read(char* buffer, std::size_t capacity) = 0;
  // Bytes consumed from the underlying file so far (compressed bytes for gzip).
  virtual std::uint64_t raw_position() const = 0;
};

struct OpenOutcome {
  std::unique_ptr<ByteSource> source;
  std::string error;  // set when source is null
};

// Whether `head`, the first bytes of a file, starts with gzip's magic bytes.
inline bool is_gzip(std::string_view head) {
  return head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
         static_cast<unsigned char>(head[1]) == 0x8b;
}

// Why anything but a regular file (a FIFO, a socket, a device) is refused:
// reading one may block forever or never end.
inline constexpr std::string_view kNotRegularFile =
    "not a regular file (a FIFO, socket or device); give its content on standard input (-)";

// Opens "-" (standard input), a plain file or a gzip file; refuses anything
// else (kNotRegularFile) without blocking on it.
OpenOutcome open_source(const std::string& path);
// Opens like open_source() and goes to byte `offset` of the (decompressed)
// input: a plain file starts reading there, anything else is read up to it.
OpenOutcome open_source_at(const std::string& path, std::uint64_t offset);
// Whether open_source_at() starts `path` at an offset without reading what is
// before it (a plain regular file; not a gzip file or standard input).
bool seekable(const std::string& path);

}  // namespace calltrail::io
