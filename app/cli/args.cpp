#include "args.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace lmfront::cli {

Args &Args::option(std::string name, bool repeatable) {
  m_specs[std::move(name)] = Spec{true, repeatable};
  return *this;
}

Args &Args::flag(std::string name) {
  m_specs[std::move(name)] = Spec{false, false};
  return *this;
}

Status Args::parse(int argc, char **argv, int first) {
  bool flagsEnded = false;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (flagsEnded || arg.size() < 3 || arg.compare(0, 2, "--") != 0) {
      if (arg == "--") {
        flagsEnded = true;
        continue;
      }
      m_positionals.push_back(std::move(arg));
      continue;
    }
    std::string name = arg.substr(2);
    std::string inlineValue;
    bool hasInline = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inlineValue = name.substr(eq + 1);
      name.resize(eq);
      hasInline = true;
    }
    auto spec = m_specs.find(name);
    if (spec == m_specs.end()) return Status::invalidArgument("unknown flag --" + name);
    if (!spec->second.takesValue) {
      if (hasInline) return Status::invalidArgument("flag --" + name + " takes no value");
      m_values[name].push_back("true");
      continue;
    }
    if (!hasInline) {
      if (i + 1 >= argc) return Status::invalidArgument("flag --" + name + " needs a value");
      inlineValue = argv[++i];
    }
    auto &slot = m_values[name];
    if (!slot.empty() && !spec->second.repeatable)
      return Status::invalidArgument("flag --" + name + " given more than once");
    slot.push_back(std::move(inlineValue));
  }
  return Status::ok();
}

bool Args::has(const std::string &name) const { return m_values.count(name) != 0; }

std::string Args::value(const std::string &name, const std::string &fallback) const {
  auto it = m_values.find(name);
  return it == m_values.end() ? fallback : it->second.back();
}

std::vector<std::string> Args::values(const std::string &name) const {
  auto it = m_values.find(name);
  return it == m_values.end() ? std::vector<std::string>{} : it->second;
}

Result<std::int64_t> Args::integer(const std::string &name, std::int64_t fallback) const {
  if (!has(name)) return fallback;
  const std::string text = value(name);
  char *end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE)
    return Status::invalidArgument("flag --" + name + ": '" + text + "' is not an integer");
  return static_cast<std::int64_t>(v);
}

Result<double> Args::number(const std::string &name, double fallback) const {
  if (!has(name)) return fallback;
  const std::string text = value(name);
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
    return Status::invalidArgument("flag --" + name + ": '" + text + "' is not a number");
  return v;
}

Result<std::uint64_t> parseByteSize(const std::string &text) {
  if (text.empty()) return Status::invalidArgument("empty size");
  char *end = nullptr;
  errno = 0;
  double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || errno == ERANGE || !std::isfinite(v) || v < 0)
    return Status::invalidArgument("'" + text + "' is not a size (examples: 2G, 512M, 100k)");
  std::string suffix(end);
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

Result<std::uint64_t> Args::byteSize(const std::string &name, std::uint64_t fallback) const {
  if (!has(name)) return fallback;
  auto r = parseByteSize(value(name));
  if (!r) return r.status().withContext("flag --" + name);
  return r;
}

Status Args::require(std::initializer_list<const char *> names) const {
  for (const char *n : names)
    if (!has(n)) return Status::invalidArgument(std::string("missing required flag --") + n);
  return Status::ok();
}

}  // namespace lmfront::cli
