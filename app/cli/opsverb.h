// What the CLI's node verbs share (`alerts`, `models`, `versions`, `audit`, `approve`, ...): the
// ops URL of a node given as http(s)://HOST:PORT, one request over the ops API through
// client::OpsClient (the console's client) — a command, or a topic's snapshot — and printing as
// JSON or as an aligned table. The flags `--node URL`, `--key KEY` (or $LMFRONT_API_KEY) and
// `--ca-file FILE` are read from the verb's parsed flags.
// Exit codes: what `print` returns on success; 1 when the node refuses or cannot be reached.
#pragma once

#include "common/status.h"
#include "config/flags.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>
#include <QUrl>
#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::cli {

// The flags every node verb's table starts with (runOpsRequest reads them).
inline constexpr config::FlagSpec kNodeFlag =
    config::flag("node", "URL", "the node: http://HOST:PORT (its ops API is ws://HOST:PORT/ops); required");
inline constexpr config::FlagSpec kKeyFlag =
    config::flag("key", "KEY", "the API key (none: a keyless loopback node)").byDefault("$LMFRONT_API_KEY");
inline constexpr config::FlagSpec kCaFileFlag =
    config::flag("ca-file", "FILE", "https/wss: PEM certificates to trust besides the system's");

struct OpsRequest {
  QString command;  // the ops command to run, or empty: the snapshot of `topic`
  QString topic;
  QJsonObject args;  // the command's arguments or the subscription's options
  std::function<int(const QJsonValue &)> print;
  // Set (topics only): after the snapshot is printed the verb keeps following the topic, handing
  // each delta here, until interrupted.
  std::function<void(const QJsonObject &delta)> follow;
  std::optional<std::chrono::milliseconds> timeout = std::nullopt;  // the command's; none: the client's default (10 s)
};

// Connects to --node and runs `request`; `verb` names the command in error messages.
int runOpsRequest(const std::string &verb, char *argv0, const config::ParsedFlags &flags, const OpsRequest &request);

// A verb's request from its parsed flags (positional arguments included).
using BuildOpsRequest = std::function<Result<OpsRequest>(const std::string &verb, const config::ParsedFlags &flags)>;
// The whole of a node verb: parses argv against `table` (the usage on --help; exit 2 on a bad
// flag, a missing --node or a request that cannot be built), then runs the request.
int runOpsVerb(const std::string &verb, std::string_view synopsis, std::span<const config::FlagSpec> table, int argc,
               char **argv, const BuildOpsRequest &build);

QUrl opsUrl(const std::string &node);  // http → ws, https → wss, path /ops
void printJson(const QJsonValue &value);
void printTable(const QStringList &header, const std::vector<QStringList> &rows);
QString cellText(const QJsonValue &value);  // a table cell: strings as they are, "-" for null
// The named keys of `from` (null where missing), in a new object.
QJsonObject pick(const QJsonObject &from, std::initializer_list<const char16_t *> keys);

}  // namespace lmfront::cli
