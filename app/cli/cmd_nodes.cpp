// The cluster's verbs against a node's ops API (docs/cluster.md, "From the command line"):
//   lmfront nodes                 the members as this node sees them
//   lmfront drain|undrain NODE_ID drain or undrain a member (through etcd when it is another node)
// each with --node URL [--key KEY]; `nodes --json` prints [{"id","address","state","models","version"}].
// Exit 0 on success, 1 when the node refuses (the reason on stderr) or cannot be reached, 2 for usage.
#include "commandregistry.h"
#include "opsverb.h"

#include <QJsonArray>
#include <cstdio>

namespace {

using namespace lmfront;
using namespace lmfront::cli;

constexpr config::FlagSpec kFlags[] = {
    cli::kNodeFlag,
    cli::kKeyFlag,
    cli::kCaFileFlag,
    config::switchFlag("json", "print JSON (the shapes of docs/cluster.md) instead of a table"),
    config::switchFlag("help", "print this help"),
};

Result<cli::OpsRequest> buildRequest(const std::string &verb, const config::ParsedFlags &args) {
  const auto &pos = args.positionals();
  const bool json = args.has("json");
  cli::OpsRequest r;
  if (verb == "nodes") {
    if (!pos.empty()) return Status::invalidArgument("unexpected argument " + pos[0]);
    r.command = u"members"_qs;
    r.print = [json](const QJsonValue &result) {
      const QJsonArray members = result[u"members"_qs].toArray();
      const QString leader = result[u"leader"_qs].toString();
      if (json) {
        QJsonArray out;
        for (const auto &m : members)
          out.append(pick(m.toObject(), {u"id", u"address", u"state", u"models", u"version"}));
        printJson(out);
        return 0;
      }
      std::vector<QStringList> rows;
      for (const auto &value : members) {
        const QJsonObject m = value.toObject();
        QStringList models;
        for (const auto &name : m[u"models"_qs].toArray()) models << name.toString();
        const QString id = m[u"id"_qs].toString();
        rows.push_back({id, m[u"address"_qs].toString(), m[u"state"_qs].toString(),
                        id == leader ? u"yes"_qs : QString(), models.isEmpty() ? u"-"_qs : models.join(u", "_qs),
                        m[u"version"_qs].toString()});
      }
      printTable({u"ID"_qs, u"ADDRESS"_qs, u"STATE"_qs, u"LEADER"_qs, u"MODELS"_qs, u"VERSION"_qs}, rows);
      return 0;
    };
    return r;
  }
  // drain, undrain
  if (pos.size() != 1) return Status::invalidArgument("expected: " + verb + " NODE_ID");
  r.command = QString::fromStdString(verb);
  r.args = {{u"node"_qs, QString::fromStdString(pos[0])}};
  r.print = [json](const QJsonValue &result) {
    if (json)
      printJson(result);
    else
      std::printf("%s: %s\n", qPrintable(result[u"node"_qs].toString()),
                  result[u"draining"_qs].toBool() ? "draining" : "up");
    return 0;
  };
  return r;
}

template <const char *Verb, const char *Synopsis>
int runVerb(int argc, char **argv) {
  return cli::runOpsVerb(Verb, Synopsis, kFlags, argc, argv, buildRequest);
}

constexpr char kNodes[] = "nodes", kNodesUsage[] = "nodes --node URL [--json]";
constexpr char kDrain[] = "drain", kDrainUsage[] = "drain NODE_ID --node URL";
constexpr char kUndrain[] = "undrain", kUndrainUsage[] = "undrain NODE_ID --node URL";

const bool kRegistered =
    cli::registerCommand({"nodes", "the members of a node's cluster", &runVerb<kNodes, kNodesUsage>}) &&
    cli::registerCommand({"drain", "stop a cluster member taking new requests", &runVerb<kDrain, kDrainUsage>}) &&
    cli::registerCommand({"undrain", "let a drained member take requests again", &runVerb<kUndrain, kUndrainUsage>});

}  // namespace
