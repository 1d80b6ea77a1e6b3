#include "rebalance/core/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace rebalance::core {
namespace fs = std::filesystem;
namespace {
// Temporary files being written, in fixed slots so that the second-Ctrl-C
// handler can remove them with only async-signal-safe calls (atomic loads and
// unlink; no lock, no allocation: a handler that took a mutex or freed memory
// could deadlock against the thread it interrupted). A slot is 0 free,
// 1 being filled, 2 holding a path. A path longer than the slot, or more
// than kSlots files written at once, is not registered (it is still removed
// on every ordinary error path).
constexpr int kSlots = 64;
constexpr size_t kMaxPath = 4096;
struct Slot {
  std::atomic<int> state{0};
  char path[kMaxPath];
};
static_assert(std::atomic<int>::is_always_lock_free, "slots must be lock-free for the handler");
Slot g_slots[kSlots];

int RegisterPending(const std::string& tmp) {
  if (tmp.size() >= kMaxPath) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (g_slots[i].state.compare_exchange_strong(expected, 1)) {
      std::memcpy(g_slots[i].path, tmp.c_str(), tmp.size() + 1);
      g_slots[i].state.store(2, std::memory_order_release);
      return i;
    }
  }
  return -1;
}

void UnregisterPending(int slot) {
  if (slot >= 0) g_slots[slot].state.store(0, std::memory_order_release);
}
}  // namespace

namespace {
// Files WriteFileAtomic created (they did not exist before), for
// RemoveFilesCreatedThisRun.
std::mutex g_created_mutex;
std::vector<std::string> g_created;

Status CheckFolderWritable(const fs::path& dir, const std::string& what) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::FailedPrecondition(fmt::format("{}: '{}' is not a folder", what, dir.string()));
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return Status::FailedPrecondition(fmt::format("{}: cannot write into the folder '{}': {}", what,
                                                  dir.string(), std::strerror(errno)));
  }
  return Status::Ok();
}
}  // namespace

Status CheckWritable(const std::string& path, bool force) {
  std::error_code ec;
  const fs::path p(path);
  if (path.empty()) return Status::InvalidArgument("empty output path");
  const auto st = fs::status(p, ec);
  if (fs::is_directory(st)) {
    return Status::FailedPrecondition(
        fmt::format("output '{}' is a folder; give a file name", path));
  }
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  if (!fs::exists(dir, ec)) {
    return Status::FailedPrecondition(
        fmt::format("cannot write '{}': the folder '{}' does not exist", path, dir.string()));
  }
  RB_RETURN_IF_ERROR(CheckFolderWritable(dir, fmt::format("cannot write '{}'", path)));
  if (!force && fs::exists(st)) {
    return Status::FailedPrecondition(
               fmt::format("output '{}' already exists; pass force to overwrite it", path))
        .WithOptions({"force"});
  }
  if (fs::exists(st) && !fs::is_regular_file(st)) {
    return Status::FailedPrecondition(
        fmt::format("output '{}' exists and is not a regular file; not overwritten", path));
  }
  return Status::Ok();
}

Status CheckOutputDirectory(const std::string& path) {
  std::error_code ec;
  if (path.empty()) return Status::InvalidArgument("empty output folder");
  fs::path p = fs::absolute(fs::path(path), ec);
  if (ec) p = fs::path(path);
  const std::string what = fmt::format("output folder '{}'", path);
  if (fs::exists(p, ec)) return CheckFolderWritable(p, what);
  // The nearest existing parent must be a writable folder.
  for (fs::path up = p.parent_path(); !up.empty(); up = up.parent_path()) {
    if (fs::exists(up, ec)) return CheckFolderWritable(up, what + " cannot be created");
    if (up == up.parent_path()) break;
  }
  return Status::Ok();
}

Status CheckOutputFiles(const std::string& dir, const std::vector<std::string>& files, bool force) {
  RB_RETURN_IF_ERROR(CheckOutputDirectory(dir));
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::Ok();  // created later: nothing in it yet
  for (const auto& f : files)
    RB_RETURN_IF_ERROR(CheckWritable((fs::path(dir) / f).string(), force));
  return Status::Ok();
}

Status EnsureDirectory(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return Status::IoError(fmt::format("cannot create directory '{}': {}", path, ec.message()));
  }
  return Status::Ok();
}

namespace {
// Fault injection for the tests of the front doors' last-resort handlers:
// REBALANCE_FAULT_INJECT=throw_after_writes:N makes the write after the N-th
// successful one throw std::runtime_error (an "internal error" half-way
// through a command's outputs). Read once; unset in normal use.
int FaultAfterWrites() {
  static const int n = [] {
    const char* v = std::getenv("REBALANCE_FAULT_INJECT");
    constexpr std::string_view kKey = "throw_after_writes:";
    if (v == nullptr || std::string_view(v).rfind(kKey, 0) != 0) return -1;
    return std::atoi(v + kKey.size());
  }();
  return n;
}
std::atomic<int> g_writes{0};
}  // namespace

Status WriteFileAtomic(const std::string& path, std::string_view content, bool force) {
  if (const int n = FaultAfterWrites(); n >= 0 && g_writes.load() >= n) {
    throw std::runtime_error(
        fmt::format("fault injected before writing '{}' (REBALANCE_FAULT_INJECT)", path));
  }
  RB_RETURN_IF_ERROR(CheckWritable(path, force));
  std::error_code exists_ec;
  const bool existed = fs::exists(path, exists_ec);
  const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  const int slot = RegisterPending(tmp);
  auto unregister = [slot] { UnregisterPending(slot); };
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    unregister();
    return Status::IoError(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  }
  const size_t n = std::fwrite(content.data(), 1, content.size(), f);
  const bool flush_ok = std::fflush(f) == 0;
  const bool close_ok = std::fclose(f) == 0;
  if (n != content.size() || !flush_ok || !close_ok) {
    std::remove(tmp.c_str());
    unregister();
    return Status::IoError(fmt::format("short write to '{}'", path));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    unregister();
    return Status::IoError(fmt::format("cannot rename into '{}': {}", path, why));
  }
  unregister();
  if (!existed) {
    std::lock_guard<std::mutex> lock(g_created_mutex);
    g_created.push_back(path);
  }
  ++g_writes;
  return Status::Ok();
}

void RemoveFilesCreatedThisRun() {
  std::lock_guard<std::mutex> lock(g_created_mutex);
  for (const auto& path : g_created) std::remove(path.c_str());
  g_created.clear();
}

void RemovePendingTemporaryFiles() {
  // Async-signal-safe: called from the SIGINT handler.
  for (int i = 0; i < kSlots; ++i) {
    if (g_slots[i].state.load(std::memory_order_acquire) == 2) {
      ::unlink(g_slots[i].path);
    }
  }
}

}  // namespace rebalance::core
