// Atomic file output: write to a temporary file beside the target, then
// rename over it, so an interrupted run never leaves a half-written result.
// Temporary files are registered so that a SIGINT handler can remove them.
#ifndef REBALANCE_CORE_ATOMIC_FILE_H_
#define REBALANCE_CORE_ATOMIC_FILE_H_

#include <string>
#include <string_view>
#include <vector>

#include "rebalance/core/status.h"

namespace rebalance::core {

// Writes `content` to `path` atomically. If `path` exists and `force` is
// false, fails with a message that suggests --force.
Status WriteFileAtomic(const std::string& path, std::string_view content, bool force);

// Checks an output file before any work is done: its folder exists, is a
// folder and is writable; `path` is not a folder; and it does not exist
// unless `force` is true.
Status CheckWritable(const std::string& path, bool force);

// Checks an output folder before any work is done: it is a writable folder,
// or it does not exist and its nearest existing parent is a writable folder
// (EnsureDirectory can create it).
Status CheckOutputDirectory(const std::string& path);

// CheckOutputDirectory(dir), then CheckWritable for each of `files` in it
// (when the folder exists already).
Status CheckOutputFiles(const std::string& dir, const std::vector<std::string>& files, bool force);

// Creates a directory (and parents) if missing.
Status EnsureDirectory(const std::string& path);

// Removes every temporary file still being written (async-signal-safe: the
// SIGINT handler calls it).
void RemovePendingTemporaryFiles();

// Removes the files this process created with WriteFileAtomic (files it
// replaced with --force are not restored). The front doors call it when an
// internal error stops a command half-way, so that no partial set of outputs
// is left. Not async-signal-safe.
void RemoveFilesCreatedThisRun();

}  // namespace rebalance::core

#endif  // REBALANCE_CORE_ATOMIC_FILE_H_
