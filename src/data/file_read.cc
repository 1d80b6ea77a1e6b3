// Whole-file reading and strict gzip inflation: see
// include/rebalance/data/file_read.h. The member loop follows RFC 1952 sec.
// 2.2 (a gzip file is a series of members); zlib's inflate with a gzip
// wrapper (windowBits 16 + 15) checks each member's CRC-32 and ISIZE.
// With ISA-L (REBALANCE_HAVE_ISAL), its igzip inflates first (about 2.5
// times zlib's speed on the bench panels): it checks each member's CRC-32,
// this file checks ISIZE, the method byte and the reserved flag bits, and
// any data igzip does not read whole goes to zlib, which reads it again and
// words the error as before, so results and messages do not depend on the
// inflater.
#include "rebalance/data/file_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#ifdef REBALANCE_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
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

// The first output buffer: ISIZE (last 4 bytes) is the length mod 2^32 of
// the last member: a hint only (in a truncated file it is any 4 bytes), so
// the first buffer holds at most 16 times the compressed size (4 times
// when ISIZE is less than half of it: a truncated file or several members);
// the loops double it as needed.
size_t OutputHint(std::string_view gz) {
  size_t hint = gz.size() * 4;
  if (gz.size() >= kMinMember) {
    const auto* t = reinterpret_cast<const unsigned char*>(gz.data() + gz.size() - 4);
    const size_t isize = static_cast<size_t>(t[0]) | static_cast<size_t>(t[1]) << 8 |
                         static_cast<size_t>(t[2]) << 16 | static_cast<size_t>(t[3]) << 24;
    if (isize >= gz.size() / 2) hint = std::min(isize + 1, gz.size() * 16);
  }
  return std::max<size_t>(hint, 64);
}

// Where the inflaters write: a std::string (InflateGzip), or raw heap
// memory that is neither zero-filled nor copied at the end, advised for
// huge pages (InflateGzipBuffer, which the CSV reader parses in place).
// resize() throws std::bad_alloc.
class StringOut {
 public:
  void resize(size_t n) {
    if (s_.capacity() < n) {
      std::string t;
      t.reserve(n);
      core::AdviseHugePages(t.data(), n);
      t.append(s_);
      s_.swap(t);
    }
    s_.resize(n);
  }
  size_t size() const { return s_.size(); }
  char* data() { return s_.data(); }
  // Keeps the first `used` bytes (no copy for a few bytes of slack).
  void Finish(size_t used) {
    s_.resize(used);
    if (s_.capacity() - used > used / 8) s_.shrink_to_fit();
  }
  std::string Take() { return std::move(s_); }

 private:
  std::string s_;
};

class RawOut {
 public:
  RawOut() = default;
  RawOut(const RawOut&) = delete;
  RawOut& operator=(const RawOut&) = delete;
  ~RawOut() { std::free(p_); }
  void resize(size_t n) {
    if (n > cap_) {
      const bool fresh = p_ == nullptr;
      void* q = fresh ? std::malloc(n) : std::realloc(p_, n);
      if (q == nullptr) throw std::bad_alloc();
      p_ = static_cast<char*>(q);
      cap_ = n;
      if (fresh) core::AdviseHugePages(p_, n);
    }
    size_ = n;
  }
  size_t size() const { return size_; }
  char* data() { return p_; }
  void Finish(size_t used) { size_ = used; }
  // The memory, its size and capacity, given up.
  char* Release(size_t* size, size_t* cap) {
    *size = size_;
    *cap = cap_;
    cap_ = size_ = 0;
    return std::exchange(p_, nullptr);
  }

 private:
  char* p_ = nullptr;
  size_t size_ = 0, cap_ = 0;
};

template <class Out>
Result<Out*> InflateZlib(std::string_view gz, const std::string& source, Out* out_ptr) {
  Out& out = *out_ptr;
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
  try {
    out.resize(OutputHint(gz));
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
  out.Finish(used);
  return out_ptr;
}

#ifdef REBALANCE_HAVE_ISAL
// igzip over all members; nullopt when it does not read the data whole
// (then zlib reads it again, and says why).
template <class Out>
bool InflateIsal(std::string_view gz, Out* out_ptr) {
  Out& out = *out_ptr;
  if (gz.size() < kMinMember || !HasGzipMagic(gz)) return false;
  try {
    out.resize(OutputHint(gz));
  } catch (const std::bad_alloc&) {
    return false;
  }
  const auto state = std::make_unique<inflate_state>();
  const auto* in = reinterpret_cast<const unsigned char*>(gz.data());
  size_t used = 0;
  size_t member = 0;
  int members = 0;
  while (true) {
    if (members > 0) {
      if (member == gz.size()) break;
      const std::string_view rest = gz.substr(member);
      if (rest.find_first_not_of('\0') == std::string_view::npos) break;
      if (!HasGzipMagic(rest)) return false;
    }
    // RFC 1952 sec. 2.3: method 8 (deflate), flag bits 5-7 reserved (zlib
    // rejects them; igzip's checks are not documented).
    if (gz.size() - member < kMinMember || in[member + 2] != 8 || (in[member + 3] & 0xE0) != 0)
      return false;
    isal_inflate_init(state.get());
    state->crc_flag = ISAL_GZIP;
    const size_t member_out = used;
    size_t pos = member;
    while (true) {
      if (used == out.size()) {
        try {
          out.resize(out.size() * 2);
        } catch (const std::bad_alloc&) {
          return false;
        }
      }
      const auto avail_in = static_cast<uint32_t>(std::min<size_t>(gz.size() - pos, 1u << 30));
      const auto avail_out = static_cast<uint32_t>(std::min<size_t>(out.size() - used, 1u << 30));
      state->next_in = const_cast<uint8_t*>(in + pos);
      state->avail_in = avail_in;
      state->next_out = reinterpret_cast<uint8_t*>(out.data() + used);
      state->avail_out = avail_out;
      const int rc = isal_inflate(state.get());
      pos += avail_in - state->avail_in;
      used += avail_out - state->avail_out;
      if (rc != ISAL_DECOMP_OK) return false;
      if (state->block_state == ISAL_BLOCK_FINISH) break;
      // Input used up with room left for output: the member is cut short.
      if (state->avail_in == 0 && pos == gz.size() && state->avail_out != 0) return false;
      if (avail_in == state->avail_in && avail_out == state->avail_out) return false;
    }
    // Whole bytes igzip took in ahead of the member's end go back.
    const auto ahead = static_cast<size_t>(state->read_in_length / 8);
    if (ahead > pos - member) return false;
    pos -= ahead;
    // ISIZE: the member's length mod 2^32, in its last 4 bytes.
    if (pos - member < kMinMember) return false;
    const unsigned char* t = in + pos - 4;
    const uint32_t isize = static_cast<uint32_t>(t[0]) | static_cast<uint32_t>(t[1]) << 8 |
                           static_cast<uint32_t>(t[2]) << 16 | static_cast<uint32_t>(t[3]) << 24;
    if (isize != static_cast<uint32_t>(used - member_out)) return false;
    ++members;
    member = pos;
  }
  out.Finish(used);
  return true;
}
#endif

}  // namespace

bool HasGzipMagic(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

Result<std::string> InflateGzip(std::string_view gz, const std::string& source) {
  StringOut out;
#ifdef REBALANCE_HAVE_ISAL
  if (InflateIsal(gz, &out)) return out.Take();
  out = StringOut();
#endif
  RB_RETURN_IF_ERROR(InflateZlib(gz, source, &out).status());
  return out.Take();
}

Result<FileBuffer> InflateGzipBuffer(std::string_view gz, const std::string& source) {
  FileBuffer buf;
  {
    RawOut out;
    bool done = false;
#ifdef REBALANCE_HAVE_ISAL
    done = InflateIsal(gz, &out);
#endif
    if (!done) {
      RawOut again;
      RB_RETURN_IF_ERROR(InflateZlib(gz, source, &again).status());
      buf.data_ = again.Release(&buf.size_, &buf.mapped_);
    } else {
      buf.data_ = out.Release(&buf.size_, &buf.mapped_);
    }
  }
  return buf;
}

const char* GzipInflaterName() {
#ifdef REBALANCE_HAVE_ISAL
  return "ISA-L igzip (zlib for errors)";
#else
  return "zlib";
#endif
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
