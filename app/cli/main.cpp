// lmfront: the command-line front end. Dispatches to the registered verbs.
#include "buildinfo.h"
#include "commandregistry.h"

#include <cstdio>
#include <cstring>
#include <string>

using lmfront::cli::commands;

static void printUsage(FILE *out) {
  std::fprintf(out, "usage: lmfront <command> [flags]\n\ncommands:\n");
  for (const auto &c : commands()) std::fprintf(out, "  %-14s %s\n", c.name.c_str(), c.summary.c_str());
  std::fprintf(out, "\nRun 'lmfront <command> --help' for a command's flags.\n");
}

int main(int argc, char **argv) {
  if (argc < 2 || !std::strcmp(argv[1], "help") || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    printUsage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::fputs(lmfront::buildinfo::versionText("lmfront").c_str(), stdout);
    return 0;
  }
  for (const auto &c : commands())
    if (c.name == argv[1]) return c.run(argc - 1, argv + 1);
  std::fprintf(stderr, "lmfront: unknown command '%s'\n", argv[1]);
  printUsage(stderr);
  return 2;
}
