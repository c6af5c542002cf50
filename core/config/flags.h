// Flags: the one command-line flag library of lmfront's binaries (lmfrontd, lmfront-console and
// every `lmfront` verb). A binary declares its flags once, as a table of FlagSpec; the same table
// produces the parser and the usage text (and, for the node, is what tests compare with
// docs/configuration.md), so the three cannot drift apart.
//
// Grammar: `--name value`, `--name=value`, switches `--name` (no value), positionals, and `--`
// ends flags. Strict: an unknown flag, a switch given a value, a value flag without one, or a
// once-only flag given twice is InvalidArgument naming the flag ("unknown flag --listne",
// "flag --listen needs a value"), so each binary prints one line and exits 2. Conversions
// (integer(), number(), byteSize()) fail the same way, naming the flag.
// Plain C++ (no Qt). Tables are constexpr data; ParsedFlags is a value.
#pragma once

#include "common/status.h"

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::config {

enum class Repeat {
  Once,      // a second occurrence is an error
  LastWins,  // a later occurrence replaces an earlier one (lmfrontd's flags override each other)
  Collect,   // every occurrence counts (--model A --model B)
};

// Built with flag()/switchFlag() and the modifiers, so tables read as one line per flag:
//   flag("listen", "ADDR:PORT", "data-plane address").lastWins().overrides("listen").byDefault("127.0.0.1:8080")
struct FlagSpec {
  std::string_view name;       // without the dashes: "listen"
  std::string_view valueName;  // "ADDR:PORT"; empty for a switch (a flag without value)
  std::string_view help;       // one line for the usage text
  Repeat repeat = Repeat::Once;
  std::string_view configKey;    // the config file key(s) this flag overrides ("auth.require_keys"), if any
  std::string_view defaultText;  // the default as usage and docs show it ("127.0.0.1:8080"), if any

  bool isSwitch() const { return valueName.empty(); }
  constexpr FlagSpec lastWins() const { return with(&FlagSpec::repeat, Repeat::LastWins); }
  constexpr FlagSpec repeatable() const { return with(&FlagSpec::repeat, Repeat::Collect); }
  // Several keys are written "cache.redis, limits.redis".
  constexpr FlagSpec overrides(std::string_view key) const { return with(&FlagSpec::configKey, key); }
  constexpr FlagSpec byDefault(std::string_view text) const { return with(&FlagSpec::defaultText, text); }

private:
  template <typename T>
  constexpr FlagSpec with(T FlagSpec::*field, T value) const {
    FlagSpec copy = *this;
    copy.*field = value;
    return copy;
  }
};

// A flag that takes a value: --name VALUE or --name=VALUE.
constexpr FlagSpec flag(std::string_view name, std::string_view valueName, std::string_view help) {
  return FlagSpec{name, valueName, help, Repeat::Once, {}, {}};
}
// A flag without value.
constexpr FlagSpec switchFlag(std::string_view name, std::string_view help) {
  return FlagSpec{name, {}, help, Repeat::Once, {}, {}};
}

struct ParseOptions {
  // When false, any argument that is not a flag is "unexpected argument 'x'", and "-x" is an
  // unknown flag; when true, they are positionals (so "-" can name stdin or stdout).
  bool positionals = true;
};

class ParsedFlags {
public:
  struct Occurrence {
    const FlagSpec *spec;
    std::string value;  // empty for a switch
  };

  bool has(std::string_view name) const;
  // The last value given, or `fallback`.
  std::string value(std::string_view name, const std::string &fallback = {}) const;
  std::vector<std::string> values(std::string_view name) const;
  const std::vector<std::string> &positionals() const { return m_positionals; }
  // Every flag in command-line order (LastWins flags appear once, at their last place).
  const std::vector<Occurrence> &inOrder() const { return m_occurrences; }

  Result<std::int64_t> integer(std::string_view name, std::int64_t fallback) const;
  Result<double> number(std::string_view name, double fallback) const;
  // "2G", "512M", "100k", "12345" (bytes); suffixes are powers of 1024.
  Result<std::uint64_t> byteSize(std::string_view name, std::uint64_t fallback) const;
  // Fails naming the first missing flag: "missing required flag --text".
  Status require(std::initializer_list<std::string_view> names) const;

private:
  friend Result<ParsedFlags> parseFlags(std::span<const FlagSpec>, const std::vector<std::string> &, ParseOptions);
  std::vector<Occurrence> m_occurrences;
  std::vector<std::string> m_positionals;
};

Result<ParsedFlags> parseFlags(std::span<const FlagSpec> table, const std::vector<std::string> &args,
                               ParseOptions options = {});
// argv[first..argc).
Result<ParsedFlags> parseFlags(std::span<const FlagSpec> table, int argc, char **argv, int first = 1,
                               ParseOptions options = {});

// The flag lines of a usage text, one per flag, aligned:
//   "  --listen ADDR:PORT     data-plane address (default 127.0.0.1:8080)\n"
std::string flagUsage(std::span<const FlagSpec> table);
// "--listen ADDR:PORT", "--no-cache": how usage and docs spell a flag.
std::string flagSynopsis(const FlagSpec &spec);

Result<std::uint64_t> parseByteSize(const std::string &text);

}  // namespace lmfront::config
