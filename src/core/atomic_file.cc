#include "rebalance/core/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>

#include <fmt/format.h>

namespace rebalance::core {
namespace {
std::mutex& PendingMutex() {
  static std::mutex m;
  return m;
}
std::set<std::string>& Pending() {
  static std::set<std::string> s;
  return s;
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
  {
    std::lock_guard<std::mutex> lock(PendingMutex());
    Pending().insert(tmp);
  }
  auto unregister = [&] {
    std::lock_guard<std::mutex> lock(PendingMutex());
    Pending().erase(tmp);
  };
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
  // Called from a signal handler context by the front doors after setting a
  // flag; keep it simple: best effort removal.
  std::lock_guard<std::mutex> lock(PendingMutex());
  for (const auto& p : Pending()) std::remove(p.c_str());
  Pending().clear();
}

}  // namespace rebalance::core
