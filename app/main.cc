// rebalance: the command-line front door. Parses, calls the library, prints.
#include <malloc.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <new>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "command.h"
#include "rebalance/core/atomic_file.h"
#include "rebalance/core/options.h"
#include "rebalance/core/text.h"
#include "rebalance/core/version.h"

namespace rebalance::app {
namespace {
int g_exit_code = 0;
std::atomic<bool> g_interrupted{false};

void OnSigint(int) {
  if (g_interrupted.exchange(true)) {
    // Second Ctrl-C: leave now.
    core::RemovePendingTemporaryFiles();
    _exit(130);
  }
  const char msg[] =
      "\nrebalance: interrupted; finishing the current step and "
      "removing partial outputs (Ctrl-C again to quit now)\n";
  [[maybe_unused]] auto n = write(2, msg, sizeof(msg) - 1);
}
}  // namespace

Registrar::Registrar(int order, CommandAdder adder) {
  Commands().emplace_back(order, std::move(adder));
}

std::vector<std::pair<int, CommandAdder>>& Commands() {
  static std::vector<std::pair<int, CommandAdder>> commands;
  return commands;
}

CLI::Validator NonNegativeInteger() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        long long v = 0;
        const char* b = s.data();
        const auto [p, ec] = std::from_chars(b, b + s.size(), v);
        if (ec == std::errc::result_out_of_range)
          return fmt::format("'{}' is too large", core::PrintableText(s));
        if (ec != std::errc() || p != b + s.size() || v < 0 ||
            v > std::numeric_limits<int>::max()) {
          return fmt::format("expected a whole number >= 0, got '{}'", core::PrintableText(s));
        }
        return std::string();
      },
      "INT>=0", "NonNegativeInteger");
}

CLI::Validator FiniteNumber() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        double v = 0;
        const char* b = s.data();
        const auto [p, ec] = std::from_chars(b, b + s.size(), v);
        if (ec != std::errc() || p != b + s.size() || !std::isfinite(v)) {
          return fmt::format("expected a finite number, got '{}'", core::PrintableText(s));
        }
        return std::string();
      },
      "NUMBER", "FiniteNumber");
}

void SetExitCode(int code) { g_exit_code = code; }
int ExitCode() { return g_exit_code; }
bool Interrupted() { return g_interrupted.load(); }

void Finish(const Status& status, const std::map<std::string, std::string>& flags) {
  if (status.ok()) {
    SetExitCode(0);
    return;
  }
  const std::string message = core::RenderOptionNames(status, [&](const std::string& name) {
    if (name == "force") return std::string("--force");
    auto it = flags.find(name);
    return it == flags.end() ? name : it->second;
  });
  // Messages may quote input bytes: escape what would not print.
  std::fprintf(stderr, "rebalance: error: %s\n", core::PrintableText(message).c_str());
  switch (status.code()) {
    case StatusCode::kNotConverged:
      SetExitCode(3);
      break;
    case StatusCode::kCancelled:
      SetExitCode(130);
      break;
    default:
      SetExitCode(2);
      break;
  }
}

// Exit code for an internal error (sysexits.h EX_SOFTWARE): an exception
// that escaped a command. The command's partial outputs are removed.
constexpr int kInternalErrorExit = 70;

int InternalError(const std::string& what) {
  rebalance::core::RemovePendingTemporaryFiles();
  rebalance::core::RemoveFilesCreatedThisRun();
  std::string line = core::PrintableText(what);
  std::replace(line.begin(), line.end(), '\n', ' ');
  std::fprintf(stderr,
               "rebalance: internal error: %s (this is a bug in rebalance, not in your input; "
               "outputs written by this run were removed)\n",
               line.c_str());
  return kInternalErrorExit;
}

// CLI11 reports option errors with its own exit codes (104-109); the README
// promises 2 for every bad option. Help and --version keep CLI11's output.
int OptionError(CLI::App& root, const CLI::ParseError& e) {
  if (dynamic_cast<const CLI::CallForHelp*>(&e) != nullptr ||
      dynamic_cast<const CLI::CallForAllHelp*>(&e) != nullptr ||
      dynamic_cast<const CLI::CallForVersion*>(&e) != nullptr || e.get_exit_code() == 0) {
    return root.exit(e);
  }
  std::string what = core::PrintableText(e.what());
  std::replace(what.begin(), what.end(), '\n', ' ');
  std::fprintf(stderr, "rebalance: error: %s (see rebalance --help, or rebalance COMMAND --help)\n",
               what.c_str());
  return 2;
}

int Main(int argc, char** argv);

}  // namespace rebalance::app

// The front door: any exception that escapes a command is an internal error
// (exit 70, one line, no partial output), never std::terminate.
namespace {

// Every heap block on transparent huge pages, through glibc's own tunable
// glibc.malloc.hugetlb=1 (malloc advises its heap with MADV_HUGEPAGE; the
// kernel's huge pages are in madvise mode). First-touching a fresh 4 KB page
// costs about 3-4 us on the project's virtual machines (0.3-0.4 s for 100 MB,
// measured 2026-12-06), a 2 MB page far less (6 ms for 100 MB once the host
// has backed the memory). Tunables are read only from the environment when
// the program starts, so the command sets it and starts itself again, once
// (the variable is then present; if exec fails, it just carries on). Set
// GLIBC_TUNABLES yourself (even to an empty string) to keep your own.
// 1M-row estimate (8 runs each, interleaved): 2 threads 0.37-0.46 s -> 0.30-0.34
// s wall, system time 0.06-0.12 -> 0.03-0.07 s; 1 thread 0.60-0.68 -> 0.50-0.69 s.
void UseHugePagesForTheHeap(char** argv) {
  if (std::getenv("GLIBC_TUNABLES") != nullptr) return;
  if (::setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  ::unsetenv("GLIBC_TUNABLES");  // exec failed: carry on as we are
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rebalance::app;
  UseHugePagesForTheHeap(argv);
  try {
    return Main(argc, argv);
  } catch (const std::bad_alloc&) {
    return InternalError("out of memory (std::bad_alloc)");
  } catch (const std::exception& e) {
    return InternalError(e.what());
  } catch (...) {
    return InternalError("unknown exception");
  }
}

int rebalance::app::Main(int argc, char** argv) {
  using namespace rebalance::app;
  std::signal(SIGINT, OnSigint);
  // Estimation allocates and frees arrays of one value per observation many
  // times, and first-touching fresh pages is slow on virtual machines (about
  // 4 us per 4 KB page on the project's VMs: 0.23 s for 240 MB). glibc maps
  // blocks above 32 MB afresh each time; keep blocks up to 1 GB on the heap
  // (the CSV reader's file text among them, whose pages the estimation then
  // reuses) and keep up to 1 GB of freed heap for reuse. On the 10M-row panel
  // this cost 80 MB of peak memory (1.50 -> 1.58 GB) and saved 0.2-0.8 s.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  // One heap for every thread: memory freed by one thread (the CSV reader's
  // workers, a parallel region) is reused by the next arrays of any other,
  // instead of staying in a per-thread arena while the main thread faults in
  // fresh pages. The threads allocate little inside parallel regions, so the
  // shared lock costs nothing measurable. 1M-row estimate with 2 threads:
  // peak 133 -> 105 MiB (the same as with 1 thread).
  mallopt(M_ARENA_MAX, 1);
  CLI::App root{
      "rebalance: trade imbalances, overcapacity and trade-policy "
      "counterfactuals in general equilibrium.\n\n"
      "Examples (run by the test suite as printed, from the source folder with the data in "
      "../shared/data):\n"
      "  rebalance run                         # the default balanced-growth briefing\n"
      "  rebalance estimate ../shared/data/yotov2016_agtpa/agtpa_applications.csv.gz \\\n"
      "      -f 'trade ~ log(dist) + rta | exporter^year + importer^year + pair_id' --json "
      "rta.json\n"
      "  rebalance diagnose --wiod ../shared/data/wiod2013_bquast/wiot2011.csv.gz --out "
      "diag-2011/\n"};
  root.require_subcommand(0, 1);
  bool show_version = false;
  root.add_flag("--version", show_version, "Print the version and exit");
  auto& cmds = Commands();
  std::sort(cmds.begin(), cmds.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [order, add] : cmds) add(root);
  try {
    root.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return OptionError(root, e);
  }
  if (show_version) {
    fmt::print("rebalance {}\n", REBALANCE_VERSION);
    return 0;
  }
  if (root.get_subcommands().empty()) {
    fmt::print("{}", root.help());
    return 0;
  }
  if (Interrupted()) {
    rebalance::core::RemovePendingTemporaryFiles();
    // A command that finished its outputs before noticing the interrupt has
    // written complete results: report that rather than a failure.
    if (ExitCode() == 0) {
      std::fprintf(
          stderr,
          "rebalance: the interrupt arrived after the outputs were complete; they are kept\n");
      return 0;
    }
    return ExitCode();
  }
  return ExitCode();
}
