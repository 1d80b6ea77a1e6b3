// Whole-file reading and strict gzip inflation: see
// include/rebalance/data/file_read.h. The member loop follows RFC 1952 sec.
// 2.2 (a gzip file is a series of members); zlib's inflate with a gzip
// wrapper (windowBits 16 + 15) checks each member's CRC-32 and ISIZE.
#include "rebalance/data/file_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "rebalance/core/huge_pages.h"

namespace rebalance::data {
namespace {

// Smallest gzip member: 10-byte header, an empty deflate block, 8-byte trailer.
constexpr size_t kMinMember = 18;

const char* FileKind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

class Inflater {
 public:
  Inflater() = default;
  ~Inflater() {
    if (ready_) inflateEnd(&zs_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
  bool Init() {
    ready_ = inflateInit2(&zs_, 16 + MAX_WBITS) == Z_OK;
    return ready_;
  }
  z_stream* stream() { return &zs_; }

 private:
  z_stream zs_{};
  bool ready_ = false;
};

}  // namespace

bool HasGzipMagic(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

Result<std::string> InflateGzip(std::string_view gz, const std::string& source) {
  if (gz.empty()) {
    return Status::ParseError(
        fmt::format("{}: gzip: the file is empty (0 bytes; a gzip file holds at least {})", source,
                    kMinMember));
  }
  if (!HasGzipMagic(gz)) {
    return Status::ParseError(
        fmt::format("{}: gzip: not gzip data (no gzip header at byte 0; a .gz file must start with "
                    "bytes 1f 8b)",
                    source));
  }
  std::string out;
  try {
    // ISIZE (last 4 bytes) is the length mod 2^32 of the last member: a hint
    // only (in a truncated file it is any 4 bytes), so the first buffer holds
    // at most 16 times the compressed size; the loop doubles it as needed.
    size_t hint = gz.size() * 4;
    if (gz.size() >= kMinMember) {
      const auto* t = reinterpret_cast<const unsigned char*>(gz.data() + gz.size() - 4);
      const size_t isize = static_cast<size_t>(t[0]) | static_cast<size_t>(t[1]) << 8 |
                           static_cast<size_t>(t[2]) << 16 | static_cast<size_t>(t[3]) << 24;
      hint = std::min(std::max(isize + 1, hint), gz.size() * 16);
    }
    out.resize(std::max<size_t>(hint, 64));
  } catch (const std::bad_alloc&) {
    return Status::IoError(fmt::format("{}: gzip: out of memory for the inflated data", source));
  }
  Inflater inf;
  if (!inf.Init()) return Status::Internal(fmt::format("{}: gzip: zlib could not start", source));
  z_stream& zs = *inf.stream();
  size_t used = 0;
  size_t member = 0;  // byte offset of the member being inflated
  int members = 0;
  while (true) {
    if (members > 0) {
      if (member == gz.size()) break;
      // Zero padding after the last member is ignored, as gzip -d does.
      const std::string_view rest = gz.substr(member);
      if (rest.find_first_not_of('\0') == std::string_view::npos) break;
      if (!HasGzipMagic(rest)) {
        return Status::ParseError(fmt::format(
            "{}: gzip: {} byte(s) of trailing garbage after the last gzip member, at byte {} "
            "(the file is {} bytes; `gzip -t` reports it too)",
            source, gz.size() - member, member, gz.size()));
      }
      if (inflateReset(&zs) != Z_OK) {
        return Status::Internal(fmt::format("{}: gzip: zlib could not restart", source));
      }
    }
    size_t pos = member;  // next input byte
    while (true) {
      if (used == out.size()) {
        try {
          out.resize(out.size() * 2);
        } catch (const std::bad_alloc&) {
          return Status::IoError(fmt::format(
              "{}: gzip: out of memory after inflating {} bytes (of {} compressed, at byte {})",
              source, used, gz.size(), pos));
        }
      }
      const uInt avail_in = static_cast<uInt>(std::min<size_t>(gz.size() - pos, 1u << 30));
      const uInt avail_out = static_cast<uInt>(std::min<size_t>(out.size() - used, 1u << 30));
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data() + pos));
      zs.avail_in = avail_in;
      zs.next_out = reinterpret_cast<Bytef*>(out.data() + used);
      zs.avail_out = avail_out;
      const int rc = inflate(&zs, Z_NO_FLUSH);
      pos += avail_in - zs.avail_in;
      used += avail_out - zs.avail_out;
      if (rc == Z_STREAM_END) break;
      if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
        return Status::ParseError(fmt::format(
            "{}: gzip: corrupt data in the member that starts at byte {}: {} (at byte {})", source,
            member, zs.msg != nullptr ? zs.msg : "invalid deflate data", pos));
      }
      if (rc == Z_MEM_ERROR)
        return Status::IoError(fmt::format("{}: gzip: zlib ran out of memory", source));
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        return Status::Internal(fmt::format("{}: gzip: zlib error {} at byte {}", source, rc, pos));
      }
      if (pos == gz.size() && zs.avail_out != 0) {
        return Status::ParseError(fmt::format(
            "{}: gzip: the data ends at byte {} inside the member that starts at byte {}, before "
            "its "
            "8-byte trailer (CRC and length): the file is truncated ({} bytes inflated so far)",
            source, gz.size(), member, used));
      }
    }
    ++members;
    member = pos;
  }
  out.resize(used);
  out.shrink_to_fit();
  return out;
}

Result<int> OpenRegularFile(const std::string& path, size_t* size) {
  // O_NONBLOCK: opening a FIFO without a writer must not hang; it has no
  // effect on reading a regular file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    struct stat lst;
    if (err == ENOENT && ::lstat(path.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
      return Status::NotFound(fmt::format(
          "cannot open '{}': it is a symbolic link to a file that does not exist", path));
    }
    if (err == ENOENT) {
      return Status::NotFound(fmt::format("cannot open '{}': {}", path, std::strerror(err)));
    }
    return Status::IoError(fmt::format("cannot open '{}': {}", path, std::strerror(err)));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::IoError(fmt::format("cannot read '{}': {}", path, std::strerror(err)));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(
        fmt::format("'{}' is {}, not a file: give the path of a file", path, FileKind(st.st_mode)));
  }
  *size = static_cast<size_t>(st.st_size);
  return fd;
}

FileBuffer::~FileBuffer() { std::free(data_); }

FileBuffer::FileBuffer(FileBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, 0)) {}

FileBuffer& FileBuffer::operator=(FileBuffer&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
  }
  return *this;
}

Result<FileBuffer> ReadFileBuffer(const std::string& path, int threads) {
  size_t size = 0;
  RB_ASSIGN_OR_RETURN(const int fd, OpenRegularFile(path, &size));
  FileBuffer buf;
  // Heap memory, never zero-filled by the program, grown by realloc when the
  // file grows while it is read (as ReadFileBytes reads on). From the heap
  // (not a mapping of its own) so that, once the text is parsed and freed,
  // the pages it touched serve the next allocations (a program that keeps
  // large freed blocks, as the CLI does with mallopt, reads a 574 MB file and
  // then estimates in those pages instead of first-touching fresh ones, which
  // costs about 1 s per GB on the project's VMs). The 2 MB-aligned interior
  // of a new block is advised for transparent huge pages.
  auto reserve = [&](size_t want) -> bool {
    const size_t bytes = (want + 4095) & ~size_t{4095};
    const bool fresh = buf.data_ == nullptr;
    void* p = fresh ? std::malloc(bytes) : std::realloc(buf.data_, bytes);
    if (p == nullptr) return false;
    buf.data_ = static_cast<char*>(p);
    buf.mapped_ = bytes;
    if (fresh && bytes >= (size_t{4} << 20)) core::AdviseHugePages(p, bytes);
    return true;
  };
  if (!reserve(size + 1)) {
    ::close(fd);
    return Status::IoError(
        fmt::format("'{}' ({} bytes) is too large to read into memory", path, size));
  }
  // The size seen at open in `threads` byte ranges read side by side (the
  // first touch of fresh pages costs as much as the copy), then on to the
  // end of the file.
  const int parts = size >= (size_t{64} << 20) ? std::max(1, threads) : 1;
  std::vector<size_t> got_part(static_cast<size_t>(parts), 0);
  std::vector<int> err_part(static_cast<size_t>(parts), 0);
  auto read_part = [&](int t) {
    const size_t b = size / static_cast<size_t>(parts) * static_cast<size_t>(t);
    const size_t e = t + 1 == parts ? size : size / static_cast<size_t>(parts) * (t + 1);
    size_t& got = got_part[static_cast<size_t>(t)];
    while (b + got < e) {
      const ssize_t n = ::pread(fd, buf.data_ + b + got, e - b - got, static_cast<off_t>(b + got));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) err_part[static_cast<size_t>(t)] = errno;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
  };
  {
    std::vector<std::thread> pool;
    for (int t = 1; t < parts; ++t) pool.emplace_back(read_part, t);
    read_part(0);
    for (auto& th : pool) th.join();
  }
  size_t done = 0;
  for (int t = 0; t < parts; ++t) {
    if (err_part[static_cast<size_t>(t)] != 0) {
      ::close(fd);
      return Status::IoError(fmt::format("cannot read '{}': {}", path,
                                         std::strerror(err_part[static_cast<size_t>(t)])));
    }
    done += got_part[static_cast<size_t>(t)];
  }
  if (done < size) {
    ::close(fd);
    return Status::IoError(fmt::format(
        "'{}' changed while it was read: {} bytes when opened, {} read (is another program "
        "writing it?)",
        path, size, done));
  }
  if (::lseek(fd, static_cast<off_t>(done), SEEK_SET) < 0) {
    const int err = errno;
    ::close(fd);
    return Status::IoError(fmt::format("cannot read '{}': {}", path, std::strerror(err)));
  }
  while (true) {
    if (done == buf.mapped_ && !reserve(buf.mapped_ + 4096)) {
      ::close(fd);
      return Status::IoError(
          fmt::format("'{}' ({} bytes) is too large to read into memory", path, size));
    }
    const ssize_t got = ::read(fd, buf.data_ + done, buf.mapped_ - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const int err = errno;
      ::close(fd);
      return Status::IoError(fmt::format("cannot read '{}': {}", path, std::strerror(err)));
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  ::close(fd);
  if (done < size) {
    return Status::IoError(fmt::format(
        "'{}' changed while it was read: {} bytes when opened, {} read (is another program "
        "writing it?)",
        path, size, done));
  }
  buf.size_ = done;
  return buf;
}

Result<std::string> ReadFileBytes(const std::string& path) {
  // One read loop for both: the buffer's (same checks and messages), then one copy into the string.
  RB_ASSIGN_OR_RETURN(const FileBuffer buf, ReadFileBuffer(path, 1));
  try {
    return std::string(buf.view());
  } catch (const std::bad_alloc&) {
    return Status::IoError(
        fmt::format("'{}' ({} bytes) is too large to read into memory", path, buf.view().size()));
  }
}

}  // namespace rebalance::data
