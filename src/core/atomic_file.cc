#include "rebalance/core/atomic_file.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

namespace rebalance::core {
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

Status CheckWritable(const std::string& path, bool force) {
  std::error_code ec;
  if (!force && std::filesystem::exists(path, ec)) {
    return Status::FailedPrecondition(fmt::format(
        "output '{}' already exists; pass --force to overwrite it", path));
  }
  return Status::Ok();
}

Status EnsureDirectory(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) {
    return Status::IoError(
        fmt::format("cannot create directory '{}': {}", path, ec.message()));
  }
  return Status::Ok();
}

Status WriteFileAtomic(const std::string& path, std::string_view content,
                       bool force) {
  RB_RETURN_IF_ERROR(CheckWritable(path, force));
  const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
  const int slot = RegisterPending(tmp);
  auto unregister = [slot] { UnregisterPending(slot); };
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    unregister();
    return Status::IoError(
        fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
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
  return Status::Ok();
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
