// The model platform's verbs against a node (docs/models.md, "From the command line"):
//   lmfront submit BUNDLE                         upload a bundle (directory or .tar.gz), resumably
//   lmfront validate MODEL VERSION [--comment T]  a validation job
//   lmfront compile MODEL VERSION --node URL      a compile job (without --node: the local engine verb)
//   lmfront mix NEW --from M:V --from M:V (--tune DEV | --weights W,...) --node URL
//                                                 a mix job (without --node: the local engine verb)
//   lmfront gc                                    remove the artifacts nothing needs any more (admin)
//   lmfront jobs [--watch]                        the node's jobs (--watch: then every change)
// each with --node URL [--key KEY] [--json]. Exit 0 on success, 1 when the node refuses (the reason
// on stderr) or cannot be reached, 2 for usage.
#include "client/submissionclient.h"
#include "commandregistry.h"
#include "opsverb.h"
#include "platformverbs.h"
#include "registry/bundlepacker.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <cstdio>
#include <cstdlib>

namespace {

using namespace lmfront;
using namespace lmfront::cli;

constexpr config::FlagSpec kFlags[] = {
    cli::kNodeFlag,
    cli::kKeyFlag,
    cli::kCaFileFlag,
    config::switchFlag("json", "print JSON (the stable shapes of docs/models.md) instead of text"),
    config::flag("comment", "TEXT", "validate, compile: why (kept in the audit log)"),
    config::switchFlag("watch", "jobs: keep printing every change of a job until interrupted"),
    config::flag("from", "MODEL:VERSION", "mix: a published version to mix; at least two").repeatable(),
    config::flag("tune", "DEV", "mix: tune the weights by EM on this held-out text (one sentence per line)"),
    config::flag("weights", "W1,W2,...", "mix: fixed weights, one per --from, instead of --tune"),
    config::switchFlag("help", "print this help"),
};

QString jobLine(const QJsonObject &j) {
  return QStringLiteral("#%1 %2 %3 v%4: %5 %6%%7")
      .arg(j[u"id"_qs].toInteger())
      .arg(j[u"kind"_qs].toString(), j[u"model"_qs].toString())
      .arg(j[u"version"_qs].toInteger())
      .arg(j[u"state"_qs].toString())
      .arg(qRound(j[u"progress"_qs].toDouble() * 100))
      .arg(j[u"error"_qs].isString() ? u" — "_qs + j[u"error"_qs].toString() : QString());
}

int printJob(const QJsonValue &result, bool json) {
  if (json)
    printJson(result.toObject());
  else
    std::printf("%s\n", qPrintable(jobLine(result.toObject())));
  return 0;
}

Result<OpsRequest> buildRequest(const std::string &verb, const config::ParsedFlags &args) {
  const auto &pos = args.positionals();
  const bool json = args.has("json");
  OpsRequest r;
  if (verb == "jobs") {
    if (!pos.empty()) return Status::invalidArgument("unexpected argument " + pos[0]);
    const auto printAll = [json](const QJsonValue &result) {
      const QJsonArray jobs = result[u"jobs"_qs].toArray();
      if (json) {
        printJson(jobs);
        return 0;
      }
      std::vector<QStringList> rows;
      for (const auto &value : jobs) {
        const QJsonObject j = value.toObject();
        rows.push_back({QString::number(j[u"id"_qs].toInteger()), j[u"kind"_qs].toString(), j[u"model"_qs].toString(),
                        cellText(j[u"version"_qs]), j[u"state"_qs].toString(),
                        QString::number(qRound(j[u"progress"_qs].toDouble() * 100)) + u'%', cellText(j[u"created"_qs]),
                        cellText(j[u"error"_qs])});
      }
      printTable(
          {u"ID"_qs, u"KIND"_qs, u"MODEL"_qs, u"VERSION"_qs, u"STATE"_qs, u"PROGRESS"_qs, u"CREATED"_qs, u"ERROR"_qs},
          rows);
      return 0;
    };
    if (args.has("watch")) {
      r.topic = u"jobs"_qs;
      r.print = [printAll](const QJsonValue &snapshot) {
        const int code = printAll(snapshot);
        std::fflush(stdout);
        return code;
      };
      r.follow = [json](const QJsonObject &delta) {
        const QJsonObject job = delta[u"job"_qs].toObject();
        if (json)
          std::printf("%s\n", QJsonDocument(job).toJson(QJsonDocument::Compact).constData());
        else
          std::printf("%s\n", qPrintable(jobLine(job)));
        std::fflush(stdout);
      };
      return r;
    }
    r.command = u"jobs"_qs;
    r.print = printAll;
    return r;
  }
  if (verb == "gc") {
    if (!pos.empty()) return Status::invalidArgument("unexpected argument " + pos[0]);
    r.command = u"gc"_qs;
    r.print = [json](const QJsonValue &result) {
      if (json)
        printJson(result.toObject());
      else
        std::printf("removed %lld artifacts, %lld bytes\n", static_cast<long long>(result[u"removed"_qs].toInteger()),
                    static_cast<long long>(result[u"bytes"_qs].toInteger()));
      return 0;
    };
    return r;
  }
  if (verb == "mix") {
    if (pos.size() != 1) return Status::invalidArgument("expected: mix NEW_MODEL --from MODEL:VERSION --from ...");
    const auto from = args.values("from");
    if (from.size() < 2) return Status::invalidArgument("at least two --from MODEL:VERSION are needed");
    if (args.has("tune") == args.has("weights")) return Status::invalidArgument("give --tune DEV or --weights");
    const QStringList weights = QString::fromStdString(args.value("weights")).split(u',', Qt::SkipEmptyParts);
    if (args.has("weights") && weights.size() != static_cast<qsizetype>(from.size()))
      return Status::invalidArgument("--weights: one weight per --from");
    QJsonArray sources;
    for (std::size_t i = 0; i < from.size(); ++i) {
      const QString spec = QString::fromStdString(from[i]);
      const qsizetype colon = spec.lastIndexOf(u':');
      bool ok = false;
      const qint64 version = colon > 0 ? spec.mid(colon + 1).toLongLong(&ok) : 0;
      if (!ok || version < 1) return Status::invalidArgument("--from: expected MODEL:VERSION, got " + from[i]);
      QJsonObject source{{u"model"_qs, spec.left(colon)}, {u"version"_qs, version}};
      if (args.has("weights")) {
        const double w = weights[static_cast<qsizetype>(i)].toDouble(&ok);
        if (!ok)
          return Status::invalidArgument("--weights: '" + weights[static_cast<qsizetype>(i)].toStdString() +
                                         "' is not a number");
        source.insert(u"weight"_qs, w);
      }
      sources.append(source);
    }
    r.command = u"mix"_qs;
    r.args = {{u"model"_qs, QString::fromStdString(pos[0])}, {u"sources"_qs, sources}};
    if (args.has("tune")) {
      QFile dev(QString::fromStdString(args.value("tune")));
      if (!dev.open(QIODevice::ReadOnly)) return Status::notFound("--tune: cannot read " + args.value("tune"));
      r.args.insert(u"dev_text"_qs, QString::fromUtf8(dev.readAll()));
    }
    r.print = [json](const QJsonValue &result) { return printJob(result, json); };
    return r;
  }
  // validate, compile
  if (pos.size() != 2) return Status::invalidArgument("expected: " + verb + " MODEL VERSION");
  bool ok = false;
  const qint64 version = QString::fromStdString(pos[1]).toLongLong(&ok);
  if (!ok || version < 1) return Status::invalidArgument("VERSION must be a version number, got " + pos[1]);
  r.command = QString::fromStdString(verb);
  r.args = {{u"model"_qs, QString::fromStdString(pos[0])}, {u"version"_qs, version}};
  if (args.has("comment")) r.args.insert(u"comment"_qs, QString::fromStdString(args.value("comment")));
  r.print = [json](const QJsonValue &result) { return printJob(result, json); };
  return r;
}

int runSubmit(const config::ParsedFlags &args, char *argv0) {
  const auto &pos = args.positionals();
  if (pos.size() != 1) return cli::fail("submit", "expected: submit BUNDLE (a directory or a .tar.gz)", 2);
  int qtArgc = 1;
  char *qtArgv[] = {argv0, nullptr};
  QCoreApplication app(qtArgc, qtArgv);
  QString archive = QString::fromStdString(pos[0]);
  QTemporaryDir packed;
  if (QFileInfo(archive).isDir()) {
    if (!packed.isValid()) return cli::fail("submit", "cannot create a temporary directory");
    const QString out = packed.filePath(u"bundle.tar.gz"_qs);
    if (Status st = registry::packBundle(archive, out); !st) return cli::fail("submit", st.message());
    archive = out;
  }
  client::SubmissionClient::Options options;
  options.node = QUrl(QString::fromStdString(args.value("node")), QUrl::StrictMode);
  if (args.has("key"))
    options.apiKey = QString::fromStdString(args.value("key"));
  else if (const char *env = std::getenv("LMFRONT_API_KEY"); env && *env)
    options.apiKey = QString::fromLocal8Bit(env);
  options.caFile = QString::fromStdString(args.value("ca-file"));
  client::SubmissionClient submission(options);
  const bool json = args.has("json");
  int code = 1;
  QObject::connect(&submission, &client::SubmissionClient::finished, &app, [&](const QJsonObject &result) {
    if (json)
      printJson(pick(result, {u"model", u"version", u"state"}));
    else
      std::printf("%s v%lld is %s (validation job #%lld)\n", qPrintable(result[u"model"_qs].toString()),
                  static_cast<long long>(result[u"version"_qs].toInteger()), qPrintable(result[u"state"_qs].toString()),
                  static_cast<long long>(result[u"job"_qs].toInteger()));
    code = 0;
    QCoreApplication::exit(0);
  });
  QObject::connect(&submission, &client::SubmissionClient::failed, &app, [&](const QString &message) {
    std::fprintf(stderr, "lmfront submit: %s\n", qPrintable(message));
    QCoreApplication::exit(1);
  });
  submission.submit(archive);
  QCoreApplication::exec();
  return code;
}

template <const char *Verb, const char *Synopsis>
int runVerb(int argc, char **argv) {
  const std::string verb = Verb;
  const std::string usage = cli::usageText(Synopsis, kFlags);
  auto parsed = config::parseFlags(kFlags, argc, argv, 1);
  if (!parsed) return cli::fail(verb, parsed.status().message() + "\n" + usage, 2);
  if (parsed->has("help")) {
    std::fputs(usage.c_str(), stdout);
    return 0;
  }
  if (Status st = parsed->require({"node"}); !st) return cli::fail(verb, st.message(), 2);
  if (verb == "submit") return runSubmit(*parsed, argv[0]);
  auto request = buildRequest(verb, *parsed);
  if (!request) return cli::fail(verb, request.status().message(), 2);
  return cli::runOpsRequest(verb, argv[0], *parsed, *request);
}

constexpr char kSubmit[] = "submit", kSubmitUsage[] = "submit BUNDLE --node URL [--key KEY] [--json]";
constexpr char kValidate[] = "validate", kValidateUsage[] = "validate MODEL VERSION --node URL [--comment TEXT]";
constexpr char kCompile[] = "compile", kCompileUsage[] = "compile MODEL VERSION --node URL [--comment TEXT]";
constexpr char kMix[] = "mix",
               kMixUsage[] =
                   "mix NEW_MODEL --from MODEL:VERSION --from MODEL:VERSION... (--tune DEV | --weights W1,W2,...) "
                   "--node URL";
constexpr char kGc[] = "gc", kGcUsage[] = "gc --node URL [--json]";
constexpr char kJobs[] = "jobs", kJobsUsage[] = "jobs --node URL [--watch] [--json]";

const bool kRegistered =
    cli::registerCommand({"submit", "upload a model bundle to a node's catalog", &runVerb<kSubmit, kSubmitUsage>}) &&
    cli::registerCommand(
        {"validate", "validate a submitted model version (a job)", &runVerb<kValidate, kValidateUsage>}) &&
    cli::registerCommand({"jobs", "a node's platform jobs", &runVerb<kJobs, kJobsUsage>}) &&
    cli::registerCommand({"gc", "remove artifacts no model version needs", &runVerb<kGc, kGcUsage>});

}  // namespace

namespace lmfront::cli {

bool hasNodeFlag(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--node" || arg.starts_with("--node=")) return true;
  }
  return false;
}

int runPlatformCompile(int argc, char **argv) { return runVerb<kCompile, kCompileUsage>(argc, argv); }
int runPlatformMix(int argc, char **argv) { return runVerb<kMix, kMixUsage>(argc, argv); }

}  // namespace lmfront::cli
