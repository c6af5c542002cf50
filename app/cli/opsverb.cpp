#include "opsverb.h"

#include "client/opsclient.h"
#include "commandregistry.h"
#include "common/clock.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace lmfront::cli {

using client::OpsClient;
using client::OpsReply;

QUrl opsUrl(const std::string &node) {
  QUrl url(QString::fromStdString(node), QUrl::StrictMode);
  if (url.scheme() == u"http"_qs) url.setScheme(u"ws"_qs);
  if (url.scheme() == u"https"_qs) url.setScheme(u"wss"_qs);
  if (url.path().isEmpty() || url.path() == u"/"_qs) url.setPath(u"/ops"_qs);
  return url;
}

QString cellText(const QJsonValue &v) {
  if (v.isString()) return v.toString();
  if (v.isDouble()) return QString::number(v.toDouble(), 'g', 6);
  if (v.isNull() || v.isUndefined()) return u"-"_qs;
  return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
}

void printTable(const QStringList &header, const std::vector<QStringList> &rows) {
  std::vector<qsizetype> width(static_cast<std::size_t>(header.size()));
  for (qsizetype c = 0; c < header.size(); ++c) width[static_cast<std::size_t>(c)] = header[c].size();
  for (const auto &r : rows)
    for (qsizetype c = 0; c < r.size() && c < header.size(); ++c)
      width[static_cast<std::size_t>(c)] = std::max(width[static_cast<std::size_t>(c)], r[c].size());
  auto line = [&](const QStringList &cells) {
    QString out;
    for (qsizetype c = 0; c < cells.size(); ++c)
      out += c + 1 == cells.size() ? cells[c] : cells[c].leftJustified(width[static_cast<std::size_t>(c)] + 2);
    std::fputs(qPrintable(out + u'\n'), stdout);
  };
  line(header);
  for (const auto &r : rows) line(r);
}

void printJson(const QJsonValue &v) {
  const QByteArray bytes = v.isArray() ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Indented)
                                       : QJsonDocument(v.toObject()).toJson(QJsonDocument::Indented);
  std::fwrite(bytes.constData(), 1, static_cast<std::size_t>(bytes.size()), stdout);
}

QJsonObject pick(const QJsonObject &from, std::initializer_list<const char16_t *> keys) {
  QJsonObject out;
  for (const char16_t *k : keys) out.insert(QString::fromUtf16(k), from.value(QString::fromUtf16(k)));
  return out;
}

int runOpsRequest(const std::string &verb, char *argv0, const config::ParsedFlags &args, const OpsRequest &request) {
  int qtArgc = 1;
  char *qtArgv[] = {argv0, nullptr};
  QCoreApplication app(qtArgc, qtArgv);
  OpsClient::Options options;
  options.url = opsUrl(args.value("node"));
  if (args.has("key"))
    options.apiKey = QString::fromStdString(args.value("key"));
  else if (const char *env = std::getenv("LMFRONT_API_KEY"); env && *env)
    options.apiKey = QString::fromLocal8Bit(env);
  options.caFile = QString::fromStdString(args.value("ca-file"));
  options.backoff.maxAttempts = 2;  // a one-shot command: fail soon when the node is not there
  OpsClient client(options, Clock::steady());

  bool done = false;
  auto finish = [&](int code) {
    if (done) return;
    done = true;
    client.close();
    QCoreApplication::exit(code);
  };
  auto refused = [&](const QString &message) {
    std::fprintf(stderr, "lmfront %s: %s\n", verb.c_str(), qPrintable(message));
    finish(1);
  };
  QObject::connect(&client, &OpsClient::stateChanged, &app, [&](OpsClient::State state, const QString &reason) {
    if (state == OpsClient::State::Failed && !done) refused(reason);
  });
  client.open();  // before the command: one issued while closed is refused, one while connecting waits
  if (done) return 1;
  if (request.command.isEmpty()) {
    QObject::connect(&client, &OpsClient::snapshotReceived, &app,
                     [&](const QString &topic, qint64, const QJsonObject &payload) {
                       if (topic != request.topic || done) return;
                       const int code = request.print(payload);
                       if (!request.follow || code != 0) finish(code);
                     });
    if (request.follow)
      QObject::connect(&client, &OpsClient::deltaReceived, &app,
                       [&](const QString &topic, qint64, const QJsonObject &delta) {
                         if (topic == request.topic && !done) request.follow(delta);
                       });
    QObject::connect(&client, &OpsClient::subscriptionFailed, &app,
                     [&](const QString &, const client::OpsError &error) { refused(error.message); });
    client.subscribe(request.topic, request.args);
  } else {
    client.command(
        request.command, request.args, &app,
        [&](const OpsReply &reply) {
          if (reply.ok()) return finish(request.print(reply.result));
          refused(reply.error.message);
        },
        request.timeout);
  }
  return QCoreApplication::exec();
}

int runOpsVerb(const std::string &verb, std::string_view synopsis, std::span<const config::FlagSpec> table, int argc,
               char **argv, const BuildOpsRequest &build) {
  const std::string usage = usageText(synopsis, table);
  auto parsed = config::parseFlags(table, argc, argv, 1);
  if (!parsed) return fail(verb, parsed.status().message() + "\n" + usage, 2);
  if (parsed->has("help")) {
    std::fputs(usage.c_str(), stdout);
    return 0;
  }
  if (Status st = parsed->require({"node"}); !st) return fail(verb, st.message(), 2);
  auto request = build(verb, *parsed);
  if (!request) return fail(verb, request.status().message(), 2);
  return runOpsRequest(verb, argv[0], *parsed, *request);
}

}  // namespace lmfront::cli
