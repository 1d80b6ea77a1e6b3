// The `rebalance` command's registry of subcommands. Each app/cmd_*.cc file
// registers itself with a static Registrar, so adding a command touches no
// other file. Commands only parse, call the library and print (STYLE.md).
#ifndef REBALANCE_APP_COMMAND_H_
#define REBALANCE_APP_COMMAND_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "rebalance/core/status.h"

namespace rebalance::app {

// Adds one subcommand to the root app. The subcommand's callback must call
// SetExitCode (via Finish) with its outcome.
using CommandAdder = std::function<void(CLI::App& root)>;

struct Registrar {
  Registrar(int order, CommandAdder adder);
};

std::vector<std::pair<int, CommandAdder>>& Commands();

// Records the process exit code.
void SetExitCode(int code);
int ExitCode();

// Prints `status` as "rebalance: error: ..." on stderr (if not ok) and sets
// the exit code: 0 ok, 3 not converged, 130 cancelled, 2 otherwise. The
// library options the message names (Status::options) are written as this
// command's flags: `flags` maps a library name to its flag ("theta_file" ->
// "--theta"); "force" is --force in every command; other names stay as the
// library wrote them (a scenario file's keys, say).
void Finish(const Status& status, const std::map<std::string, std::string>& flags = {});

// True once SIGINT was received; long loops poll it.
bool Interrupted();

// Option validators with short messages (CLI11's NonNegativeNumber prints its
// range up to DBL_MAX, a 309-digit number). A failed check is an option
// error: exit code 2, "rebalance: error: --threads: ...".
CLI::Validator NonNegativeInteger();  // a whole number >= 0
CLI::Validator FiniteNumber();        // a number, not nan or inf

}  // namespace rebalance::app

#endif  // REBALANCE_APP_COMMAND_H_
