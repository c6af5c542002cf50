#include "node/config/nodesection.h"

namespace lmfront::node {

namespace {
Status invalid(const QString &message) { return Status::invalidArgument(message.toStdString()); }
}  // namespace

Status parseListenAddress(const QString &text, QString &host, quint16 &port) {
  const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
  if (colon < 0) return invalid(QStringLiteral("expected ADDR:PORT, got '%1'").arg(text));
  QString h = text.left(colon);
  if (h.startsWith(QLatin1Char('[')) && h.endsWith(QLatin1Char(']'))) h = h.mid(1, h.size() - 2);
  if (h.isEmpty()) h = QStringLiteral("127.0.0.1");
  if (h == QLatin1String("localhost")) h = QStringLiteral("127.0.0.1");
  bool ok = false;
  const uint p = text.mid(colon + 1).toUInt(&ok);
  if (!ok || p > 65535) return invalid(QStringLiteral("port must be 0-65535, got '%1'").arg(text.mid(colon + 1)));
  host = h;
  port = static_cast<quint16>(p);
  return Status::ok();
}

Status checkModelSpec(const ModelSpec &spec) {
  static const QString allowed = QStringLiteral("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:");
  if (spec.name.isEmpty() || spec.path.isEmpty())
    return invalid(QStringLiteral("expected NAME=PATH, got '%1=%2'").arg(spec.name, spec.path));
  for (QChar c : spec.name)
    if (!allowed.contains(c))
      return invalid(QStringLiteral("name '%1' may use only letters, digits and - _ . :").arg(spec.name));
  return Status::ok();
}

Result<ModelSpec> parseModelSpec(const QString &text) {
  const qsizetype eq = text.indexOf(QLatin1Char('='));
  if (eq <= 0 || eq == text.size() - 1) return invalid(QStringLiteral("expected NAME=PATH, got '%1'").arg(text));
  ModelSpec spec{text.left(eq), text.mid(eq + 1)};
  LMFRONT_RETURN_IF_ERROR(checkModelSpec(spec));
  return spec;
}

Status readNodeSection(config::JsonSection &root, NodeConfig &config) {
  QString listen;
  const bool hasListen = root.contains(u"listen");
  LMFRONT_RETURN_IF_ERROR(root.string(u"listen", listen));
  if (hasListen)
    LMFRONT_RETURN_IF_ERROR(parseListenAddress(listen, config.listenHost, config.listenPort)
                                .withContext(root.pathOf(u"listen").toStdString()));
  LMFRONT_RETURN_IF_ERROR(root.string(u"data_dir", config.dataDir));
  LMFRONT_RETURN_IF_ERROR(root.string(u"node_id", config.nodeId));
  LMFRONT_RETURN_IF_ERROR(root.integer(u"workers", 0, kMaxWorkers, config.workers));
  LMFRONT_RETURN_IF_ERROR(root.integer(u"drain_timeout_ms", 0, kMaxDrainTimeoutMs, config.drainTimeoutMs));
  LMFRONT_RETURN_IF_ERROR(root.boolean(u"forbid_self_approval", config.forbidSelfApproval));
  LMFRONT_RETURN_IF_ERROR(
      root.integer(u"max_submission_bytes", qint64{1}, kMaxSubmissionBytes, config.maxSubmissionBytes));
  auto models = root.section(u"models");
  if (!models) return models.status();
  for (const auto &[name, path] : models->entries()) {
    if (!path.isString()) return models->invalid(name, QStringLiteral("a model file path"));
    const ModelSpec spec{name, path.toString()};
    LMFRONT_RETURN_IF_ERROR(checkModelSpec(spec).withContext(models->pathOf(name).toStdString()));
    config.models.push_back(spec);
  }
  return Status::ok();
}

}  // namespace lmfront::node
