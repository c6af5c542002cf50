#include "commandregistry.h"

#include <algorithm>
#include <cstdio>

namespace lmfront::cli {

namespace {
std::vector<Command> &registry() {
  static std::vector<Command> list;
  return list;
}
}  // namespace

bool registerCommand(Command command) {
  auto &list = registry();
  list.push_back(std::move(command));
  std::sort(list.begin(), list.end(), [](const Command &a, const Command &b) { return a.name < b.name; });
  return true;
}

const std::vector<Command> &commands() { return registry(); }

std::string usageText(std::string_view synopsis, std::span<const config::FlagSpec> flags, std::string_view notes) {
  std::string out = "usage: lmfront ";
  out.append(synopsis).append("\n").append(notes).append("flags:\n").append(config::flagUsage(flags));
  return out;
}

int fail(const std::string &verb, const std::string &message, int exitCode) {
  std::fprintf(stderr, "lmfront %s: %s\n", verb.c_str(), message.c_str());
  return exitCode;
}

}  // namespace lmfront::cli
