// The verbs of `lmfront`. Each cmd_<verb>.cpp defines one and registers it at static
// initialisation:   static const bool kRegistered = registerCommand({"train", "…", &runTrain});
// A command returns the process exit code: 0 success, 1 failure of the work, 2 bad usage.
#pragma once

#include "config/flags.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::cli {

struct Command {
  std::string name;
  std::string summary;                // one line for `lmfront help`
  int (*run)(int argc, char **argv);  // argv[0] is the verb
};

bool registerCommand(Command command);
const std::vector<Command> &commands();

// A verb's --help: "usage: lmfront SYNOPSIS", the notes (lines, each ending in \n), then one line
// per flag of the verb's table (the same table its parser uses).
std::string usageText(std::string_view synopsis, std::span<const config::FlagSpec> flags, std::string_view notes = {});

// Prints "lmfront VERB: message" to stderr and returns the exit code (2 for usage errors).
int fail(const std::string &verb, const std::string &message, int exitCode = 1);

}  // namespace lmfront::cli
