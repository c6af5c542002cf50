#include "config/flags.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace lmfront::config {

namespace {
// Appends rather than operator+: GCC 12's -Wrestrict misfires on `"--" + std::string(...)`.
std::string dashed(std::string_view name) {
  std::string out = "--";
  out.append(name);
  return out;
}

// "flag --NAME WHAT" as InvalidArgument.
Status flagError(std::string_view name, std::string_view what) {
  std::string message = "flag ";
  message.append(dashed(name)).append(what);
  return Status::invalidArgument(std::move(message));
}

const FlagSpec *find(std::span<const FlagSpec> table, std::string_view name) {
  for (const FlagSpec &spec : table)
    if (spec.name == name) return &spec;
  return nullptr;
}
}  // namespace

Result<ParsedFlags> parseFlags(std::span<const FlagSpec> table, const std::vector<std::string> &args,
                               ParseOptions options) {
  ParsedFlags parsed;
  bool flagsEnded = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string &arg = args[i];
    const bool looksLikeFlag =
        options.positionals ? arg.size() > 2 && arg.compare(0, 2, "--") == 0 : arg.size() > 1 && arg[0] == '-';
    if (arg == "--" && !flagsEnded) {
      flagsEnded = true;
      continue;
    }
    if (flagsEnded || !looksLikeFlag) {
      if (!options.positionals) return Status::invalidArgument("unexpected argument '" + arg + "'");
      parsed.m_positionals.push_back(arg);
      continue;
    }
    std::string name = arg.substr(arg.compare(0, 2, "--") == 0 ? 2 : 1);
    std::string value;
    bool inlineValue = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      inlineValue = true;
    }
    const FlagSpec *spec = arg.compare(0, 2, "--") == 0 ? find(table, name) : nullptr;
    if (!spec) return Status::invalidArgument("unknown flag " + arg.substr(0, arg.find('=')));
    if (spec->isSwitch()) {
      if (inlineValue) return flagError(name, " takes no value");
    } else if (!inlineValue) {
      if (i + 1 >= args.size()) return flagError(name, " needs a value");
      value = args[++i];
    }
    auto &list = parsed.m_occurrences;
    const auto earlier = std::find_if(list.begin(), list.end(), [&](const auto &o) { return o.spec == spec; });
    if (earlier != list.end() && !spec->isSwitch()) {
      if (spec->repeat == Repeat::Once) return flagError(name, " given more than once");
      if (spec->repeat == Repeat::LastWins) list.erase(earlier);
    }
    list.push_back({spec, std::move(value)});
  }
  return parsed;
}

Result<ParsedFlags> parseFlags(std::span<const FlagSpec> table, int argc, char **argv, int first,
                               ParseOptions options) {
  std::vector<std::string> args;
  for (int i = first; i < argc; ++i) args.emplace_back(argv[i]);
  return parseFlags(table, args, options);
}

bool ParsedFlags::has(std::string_view name) const {
  return std::any_of(m_occurrences.begin(), m_occurrences.end(), [&](const auto &o) { return o.spec->name == name; });
}

std::string ParsedFlags::value(std::string_view name, const std::string &fallback) const {
  for (auto it = m_occurrences.rbegin(); it != m_occurrences.rend(); ++it)
    if (it->spec->name == name) return it->value;
  return fallback;
}

std::vector<std::string> ParsedFlags::values(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto &o : m_occurrences)
    if (o.spec->name == name) out.push_back(o.value);
  return out;
}

Result<std::int64_t> ParsedFlags::integer(std::string_view name, std::int64_t fallback) const {
  if (!has(name)) return fallback;
  const std::string text = value(name);
  char *end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE) return flagError(name, ": '" + text + "' is not an integer");
  return static_cast<std::int64_t>(v);
}

Result<double> ParsedFlags::number(std::string_view name, double fallback) const {
  if (!has(name)) return fallback;
  const std::string text = value(name);
  char *end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
    return flagError(name, ": '" + text + "' is not a number");
  return v;
}

Result<std::uint64_t> parseByteSize(const std::string &text) {
  if (text.empty()) return Status::invalidArgument("empty size");
  char *end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || errno == ERANGE || !std::isfinite(v) || v < 0)
    return Status::invalidArgument("'" + text + "' is not a size (examples: 2G, 512M, 100k)");
  const std::string suffix(end);
  double scale = 1;
  if (suffix.empty() || suffix == "B" || suffix == "b")
    scale = 1;
  else if (suffix == "k" || suffix == "K" || suffix == "KiB")
    scale = 1024.0;
  else if (suffix == "M" || suffix == "m" || suffix == "MiB")
    scale = 1024.0 * 1024;
  else if (suffix == "G" || suffix == "g" || suffix == "GiB")
    scale = 1024.0 * 1024 * 1024;
  else if (suffix == "T" || suffix == "t" || suffix == "TiB")
    scale = 1024.0 * 1024 * 1024 * 1024;
  else
    return Status::invalidArgument("'" + text + "': unknown size suffix '" + suffix + "' (use k, M, G, T)");
  return static_cast<std::uint64_t>(v * scale);
}

Result<std::uint64_t> ParsedFlags::byteSize(std::string_view name, std::uint64_t fallback) const {
  if (!has(name)) return fallback;
  auto r = parseByteSize(value(name));
  if (!r) return flagError(name, ": " + r.status().message());
  return r;
}

Status ParsedFlags::require(std::initializer_list<std::string_view> names) const {
  for (std::string_view n : names)
    if (!has(n)) return Status::invalidArgument("missing required flag " + dashed(n));
  return Status::ok();
}

std::string flagSynopsis(const FlagSpec &spec) {
  std::string out = dashed(spec.name);
  if (!spec.isSwitch()) out.append(" ").append(spec.valueName);
  return out;
}

std::string flagUsage(std::span<const FlagSpec> table) {
  std::size_t width = 0;
  for (const FlagSpec &spec : table) width = std::max(width, flagSynopsis(spec).size());
  std::string out;
  for (const FlagSpec &spec : table) {
    std::string line = "  ";
    line.append(flagSynopsis(spec));
    line.append(width + 5 - line.size(), ' ');
    line.append(spec.help);
    if (!spec.defaultText.empty()) line.append(" (default ").append(spec.defaultText).append(")");
    if (spec.repeat == Repeat::Collect) line.append("; repeatable");
    out.append(line).append("\n");
  }
  return out;
}

}  // namespace lmfront::config
