// Atomic file output: write to a temporary file beside the target, then
// rename over it, so an interrupted run never leaves a half-written result.
// Temporary files are registered so that a SIGINT handler can remove them.
#ifndef REBALANCE_CORE_ATOMIC_FILE_H_
#define REBALANCE_CORE_ATOMIC_FILE_H_

#include <string>
#include <string_view>

#include "rebalance/core/status.h"

namespace rebalance::core {

// Writes `content` to `path` atomically. If `path` exists and `force` is
// false, fails with a message that suggests --force.
Status WriteFileAtomic(const std::string& path, std::string_view content,
                       bool force);

// Fails if `path` exists and `force` is false (checked before long work).
Status CheckWritable(const std::string& path, bool force);

// Creates a directory (and parents) if missing.
Status EnsureDirectory(const std::string& path);

// Removes every temporary file still being written (async-signal-safe: the
// SIGINT handler calls it).
void RemovePendingTemporaryFiles();

}  // namespace rebalance::core

#endif  // REBALANCE_CORE_ATOMIC_FILE_H_
