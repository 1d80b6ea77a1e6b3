// Helpers shared by the fuzz targets: a per-process scratch directory for
// the readers that take a path, and the invariant check that aborts (so
// libFuzzer records a crash) when a property fails.
#ifndef REBALANCE_FUZZ_FUZZ_UTIL_H_
#define REBALANCE_FUZZ_FUZZ_UTIL_H_

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "rebalance/core/status.h"

namespace rebalance::fuzz {

// Aborts with a message when `cond` is false (a fuzzer "crash").
inline void Check(bool cond, const char* what) {
  if (!cond) {
    std::fprintf(stderr, "fuzz invariant failed: %s\n", what);
    std::abort();
  }
}

// Every error must say something.
inline void CheckError(const Status& status) {
  Check(!status.ok(), "error path with an ok status");
  Check(!status.message().empty(), "error with an empty message");
}

// A scratch directory private to this process (under $TMPDIR), removed at a
// normal exit. The path is never destroyed: a static path object would be
// destroyed before the atexit handler registered while building it runs, and
// the handler would remove "" instead. A crash or timeout ends the process
// with _Exit and leaves the directory; scripts/fuzz.sh points TMPDIR at a
// directory of its own and removes that.
inline const std::filesystem::path& ScratchDir() {
  static const std::filesystem::path* const dir = [] {
    auto* d = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                        ("rebalance-fuzz-" + std::to_string(getpid())));
    std::filesystem::create_directories(*d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(*dir, ec);
    });
    return d;
  }();
  return *dir;
}

inline std::string WriteScratch(const std::string& name, std::string_view data) {
  const std::string path = (ScratchDir() / name).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  return path;
}

}  // namespace rebalance::fuzz

#endif  // REBALANCE_FUZZ_FUZZ_UTIL_H_
