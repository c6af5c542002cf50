// `lmfront watch --url ws://HOST:PORT/ops [--topic T]... [--count N]`: follows a node's ops
// topics (docs/ops-protocol.md) through client::OpsClient and prints every snapshot and delta as
// one JSON line on stdout, in the protocol's own envelope; the connection's states go to stderr.
// It rides out restarts of the node like the console does (reconnects, fresh snapshots). Exit 0
// after --count messages (or never, until interrupted), 1 when the client fails (a refused key, a
// certificate that does not verify, the node closing for good) or a topic is refused, 2 for usage.
#include "client/opsclient.h"
#include "commandregistry.h"

#include <QCoreApplication>
#include <QJsonObject>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

using namespace lmfront;
using client::OpsClient;

constexpr config::FlagSpec kFlags[] = {
    config::flag("url", "URL", "the node's ops address, ws://HOST:PORT/ops or wss://HOST:PORT/ops; required"),
    config::flag("topic", "TOPIC", "a topic to follow; repeatable").repeatable().byDefault("node and metrics"),
    config::flag("api-key", "KEY", "the API key to authenticate with (none: a keyless loopback node)")
        .byDefault("$LMFRONT_API_KEY"),
    config::flag("ca-file", "FILE", "wss: PEM certificates to trust besides the system's"),
    config::flag("count", "N", "exit 0 after N messages").byDefault("0: run until interrupted"),
    config::switchFlag("help", "print this help"),
};

std::string usage() {
  return cli::usageText("watch --url ws://HOST:PORT/ops [--topic TOPIC]... [flags]", kFlags,
                        "Prints each snapshot and delta of the topics as one JSON line on stdout, and the\n"
                        "connection's state (connecting, live, stale, failed) with its reason on stderr.\n"
                        "Give the key through $LMFRONT_API_KEY to keep it out of the process list.\n");
}

int runWatch(int argc, char **argv) {
  auto parsed = config::parseFlags(kFlags, argc, argv, 1, {.positionals = false});
  if (!parsed) return cli::fail("watch", parsed.status().message() + "\n" + usage(), 2);
  const config::ParsedFlags &args = *parsed;
  if (args.has("help")) {
    std::fputs(usage().c_str(), stdout);
    return 0;
  }
  if (Status st = args.require({"url"}); !st) return cli::fail("watch", st.message(), 2);
  const auto count = args.integer("count", 0);
  if (!count) return cli::fail("watch", count.status().message(), 2);
  if (*count < 0) return cli::fail("watch", "flag --count must be 0 or more", 2);

  int qtArgc = 1;
  char *qtArgv[] = {argv[0], nullptr};
  QCoreApplication app(qtArgc, qtArgv);
  OpsClient::Options options;
  options.url = QUrl(QString::fromStdString(args.value("url")), QUrl::StrictMode);
  if (args.has("api-key"))
    options.apiKey = QString::fromStdString(args.value("api-key"));
  else if (const char *env = std::getenv("LMFRONT_API_KEY"); env && *env)
    options.apiKey = QString::fromLocal8Bit(env);
  options.caFile = QString::fromStdString(args.value("ca-file"));
  OpsClient client(options, Clock::steady());

  qint64 printed = 0;
  bool done = false;
  auto finish = [&](int code) {
    if (done) return;
    done = true;
    client.close();
    QCoreApplication::exit(code);
  };
  auto print = [&](const client::OpsMessage &m) {
    if (done) return;
    const QByteArray line = client::OpsCodec::encode(m) + '\n';
    std::fputs(line.constData(), stdout);
    std::fflush(stdout);
    if (*count > 0 && ++printed >= *count) finish(0);
  };
  QObject::connect(&client, &OpsClient::snapshotReceived, &app,
                   [&](const QString &topic, qint64 seq, const QJsonObject &payload) {
                     print(client::OpsMessage::snapshot(topic, seq, payload));
                   });
  QObject::connect(&client, &OpsClient::deltaReceived, &app,
                   [&](const QString &topic, qint64 seq, const QJsonObject &payload) {
                     print(client::OpsMessage::delta(topic, seq, payload));
                   });
  QObject::connect(&client, &OpsClient::stateChanged, &app, [&](OpsClient::State state, const QString &reason) {
    if (done) return;
    std::fprintf(stderr, "lmfront watch: %s: %s\n", qPrintable(OpsClient::stateName(state)), qPrintable(reason));
    if (state == OpsClient::State::Failed) finish(1);
  });
  QObject::connect(
      &client, &OpsClient::subscriptionFailed, &app, [&](const QString &topic, const client::OpsError &error) {
        if (done) return;
        std::fprintf(stderr, "lmfront watch: topic '%s' refused: %s\n", qPrintable(topic), qPrintable(error.message));
        finish(1);
      });

  std::vector<std::string> topics = args.values("topic");
  if (topics.empty()) topics = {"node", "metrics"};
  for (const std::string &topic : topics) client.subscribe(QString::fromStdString(topic));
  client.open();
  if (done) return 1;  // failed at once (a bad URL or CA file): exit() before exec() would be lost
  return QCoreApplication::exec();
}

const bool kRegistered =
    cli::registerCommand({"watch", "follow a node's ops topics (node, metrics) as JSON lines", &runWatch});

}  // namespace
