// Reading input files whole, with strict gzip (RFC 1952) checking. Every
// reader of the library goes through these (data::ReadFileToString, ReadCsv,
// the fast WIOD/ICIO path in io_tables, the Caliendo-Parro readers), so an
// input is never silently shortened:
//   - only regular files are read: a directory, a FIFO, a socket or a device
//     is an error naming the kind (a FIFO is opened without blocking);
//   - a file that changes size while it is read is an error;
//   - gzip: every member must end with its trailer, and the CRC-32 and length
//     in the trailer must match the inflated data (zlib checks both); members
//     may be concatenated and zero padding may follow the last one (as
//     `gzip -d` accepts them), but a member cut short, other bytes after the
//     last member ("trailing garbage") and an empty .gz file are errors. Each
//     error gives the byte offset in the compressed file.
// Known limit: the compressed bytes are held in memory beside the inflated
// text (the fast WIOD path did so already); inflation sizes its output from
// the last member's ISIZE field (a hint only: at most 16 times the
// compressed size, then doubled as needed).
#ifndef REBALANCE_DATA_FILE_READ_H_
#define REBALANCE_DATA_FILE_READ_H_

#include <string>
#include <string_view>

#include "rebalance/core/status.h"

namespace rebalance::data {

// True when `bytes` starts with the gzip magic number 1f 8b.
bool HasGzipMagic(std::string_view bytes);

// Inflates one or more concatenated gzip members held in memory; `source`
// names the data in messages ("SOURCE: gzip data ... at byte N"). ISA-L's
// igzip inflates when the build found it, zlib otherwise; zlib words every
// error either way (same results and messages).
Result<std::string> InflateGzip(std::string_view gz, const std::string& source);

// InflateGzip into a FileBuffer: not zero-filled, on huge pages where the
// kernel offers them, not copied at the end (same results and messages).
class FileBuffer;
Result<FileBuffer> InflateGzipBuffer(std::string_view gz, const std::string& source);

// Which inflater InflateGzip uses ("ISA-L igzip (zlib for errors)" or "zlib").
const char* GzipInflaterName();

// Opens `path` for reading if it is a regular file (symbolic links are
// followed); returns the descriptor (the caller closes it) and its size.
Result<int> OpenRegularFile(const std::string& path, size_t* size);

// The bytes of a regular file, as stored (no inflation).
Result<std::string> ReadFileBytes(const std::string& path);

// A file's bytes in memory of their own: not zero-filled first, and on
// transparent huge pages where the kernel offers them (madvise), so that a
// large file costs one copy and few page faults.
class FileBuffer {
 public:
  FileBuffer() = default;
  ~FileBuffer();
  FileBuffer(FileBuffer&& other) noexcept;
  FileBuffer& operator=(FileBuffer&& other) noexcept;
  FileBuffer(const FileBuffer&) = delete;
  FileBuffer& operator=(const FileBuffer&) = delete;
  std::string_view view() const { return {data_, size_}; }

 private:
  friend Result<FileBuffer> ReadFileBuffer(const std::string& path, int threads);
  friend Result<FileBuffer> InflateGzipBuffer(std::string_view gz, const std::string& source);
  char* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;
};

// ReadFileBytes into a FileBuffer, with the same checks and messages; a
// large file is read by `threads` threads (byte ranges side by side).
Result<FileBuffer> ReadFileBuffer(const std::string& path, int threads = 1);

}  // namespace rebalance::data

#endif  // REBALANCE_DATA_FILE_READ_H_
