// Args: the one flag parser of lmfront's command-line front ends.
//
// Accepts `--name value`, `--name=value`, boolean `--name`, repeated flags, and positionals;
// `--` ends flags. Every flag must be declared: an unknown flag, a missing value or a value that
// does not parse is an InvalidArgument naming the flag, so each CLI prints one clear line.
#pragma once

#include "common/status.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lmfront::cli {

class Args {
public:
  // Declares a flag that takes a value (repeatable if `repeatable`).
  Args &option(std::string name, bool repeatable = false);
  // Declares a boolean flag.
  Args &flag(std::string name);

  Status parse(int argc, char **argv, int first = 1);

  bool has(const std::string &name) const;
  std::string value(const std::string &name, const std::string &fallback = {}) const;
  std::vector<std::string> values(const std::string &name) const;
  const std::vector<std::string> &positionals() const { return m_positionals; }

  Result<std::int64_t> integer(const std::string &name, std::int64_t fallback) const;
  Result<double> number(const std::string &name, double fallback) const;
  // "2G", "512M", "100k", "12345" (bytes). Suffixes are powers of 1024.
  Result<std::uint64_t> byteSize(const std::string &name, std::uint64_t fallback) const;
  // Fails naming the first missing required flag.
  Status require(std::initializer_list<const char *> names) const;

private:
  struct Spec {
    bool takesValue = true;
    bool repeatable = false;
  };
  std::map<std::string, Spec> m_specs;
  std::map<std::string, std::vector<std::string>> m_values;
  std::vector<std::string> m_positionals;
};

Result<std::uint64_t> parseByteSize(const std::string &text);

}  // namespace lmfront::cli
