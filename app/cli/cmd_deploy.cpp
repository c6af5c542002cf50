// Deployments against a node's ops API (docs/models.md, "Deploying"):
//   lmfront deploy MODEL VERSION [--strategy replace|canary|shadow] [--percent N] [--sticky]
//                  [--max-error-rate R] [--max-p99-ms MS] [--max-p99-ratio X] [--min-requests N]
//                  [--replicas N]
//   lmfront promote MODEL
//   lmfront rollback MODEL
//   lmfront deployments
// each with --node URL [--key KEY] [--comment TEXT]; --json prints the deployment object of
// docs/http-api.md, else one line. `deploy` returns once the version serves (or why it does not).
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
    config::switchFlag("json", "print the deployment as JSON (docs/http-api.md) instead of a line"),
    config::flag("strategy", "replace|canary|shadow", "deploy: how the version takes traffic").byDefault("replace"),
    config::flag("percent", "N", "deploy, canary or shadow: the share of the model's requests, (0, 100]"),
    config::switchFlag("sticky", "deploy, canary or shadow: choose by the request's hash key, not per request"),
    config::flag("max-error-rate", "R", "deploy, canary: roll back above this share of 5xx answers (0..1)"),
    config::flag("max-p99-ms", "MS", "deploy, canary: roll back above this p99 latency"),
    config::flag("max-p99-ratio", "X", "deploy, canary: roll back above this p99 over the stable version's"),
    config::flag("min-requests", "N", "deploy, canary: no verdict before this many answers").byDefault("100"),
    config::flag("replicas", "N", "deploy, in a cluster: on N members (least loaded with room); default every member"),
    config::flag("comment", "TEXT", "why (kept in the audit log)"),
    config::switchFlag("help", "print this help"),
};

QString versionText(const QJsonValue &v) { return v.isNull() ? u"-"_qs : u"v"_qs + QString::number(v.toInteger()); }

int printDeployment(const QJsonObject &d, bool json) {
  if (json) {
    printJson(d);
    return 0;
  }
  QString line = d[u"model"_qs].toString() + u": stable "_qs + versionText(d[u"stable_version"_qs]);
  if (!d[u"strategy"_qs].isNull())
    line += u", "_qs + d[u"strategy"_qs].toString() + u' ' + versionText(d[u"variant_version"_qs]) + u" at "_qs +
            QString::number(d[u"percent"_qs].toDouble()) + u'%';
  if (!d[u"previous_version"_qs].isNull()) line += u", previous "_qs + versionText(d[u"previous_version"_qs]);
  if (!d[u"loading"_qs].isNull()) line += u", loading "_qs + versionText(d[u"loading"_qs]);
  std::printf("%s\n", qPrintable(line));
  return 0;
}

Result<double> numberFlag(const config::ParsedFlags &args, const char *name) {
  bool ok = false;
  const double v = QString::fromStdString(args.value(name)).toDouble(&ok);
  if (!ok) return Status::invalidArgument("--" + std::string(name) + " must be a number, got " + args.value(name));
  return v;
}

Result<cli::OpsRequest> buildRequest(const std::string &verb, const config::ParsedFlags &args) {
  const auto &pos = args.positionals();
  const bool json = args.has("json");
  cli::OpsRequest r;
  r.command = QString::fromStdString(verb);
  if (verb == "deployments") {
    if (!pos.empty()) return Status::invalidArgument("unexpected argument " + pos[0]);
    r.print = [json](const QJsonValue &result) {
      const QJsonArray all = result[u"deployments"_qs].toArray();
      if (json) {
        printJson(all);
        return 0;
      }
      for (const auto &d : all) printDeployment(d.toObject(), false);
      return 0;
    };
    return r;
  }
  if (verb == "deploy") {
    if (pos.size() != 2) return Status::invalidArgument("expected: deploy MODEL VERSION");
    bool ok = false;
    const qint64 version = QString::fromStdString(pos[1]).toLongLong(&ok);
    if (!ok || version < 1) return Status::invalidArgument("VERSION must be a version number, got " + pos[1]);
    r.args = {{u"model"_qs, QString::fromStdString(pos[0])}, {u"version"_qs, version}};
    if (args.has("strategy")) r.args.insert(u"strategy"_qs, QString::fromStdString(args.value("strategy")));
    if (args.has("sticky")) r.args.insert(u"sticky"_qs, true);
    for (const auto &[flag, key] :
         {std::pair{"percent", u"percent"}, std::pair{"max-error-rate", u"max_error_rate"},
          std::pair{"max-p99-ms", u"max_p99_ms"}, std::pair{"max-p99-ratio", u"max_p99_ratio"},
          std::pair{"min-requests", u"min_requests"}, std::pair{"replicas", u"replicas"}}) {
      if (!args.has(flag)) continue;
      auto v = numberFlag(args, flag);
      if (!v) return v.status();
      r.args.insert(QString::fromUtf16(key), *v);
    }
    r.timeout = std::chrono::minutes(10);  // it answers once the version's file has loaded
  } else {
    if (pos.size() != 1) return Status::invalidArgument("expected: " + verb + " MODEL");
    r.args = {{u"model"_qs, QString::fromStdString(pos[0])}};
  }
  if (args.has("comment")) r.args.insert(u"comment"_qs, QString::fromStdString(args.value("comment")));
  r.print = [json](const QJsonValue &result) { return printDeployment(result.toObject(), json); };
  return r;
}

template <const char *Verb, const char *Synopsis>
int runVerb(int argc, char **argv) {
  return cli::runOpsVerb(Verb, Synopsis, kFlags, argc, argv, buildRequest);
}

constexpr char kDeploy[] = "deploy",
               kDeployUsage[] =
                   "deploy MODEL VERSION --node URL [--strategy replace|canary|shadow] [--percent N] "
                   "[--sticky] [--max-error-rate R] [--max-p99-ms MS] [--max-p99-ratio X] "
                   "[--min-requests N] [--replicas N] [--json]";
constexpr char kPromote[] = "promote", kPromoteUsage[] = "promote MODEL --node URL [--json]";
constexpr char kRollback[] = "rollback", kRollbackUsage[] = "rollback MODEL --node URL [--json]";
constexpr char kDeployments[] = "deployments", kDeploymentsUsage[] = "deployments --node URL [--json]";

const bool kRegistered =
    cli::registerCommand({"deploy", "deploy a published model version on a node", &runVerb<kDeploy, kDeployUsage>}) &&
    cli::registerCommand(
        {"promote", "make a model's canary or shadow its stable version", &runVerb<kPromote, kPromoteUsage>}) &&
    cli::registerCommand({"rollback", "undo a model's last deploy step (canary, loading deploy or replace)",
                          &runVerb<kRollback, kRollbackUsage>}) &&
    cli::registerCommand(
        {"deployments", "what a node serves: each model's deployment", &runVerb<kDeployments, kDeploymentsUsage>});

}  // namespace
