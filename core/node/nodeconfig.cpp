#include "node/nodeconfig.h"

#include "node/poolconfig.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QThread>

namespace lmfront::node {

namespace {
Status invalid(const QString &message) { return Status::invalidArgument(message.toStdString()); }

Status parseModelSpec(const QString &text, ModelSpec &spec) {
  const qsizetype eq = text.indexOf(QLatin1Char('='));
  if (eq <= 0 || eq == text.size() - 1)
    return invalid(QStringLiteral("--model: expected NAME=PATH, got '%1'").arg(text));
  spec.name = text.left(eq);
  spec.path = text.mid(eq + 1);
  static const QString allowed = QStringLiteral("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");
  for (QChar c : spec.name)
    if (!allowed.contains(c))
      return invalid(QStringLiteral("--model: name '%1' may use only letters, digits and - _ . :").arg(spec.name));
  return Status::ok();
}

Result<int> parseInt(const QString &flag, const QString &text, int min, int max) {
  bool ok = false;
  const int v = text.toInt(&ok);
  if (!ok || v < min || v > max)
    return invalid(
        QStringLiteral("%1: expected an integer from %2 to %3, got '%4'").arg(flag).arg(min).arg(max).arg(text));
  return v;
}
Status parseRedisAddress(const QString &text, GatewaySettings &gateway) {
  const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
  bool ok = false;
  const uint port = colon > 0 ? text.mid(colon + 1).toUInt(&ok) : 0;
  if (colon <= 0 || !ok || port == 0 || port > 65535)
    return invalid(QStringLiteral("redis: expected HOST:PORT, got '%1'").arg(text));
  gateway.redisHost = text.left(colon);
  gateway.redisPort = static_cast<quint16>(port);
  return Status::ok();
}

// Checks that `o` holds only `known` keys, naming the section and the stray key otherwise.
Status onlyKnownKeys(const QString &where, const QJsonObject &o, const QStringList &known) {
  for (auto it = o.begin(); it != o.end(); ++it)
    if (!known.contains(it.key()))
      return invalid(QStringLiteral("%1: unknown key '%2' (known: %3)").arg(where, it.key(), known.join(u", ")));
  return Status::ok();
}

Result<qint64> nonNegative(const QString &where, const QJsonValue &v) {
  const double d = v.toDouble(-1);
  if (!v.isDouble() || d < 0 || d > 1e12 || d != static_cast<double>(static_cast<qint64>(d)))
    return invalid(QStringLiteral("%1 must be a whole number ≥ 0").arg(where));
  return static_cast<qint64>(d);
}

Status loadLimits(const QString &where, const QJsonValue &v, RateLimits &limits) {
  if (!v.isObject()) return invalid(QStringLiteral("%1 must be an object").arg(where));
  const QJsonObject o = v.toObject();
  LMFRONT_RETURN_IF_ERROR(
      onlyKnownKeys(where, o, {QStringLiteral("requests_per_minute"), QStringLiteral("tokens_per_minute")}));
  if (o.contains(u"requests_per_minute")) {
    auto n = nonNegative(where + QStringLiteral(".requests_per_minute"), o[u"requests_per_minute"]);
    if (!n) return n.status();
    limits.requestsPerMinute = *n;
  }
  if (o.contains(u"tokens_per_minute")) {
    auto n = nonNegative(where + QStringLiteral(".tokens_per_minute"), o[u"tokens_per_minute"]);
    if (!n) return n.status();
    limits.tokensPerMinute = *n;
  }
  return Status::ok();
}

Result<QStringList> stringList(const QString &where, const QJsonValue &v) {
  if (!v.isArray()) return invalid(QStringLiteral("%1 must be an array of strings").arg(where));
  QStringList out;
  for (const QJsonValue &item : v.toArray()) {
    if (!item.isString()) return invalid(QStringLiteral("%1 must be an array of strings").arg(where));
    out << item.toString();
  }
  return out;
}

Status loadGatewaySection(const QString &path, const QJsonObject &o, GatewaySettings &g) {
  const QString file = QStringLiteral("config %1: ").arg(path);
  if (o.contains(u"auth")) {
    if (!o[u"auth"].isObject()) return invalid(file + QStringLiteral("'auth' must be an object"));
    const QJsonObject a = o[u"auth"].toObject();
    LMFRONT_RETURN_IF_ERROR(onlyKnownKeys(
        file + QStringLiteral("auth"), a,
        {QStringLiteral("require_keys"), QStringLiteral("allowed_hosts"), QStringLiteral("trusted_origins")}));
    if (a.contains(u"require_keys")) {
      if (!a[u"require_keys"].isBool())
        return invalid(file + QStringLiteral("auth.require_keys must be true or false"));
      g.requireKeys = a[u"require_keys"].toBool();
    }
    if (a.contains(u"allowed_hosts")) {
      auto list = stringList(file + QStringLiteral("auth.allowed_hosts"), a[u"allowed_hosts"]);
      if (!list) return list.status();
      g.allowedHosts = *list;
    }
    if (a.contains(u"trusted_origins")) {
      auto list = stringList(file + QStringLiteral("auth.trusted_origins"), a[u"trusted_origins"]);
      if (!list) return list.status();
      g.trustedOrigins = *list;
    }
  }
  if (o.contains(u"cache")) {
    if (!o[u"cache"].isObject()) return invalid(file + QStringLiteral("'cache' must be an object"));
    const QJsonObject c = o[u"cache"].toObject();
    LMFRONT_RETURN_IF_ERROR(onlyKnownKeys(
        file + QStringLiteral("cache"), c,
        {QStringLiteral("enabled"), QStringLiteral("max_bytes"), QStringLiteral("ttl_s"), QStringLiteral("redis")}));
    if (c.contains(u"enabled")) {
      if (!c[u"enabled"].isBool()) return invalid(file + QStringLiteral("cache.enabled must be true or false"));
      g.cacheEnabled = c[u"enabled"].toBool();
    }
    if (c.contains(u"max_bytes")) {
      auto n = nonNegative(file + QStringLiteral("cache.max_bytes"), c[u"max_bytes"]);
      if (!n) return n.status();
      g.cacheBytes = *n;
    }
    if (c.contains(u"ttl_s")) {
      auto n = nonNegative(file + QStringLiteral("cache.ttl_s"), c[u"ttl_s"]);
      if (!n) return n.status();
      if (*n < 1 || *n > 7 * 24 * 3600) return invalid(file + QStringLiteral("cache.ttl_s must be 1..604800"));
      g.cacheTtlSeconds = static_cast<int>(*n);
    }
    if (c.contains(u"redis")) {
      if (!c[u"redis"].isString()) return invalid(file + QStringLiteral("cache.redis must be \"HOST:PORT\""));
      LMFRONT_RETURN_IF_ERROR(parseRedisAddress(c[u"redis"].toString(), g).withContext(file.toStdString()));
    }
  }
  if (o.contains(u"limits")) {
    if (!o[u"limits"].isObject()) return invalid(file + QStringLiteral("'limits' must be an object"));
    const QJsonObject l = o[u"limits"].toObject();
    LMFRONT_RETURN_IF_ERROR(
        onlyKnownKeys(file + QStringLiteral("limits"), l,
                      {QStringLiteral("per_key"), QStringLiteral("per_model"), QStringLiteral("redis")}));
    if (l.contains(u"per_key"))
      LMFRONT_RETURN_IF_ERROR(loadLimits(file + QStringLiteral("limits.per_key"), l[u"per_key"], g.perKey));
    if (l.contains(u"per_model"))
      LMFRONT_RETURN_IF_ERROR(loadLimits(file + QStringLiteral("limits.per_model"), l[u"per_model"], g.perModel));
    if (l.contains(u"redis")) {
      if (!l[u"redis"].isString()) return invalid(file + QStringLiteral("limits.redis must be \"HOST:PORT\""));
      LMFRONT_RETURN_IF_ERROR(parseRedisAddress(l[u"redis"].toString(), g).withContext(file.toStdString()));
    }
  }
  return Status::ok();
}

}  // namespace

QString defaultDataDir() {
  // GenericDataLocation is $XDG_DATA_HOME (~/.local/share): the app name is ours to add.
  return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/lmfront");
}

Status parseListenAddress(const QString &text, QString &host, quint16 &port) {
  const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
  if (colon < 0) return invalid(QStringLiteral("--listen: expected ADDR:PORT, got '%1'").arg(text));
  QString h = text.left(colon);
  if (h.startsWith(QLatin1Char('[')) && h.endsWith(QLatin1Char(']'))) h = h.mid(1, h.size() - 2);
  if (h.isEmpty()) h = QStringLiteral("127.0.0.1");
  if (h == QLatin1String("localhost")) h = QStringLiteral("127.0.0.1");
  bool ok = false;
  const uint p = text.mid(colon + 1).toUInt(&ok);
  if (!ok || p > 65535)
    return invalid(QStringLiteral("--listen: port must be 0-65535, got '%1'").arg(text.mid(colon + 1)));
  host = h;
  port = static_cast<quint16>(p);
  return Status::ok();
}

Status loadConfigFile(const QString &path, NodeConfig &config) {
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly))
    return Status::ioError(QStringLiteral("config %1: %2").arg(path, file.errorString()).toStdString());
  QJsonParseError error{};
  const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
  if (error.error != QJsonParseError::NoError)
    return invalid(QStringLiteral("config %1: offset %2: %3").arg(path).arg(error.offset).arg(error.errorString()));
  if (!doc.isObject()) return invalid(QStringLiteral("config %1: top level must be a JSON object").arg(path));
  const QJsonObject o = doc.object();
  static const QStringList known = {QStringLiteral("listen"),  QStringLiteral("data_dir"),
                                    QStringLiteral("workers"), QStringLiteral("node_id"),
                                    QStringLiteral("models"),  QStringLiteral("drain_timeout_ms"),
                                    QStringLiteral("auth"),    QStringLiteral("cache"),
                                    QStringLiteral("limits"),  QStringLiteral("pools")};
  for (auto it = o.begin(); it != o.end(); ++it)
    if (!known.contains(it.key()))
      return invalid(QStringLiteral("config %1: unknown key '%2' (known: %3)").arg(path, it.key(), known.join(u", ")));
  auto wrongType = [&](const char *key, const char *type) {
    return invalid(QStringLiteral("config %1: '%2' must be %3").arg(path, QLatin1String(key), QLatin1String(type)));
  };
  if (o.contains(u"listen")) {
    if (!o[u"listen"].isString()) return wrongType("listen", "a string like \"127.0.0.1:8080\"");
    LMFRONT_RETURN_IF_ERROR(parseListenAddress(o[u"listen"].toString(), config.listenHost, config.listenPort)
                                .withContext(QStringLiteral("config %1").arg(path).toStdString()));
  }
  if (o.contains(u"data_dir")) {
    if (!o[u"data_dir"].isString()) return wrongType("data_dir", "a string");
    config.dataDir = o[u"data_dir"].toString();
  }
  if (o.contains(u"node_id")) {
    if (!o[u"node_id"].isString()) return wrongType("node_id", "a string");
    config.nodeId = o[u"node_id"].toString();
  }
  if (o.contains(u"workers")) {
    const double w = o[u"workers"].toDouble(-1);
    if (!o[u"workers"].isDouble() || w < 0 || w > 256 || w != static_cast<int>(w))
      return wrongType("workers", "an integer from 0 to 256");
    config.workers = static_cast<int>(w);
  }
  if (o.contains(u"drain_timeout_ms")) {
    const double w = o[u"drain_timeout_ms"].toDouble(-1);
    if (!o[u"drain_timeout_ms"].isDouble() || w < 0 || w > 3'600'000 || w != static_cast<int>(w))
      return wrongType("drain_timeout_ms", "an integer from 0 to 3600000");
    config.drainTimeoutMs = static_cast<int>(w);
  }
  LMFRONT_RETURN_IF_ERROR(loadGatewaySection(path, o, config.gateway));
  if (o.contains(u"pools")) {
    if (!o[u"pools"].isObject()) return wrongType("pools", "an object of name: pool");
    auto pools = parsePools(o[u"pools"].toObject());
    if (!pools) return pools.status().withContext(QStringLiteral("config %1").arg(path).toStdString());
    config.pools = o[u"pools"].toObject();
  }
  if (o.contains(u"models")) {
    if (!o[u"models"].isObject()) return wrongType("models", "an object of name: path");
    const QJsonObject models = o[u"models"].toObject();
    for (auto it = models.begin(); it != models.end(); ++it) {
      if (!it->isString()) return wrongType("models", "an object of name: path");
      ModelSpec spec;
      LMFRONT_RETURN_IF_ERROR(parseModelSpec(it.key() + QLatin1Char('=') + it->toString(), spec)
                                  .withContext(QStringLiteral("config %1").arg(path).toStdString()));
      config.models.push_back(spec);
    }
  }
  return Status::ok();
}

Result<NodeConfig> parseNodeArgs(const QStringList &args, NodeConfig base) {
  NodeConfig config = std::move(base);
  // The config file comes first so that flags override it, wherever --config stands.
  for (qsizetype i = 0; i < args.size(); ++i) {
    QString path;
    if (args[i] == QLatin1String("--config") && i + 1 < args.size())
      path = args[i + 1];
    else if (args[i].startsWith(QLatin1String("--config=")))
      path = args[i].mid(9);
    else
      continue;
    LMFRONT_RETURN_IF_ERROR(loadConfigFile(path, config));
  }
  for (qsizetype i = 0; i < args.size(); ++i) {
    QString flag = args[i];
    QString value;
    bool hasValue = false;
    if (const qsizetype eq = flag.indexOf(QLatin1Char('=')); flag.startsWith(QLatin1String("--")) && eq > 0) {
      value = flag.mid(eq + 1);
      flag = flag.left(eq);
      hasValue = true;
    }
    auto takeValue = [&]() -> Status {
      if (hasValue) return Status::ok();
      if (i + 1 >= args.size()) return invalid(QStringLiteral("%1 needs a value").arg(flag));
      value = args[++i];
      return Status::ok();
    };
    if (flag == QLatin1String("--enable-test-routes")) {
      if (hasValue) return invalid(QStringLiteral("--enable-test-routes takes no value"));
      config.enableTestRoutes = true;
    } else if (flag == QLatin1String("--listen")) {
      LMFRONT_RETURN_IF_ERROR(takeValue());
      LMFRONT_RETURN_IF_ERROR(parseListenAddress(value, config.listenHost, config.listenPort));
    } else if (flag == QLatin1String("--data-dir")) {
      LMFRONT_RETURN_IF_ERROR(takeValue());
      if (value.isEmpty()) return invalid(QStringLiteral("--data-dir must not be empty"));
      config.dataDir = value;
    } else if (flag == QLatin1String("--config")) {
      LMFRONT_RETURN_IF_ERROR(takeValue());  // already applied above
    } else if (flag == QLatin1String("--workers")) {
      LMFRONT_RETURN_IF_ERROR(takeValue());
      auto v = parseInt(flag, value, 0, 256);
      if (!v) return v.status();
      config.workers = *v;
    } else if (flag == QLatin1String("--drain-timeout-ms")) {
      LMFRONT_RETURN_IF_ERROR(takeValue());
      auto v = parseInt(flag, value, 0, 3'600'000);
      if (!v) return v.status();
      config.drainTimeoutMs = *v;
    } else if (flag == QLatin1String("--node-id")) {
      LMFRONT_RETURN_IF_ERROR(takeValue());
      if (value.isEmpty()) return invalid(QStringLiteral("--node-id must not be empty"));
      config.nodeId = value;
    } else if (flag == QLatin1String("--model")) {
      LMFRONT_RETURN_IF_ERROR(takeValue());
      ModelSpec spec;
      LMFRONT_RETURN_IF_ERROR(parseModelSpec(value, spec));
      config.models.push_back(spec);
    } else if (flag == QLatin1String("--require-keys") || flag == QLatin1String("--no-cache")) {
      if (hasValue) return invalid(QStringLiteral("%1 takes no value").arg(flag));
      if (flag == QLatin1String("--require-keys"))
        config.gateway.requireKeys = true;
      else
        config.gateway.cacheEnabled = false;
    } else if (flag == QLatin1String("--allowed-host")) {
      LMFRONT_RETURN_IF_ERROR(takeValue());
      config.gateway.allowedHosts << value;
    } else if (flag == QLatin1String("--trusted-origin")) {
      LMFRONT_RETURN_IF_ERROR(takeValue());
      config.gateway.trustedOrigins << value;
    } else if (flag == QLatin1String("--redis")) {
      LMFRONT_RETURN_IF_ERROR(takeValue());
      LMFRONT_RETURN_IF_ERROR(parseRedisAddress(value, config.gateway));
    } else if (flag.startsWith(QLatin1String("-"))) {
      return invalid(QStringLiteral("unknown flag %1 (see --help)").arg(flag));
    } else {
      return invalid(QStringLiteral("unexpected argument '%1' (see --help)").arg(flag));
    }
  }
  return config;
}

QString nodeUsage() {
  return QStringLiteral(
      "flags:\n"
      "  --listen ADDR:PORT     data-plane address (default 127.0.0.1:8080; port 0 picks a free one)\n"
      "  --data-dir DIR         catalog, artifacts and history (default ~/.local/share/lmfront)\n"
      "  --config FILE          JSON config file (docs/configuration.md); flags override it\n"
      "  --workers N            data-plane threads (default: one per core)\n"
      "  --model NAME=PATH      serve a model file (.arpa or compiled .lmb); repeatable\n"
      "  --node-id ID           name shown in consoles and metrics (default: host-port)\n"
      "  --drain-timeout-ms N   how long shutdown waits for in-flight requests (default 10000)\n"
      "  --require-keys         every request needs an API key, even on loopback\n"
      "  --allowed-host NAME    another Host name the node answers to (repeatable)\n"
      "  --trusted-origin URL   a browser Origin allowed to call the node (repeatable)\n"
      "  --redis HOST:PORT      shared Redis for the response cache and rate limits\n"
      "  --no-cache             turn the response cache off\n"
      "  --enable-test-routes   add /debug/sleep?ms=N (tests of graceful shutdown only)\n"
      "API keys: lmfront keys create --name NAME --role user (see docs/auth.md)\n");
}

}  // namespace lmfront::node
