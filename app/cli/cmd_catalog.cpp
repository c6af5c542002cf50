// The catalog's verbs against a node's ops API (docs/models.md, "From the command line"):
//   lmfront models                                   the catalog: models with their versions
//   lmfront versions MODEL                           one model's versions
//   lmfront audit [--model M] [--since T] [--format json|csv]
//   lmfront approve|reject|publish|retire MODEL VERSION [--comment TEXT]
// each with --node URL [--key KEY]; --json prints the stable shapes of docs/models.md, else a table.
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
    config::switchFlag("json", "print JSON (the stable shapes of docs/models.md) instead of a table"),
    config::flag("comment", "TEXT", "approve, reject, publish, retire: why (kept in the audit log)"),
    config::flag("model", "M", "audit: one model's rows"),
    config::flag("since", "TIME", "audit: from (unix seconds or ISO 8601)").byDefault("the beginning"),
    config::flag("limit", "N", "audit: the newest N rows").byDefault("100000"),
    config::flag("format", "json|csv", "audit: the output format").byDefault("a table; json with --json"),
    config::switchFlag("help", "print this help"),
};

QJsonArray versionsJson(const QJsonArray &versions) {
  QJsonArray out;
  for (const auto &v : versions)
    out.append(pick(v.toObject(), {u"version", u"state", u"sha256", u"created", u"depends_on", u"bytes", u"order",
                                   u"vocabulary", u"dev_perplexity", u"submitter", u"artifact_sha256"}));
  return out;
}

QString dependsText(const QJsonArray &deps) {
  QStringList parts;
  for (const auto &d : deps)
    parts << d[u"model"_qs].toString() + u" v"_qs + QString::number(d[u"version"_qs].toInteger());
  return parts.isEmpty() ? u"-"_qs : parts.join(u", "_qs);
}

int printVersions(const QJsonArray &versions, bool json) {
  if (json) {
    printJson(versionsJson(versions));
    return 0;
  }
  std::vector<QStringList> rows;
  for (const auto &value : versions) {
    const QJsonObject v = value.toObject();
    rows.push_back({QString::number(v[u"version"_qs].toInteger()), v[u"state"_qs].toString(),
                    v[u"sha256"_qs].toString().left(12), cellText(v[u"bytes"_qs]), cellText(v[u"order"_qs]),
                    v[u"created"_qs].toString(), dependsText(v[u"depends_on"_qs].toArray())});
  }
  printTable({u"VERSION"_qs, u"STATE"_qs, u"SHA256"_qs, u"BYTES"_qs, u"ORDER"_qs, u"CREATED"_qs, u"DEPENDS ON"_qs},
             rows);
  return 0;
}

Result<cli::OpsRequest> buildRequest(const std::string &verb, const config::ParsedFlags &args) {
  const auto &pos = args.positionals();
  const bool json = args.has("json");
  cli::OpsRequest r;
  if (verb == "models") {
    if (!pos.empty()) return Status::invalidArgument("unexpected argument " + pos[0]);
    r.command = u"catalog"_qs;
    r.print = [json](const QJsonValue &result) {
      const QJsonArray models = result[u"models"_qs].toArray();
      if (json) {
        QJsonArray out;
        for (const auto &m : models) {
          QJsonObject o = pick(m.toObject(), {u"name", u"description", u"owner", u"license", u"created"});
          o.insert(u"versions"_qs, versionsJson(m[u"versions"_qs].toArray()));
          out.append(o);
        }
        printJson(out);
        return 0;
      }
      std::vector<QStringList> rows;
      for (const auto &value : models) {
        const QJsonObject m = value.toObject();
        QStringList deployed;
        const QJsonArray versions = m[u"versions"_qs].toArray();
        for (const auto &v : versions)
          if (v[u"state"_qs].toString() == u"deployed"_qs) deployed << QString::number(v[u"version"_qs].toInteger());
        const QJsonObject latest = versions.isEmpty() ? QJsonObject() : versions.last().toObject();
        rows.push_back({m[u"name"_qs].toString(), QString::number(versions.size()),
                        deployed.isEmpty() ? u"-"_qs : deployed.join(u", "_qs),
                        latest.isEmpty() ? u"-"_qs
                                         : u"v"_qs + QString::number(latest[u"version"_qs].toInteger()) + u' ' +
                                               latest[u"state"_qs].toString(),
                        m[u"description"_qs].toString()});
      }
      printTable({u"MODEL"_qs, u"VERSIONS"_qs, u"DEPLOYED"_qs, u"LATEST"_qs, u"DESCRIPTION"_qs}, rows);
      return 0;
    };
    return r;
  }
  if (verb == "versions") {
    if (pos.size() != 1) return Status::invalidArgument("expected: versions MODEL");
    r.command = u"versions"_qs;
    r.args = {{u"model"_qs, QString::fromStdString(pos[0])}};
    r.print = [json](const QJsonValue &result) { return printVersions(result[u"versions"_qs].toArray(), json); };
    return r;
  }
  if (verb == "audit") {
    if (!pos.empty()) return Status::invalidArgument("unexpected argument " + pos[0]);
    const std::string format = args.value("format", json ? "json" : "");
    if (!format.empty() && format != "json" && format != "csv")
      return Status::invalidArgument("--format must be json or csv");
    r.command = u"audit"_qs;
    for (const char *key : {"model", "since", "limit"})
      if (args.has(key)) r.args.insert(QString::fromLatin1(key), QString::fromStdString(args.value(key)));
    if (format == "csv") r.args.insert(u"format"_qs, u"csv"_qs);
    r.print = [format](const QJsonValue &result) {
      if (format == "csv") {
        std::fputs(result[u"csv"_qs].toString().toUtf8().constData(), stdout);
        return 0;
      }
      const QJsonArray entries = result[u"entries"_qs].toArray();
      if (format == "json") {
        printJson(entries);
        return 0;
      }
      std::vector<QStringList> rows;
      for (const auto &value : entries) {
        const QJsonObject e = value.toObject();
        rows.push_back({e[u"time"_qs].toString(), e[u"actor"_qs].toString(), e[u"action"_qs].toString(),
                        e[u"model"_qs].toString(), cellText(e[u"version"_qs]),
                        e[u"before"_qs].toString() + u" → "_qs + e[u"after"_qs].toString(), e[u"outcome"_qs].toString(),
                        e[u"reason"_qs].toString()});
      }
      printTable(
          {u"TIME"_qs, u"ACTOR"_qs, u"ACTION"_qs, u"MODEL"_qs, u"VERSION"_qs, u"STATE"_qs, u"OUTCOME"_qs, u"REASON"_qs},
          rows);
      return 0;
    };
    return r;
  }
  // approve, reject, publish, retire
  if (pos.size() != 2) return Status::invalidArgument("expected: " + verb + " MODEL VERSION");
  bool ok = false;
  const qint64 version = QString::fromStdString(pos[1]).toLongLong(&ok);
  if (!ok || version < 1) return Status::invalidArgument("VERSION must be a version number, got " + pos[1]);
  r.command = QString::fromStdString(verb);
  r.args = {{u"model"_qs, QString::fromStdString(pos[0])}, {u"version"_qs, version}};
  if (args.has("comment")) r.args.insert(u"comment"_qs, QString::fromStdString(args.value("comment")));
  r.print = [json](const QJsonValue &result) {
    const QJsonObject v = result.toObject();
    if (json)
      printJson(pick(v, {u"model", u"version", u"state", u"sha256", u"created", u"depends_on"}));
    else
      std::printf("%s v%lld is %s\n", qPrintable(v[u"model"_qs].toString()),
                  static_cast<long long>(v[u"version"_qs].toInteger()), qPrintable(v[u"state"_qs].toString()));
    return 0;
  };
  return r;
}

template <const char *Verb, const char *Synopsis>
int runVerb(int argc, char **argv) {
  return cli::runOpsVerb(Verb, Synopsis, kFlags, argc, argv, buildRequest);
}

constexpr char kModels[] = "models", kModelsUsage[] = "models --node URL [--json]";
constexpr char kVersions[] = "versions", kVersionsUsage[] = "versions MODEL --node URL [--json]";
constexpr char kAudit[] = "audit",
               kAuditUsage[] = "audit --node URL [--model M] [--since TIME] [--limit N] [--format json|csv] [--json]";
constexpr char kApprove[] = "approve", kApproveUsage[] = "approve MODEL VERSION --node URL [--comment TEXT]";
constexpr char kReject[] = "reject", kRejectUsage[] = "reject MODEL VERSION --node URL [--comment TEXT]";
constexpr char kPublish[] = "publish", kPublishUsage[] = "publish MODEL VERSION --node URL [--comment TEXT]";
constexpr char kRetire[] = "retire", kRetireUsage[] = "retire MODEL VERSION --node URL [--comment TEXT]";

const bool kRegistered =
    cli::registerCommand({"models", "a node's model catalog", &runVerb<kModels, kModelsUsage>}) &&
    cli::registerCommand(
        {"versions", "one model's versions in a node's catalog", &runVerb<kVersions, kVersionsUsage>}) &&
    cli::registerCommand({"audit", "a node's audit log of model actions", &runVerb<kAudit, kAuditUsage>}) &&
    cli::registerCommand({"approve", "approve a validated model version", &runVerb<kApprove, kApproveUsage>}) &&
    cli::registerCommand(
        {"reject", "reject a submitted or validated model version", &runVerb<kReject, kRejectUsage>}) &&
    cli::registerCommand({"publish", "publish a compiled model version", &runVerb<kPublish, kPublishUsage>}) &&
    cli::registerCommand({"retire", "retire a model version for good", &runVerb<kRetire, kRetireUsage>});

}  // namespace
