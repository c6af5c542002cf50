#include "cluster/etcdclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace lmfront::cluster {

namespace {

QString b64(const QByteArray &bytes) { return QString::fromLatin1(bytes.toBase64()); }
QByteArray unb64(const QJsonValue &v) { return QByteArray::fromBase64(v.toString().toLatin1()); }

// The gateway writes int64 fields as JSON strings and leaves out zero values.
qint64 int64Of(const QJsonValue &v) {
  if (v.isString()) return v.toString().toLongLong();
  if (v.isDouble()) return static_cast<qint64>(v.toDouble());
  return 0;
}

EtcdKeyValue kvOf(const QJsonObject &o) {
  return EtcdKeyValue{unb64(o.value(u"key"_qs)), unb64(o.value(u"value"_qs)), int64Of(o.value(u"create_revision"_qs)),
                      int64Of(o.value(u"mod_revision"_qs)), int64Of(o.value(u"lease"_qs))};
}

qint64 revisionOf(const QJsonObject &answer) {
  return int64Of(answer.value(u"header"_qs).toObject().value(u"revision"_qs));
}

Status etcdError(const QJsonObject &error, int httpStatus) {
  const std::string message =
      "etcd: " + error.value(u"message"_qs).toString(error.value(u"error"_qs).toString()).toStdString();
  switch (error.value(u"code"_qs).toInt(error.value(u"grpc_code"_qs).toInt(-1))) {
  case 3: return Status::invalidArgument(message);
  case 5: return Status::notFound(message);
  case 9: return Status::failedPrecondition(message);
  case 14: return Status::unavailable(message);
  case -1: return Status::internal(message + " (HTTP " + std::to_string(httpStatus) + ")");
  default: return Status::internal(message);
  }
}

// A network-level failure: no answer from this endpoint, so another one may give one.
bool unreachable(QNetworkReply::NetworkError e) {
  switch (e) {
  case QNetworkReply::ConnectionRefusedError:
  case QNetworkReply::RemoteHostClosedError:
  case QNetworkReply::HostNotFoundError:
  case QNetworkReply::TimeoutError:
  case QNetworkReply::OperationCanceledError:  // the transfer timeout aborts this way
  case QNetworkReply::TemporaryNetworkFailureError:
  case QNetworkReply::NetworkSessionFailedError:
  case QNetworkReply::UnknownNetworkError:
  case QNetworkReply::ProxyConnectionRefusedError:
  case QNetworkReply::ProxyTimeoutError: return true;
  default: return false;
  }
}

QNetworkRequest requestFor(const QUrl &base, const QString &path) {
  QUrl url = base;
  QString prefix = url.path();
  while (prefix.endsWith(u'/')) prefix.chop(1);
  url.setPath(prefix + path);
  QNetworkRequest request(url);
  request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
  return request;
}

// Splits a stream of concatenated JSON objects; returns the complete ones and keeps the rest.
QList<QByteArray> takeObjects(QByteArray &buffer) {
  QList<QByteArray> out;
  int depth = 0;
  bool inString = false, escaped = false;
  qsizetype start = -1, consumed = 0;
  for (qsizetype i = 0; i < buffer.size(); ++i) {
    const char c = buffer.at(i);
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"')
      inString = true;
    else if (c == '{') {
      if (depth++ == 0) start = i;
    } else if (c == '}' && depth > 0 && --depth == 0) {
      out.append(buffer.mid(start, i - start + 1));
      consumed = i + 1;
    }
  }
  buffer.remove(0, consumed);
  return out;
}

}  // namespace

Result<QList<QUrl>> parseEtcdEndpoints(const QString &text) {
  QList<QUrl> out;
  for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
    const QUrl url(part.trimmed(), QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != u"http"_qs && url.scheme() != u"https"_qs) || url.host().isEmpty())
      return Status::invalidArgument(
          QStringLiteral("etcd endpoint '%1': expected http://HOST:PORT").arg(part.trimmed()).toStdString());
    out.append(url);
  }
  if (out.isEmpty()) return Status::invalidArgument("no etcd endpoint given (expected http://HOST:PORT[,…])");
  return out;
}

QByteArray etcdPrefixEnd(const QByteArray &prefix) {
  QByteArray end = prefix;
  for (qsizetype i = end.size() - 1; i >= 0; --i) {
    if (static_cast<unsigned char>(end.at(i)) < 0xff) {
      end[i] = static_cast<char>(end.at(i) + 1);
      end.truncate(i + 1);
      return end;
    }
  }
  return QByteArray(1, '\0');  // every key
}

namespace {

void closeStream(QNetworkReply *reply, QObject *receiver) {
  if (!reply) return;
  reply->disconnect(receiver);
  reply->abort();
  reply->deleteLater();
}

}  // namespace

EtcdWatch::~EtcdWatch() { closeStream(m_reply.data(), this); }

void EtcdWatch::attach(QNetworkReply *reply) {
  m_reply = reply;
  connect(reply, &QNetworkReply::readyRead, this, &EtcdWatch::readMore);
  connect(reply, &QNetworkReply::finished, this, [this, reply] {
    readMore();
    if (m_ended) return;
    const QString reason =
        reply->error() != QNetworkReply::NoError ? reply->errorString() : QStringLiteral("the watch stream closed");
    m_reply = nullptr;
    reply->deleteLater();
    finish(reason);
  });
}

void EtcdWatch::readMore() {
  if (!m_reply || m_ended) return;
  m_buffer += m_reply->readAll();
  for (const QByteArray &bytes : takeObjects(m_buffer)) {
    const QJsonObject message = QJsonDocument::fromJson(bytes).object();
    if (message.contains(u"error"_qs)) {
      const QJsonObject error = message.value(u"error"_qs).toObject();
      return finish(QStringLiteral("etcd: ") + error.value(u"message"_qs).toString());
    }
    const QJsonObject result = message.value(u"result"_qs).toObject();
    if (result.value(u"canceled"_qs).toBool()) {
      const qint64 compacted = int64Of(result.value(u"compact_revision"_qs));
      return finish(
          compacted ? QStringLiteral("etcd: revision compacted (now %1)").arg(compacted)
                    : QStringLiteral("etcd: watch cancelled: %1").arg(result.value(u"cancel_reason"_qs).toString()));
    }
    if (result.value(u"created"_qs).toBool() && !m_created) {
      m_created = true;
      Q_EMIT started();
    }
    const QJsonArray events = result.value(u"events"_qs).toArray();
    if (events.isEmpty()) continue;
    QList<EtcdEvent> batch;
    for (const QJsonValue &e : events) {
      const QJsonObject event = e.toObject();
      batch.append(
          EtcdEvent{event.value(u"type"_qs).toString() == u"DELETE"_qs, kvOf(event.value(u"kv"_qs).toObject())});
    }
    Q_EMIT this->events(batch, revisionOf(result));
    if (m_ended) return;  // a receiver may end or delete the watch: nothing more from this stream
  }
}

void EtcdWatch::finish(const QString &reason) {
  if (m_ended) return;
  m_ended = true;
  closeStream(m_reply.data(), this);
  m_reply = nullptr;
  Q_EMIT ended(reason);
}

EtcdClient::EtcdClient(QList<QUrl> endpoints, Options options, QObject *parent)
    : QObject(parent), m_endpoints(std::move(endpoints)), m_options(options), m_nam(new QNetworkAccessManager(this)) {}

EtcdClient::~EtcdClient() {
  for (QNetworkReply *reply : std::as_const(m_inFlight)) {
    reply->disconnect(this);
    reply->abort();
  }
}

void EtcdClient::failOver(const QUrl &failed) {
  // Only the first to notice moves on: calls in flight on the same endpoint fail together.
  if (m_endpoints.size() > 1 && endpoint() == failed) m_current = (m_current + 1) % m_endpoints.size();
}

void EtcdClient::post(const QString &path, const QJsonObject &body, JsonDone done, int attemptsLeft) {
  if (m_endpoints.isEmpty()) return done(Status::failedPrecondition("no etcd endpoint configured"));
  const QUrl base = endpoint();
  QNetworkRequest request = requestFor(base, path);
  request.setTransferTimeout(static_cast<int>(m_options.requestTimeout.count()));
  QNetworkReply *reply = m_nam->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
  m_inFlight.insert(reply);
  connect(reply, &QNetworkReply::finished, this,
          [this, reply, base, path, body, done = std::move(done), attemptsLeft]() mutable {
            m_inFlight.remove(reply);
            reply->deleteLater();
            const QVariant httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
            if (!httpStatus.isValid() && unreachable(reply->error())) {
              failOver(base);
              if (attemptsLeft > 1) return post(path, body, std::move(done), attemptsLeft - 1);
              return done(Status::unavailable(
                  QStringLiteral("etcd %1 unreachable: %2").arg(base.toString(), reply->errorString()).toStdString()));
            }
            QJsonParseError parseError{};
            const QJsonDocument doc = QJsonDocument::fromJson(reply->readAll(), &parseError);
            if (parseError.error != QJsonParseError::NoError || !doc.isObject())
              return done(Status::internal(QStringLiteral("etcd %1%2: not a JSON answer (HTTP %3, %4)")
                                               .arg(base.toString(), path)
                                               .arg(httpStatus.toInt())
                                               .arg(reply->errorString())
                                               .toStdString()));
            const QJsonObject answer = doc.object();
            if (answer.contains(u"error"_qs) || httpStatus.toInt() >= 300)
              return done(etcdError(answer, httpStatus.toInt()));
            done(answer);
          });
}

void EtcdClient::put(const QByteArray &key, const QByteArray &value, qint64 lease, std::function<void(Status)> done) {
  QJsonObject body{{u"key"_qs, b64(key)}, {u"value"_qs, b64(value)}};
  if (lease) body.insert(u"lease"_qs, QString::number(lease));
  post(
      u"/v3/kv/put"_qs, body, [done = std::move(done)](Result<QJsonObject> r) { done(r ? Status::ok() : r.status()); },
      static_cast<int>(m_endpoints.size()));
}

void EtcdClient::range(const QByteArray &key, const QByteArray &rangeEnd, std::function<void(Result<EtcdRange>)> done) {
  QJsonObject body{{u"key"_qs, b64(key)}};
  if (!rangeEnd.isEmpty()) body.insert(u"range_end"_qs, b64(rangeEnd));
  post(
      u"/v3/kv/range"_qs, body,
      [done = std::move(done)](Result<QJsonObject> r) {
        if (!r) return done(r.status());
        EtcdRange out{revisionOf(*r), {}};
        for (const QJsonValue &kv : r->value(u"kvs"_qs).toArray()) out.kvs.append(kvOf(kv.toObject()));
        done(out);
      },
      static_cast<int>(m_endpoints.size()));
}

void EtcdClient::deleteRange(const QByteArray &key, const QByteArray &rangeEnd,
                             std::function<void(Result<qint64>)> done) {
  QJsonObject body{{u"key"_qs, b64(key)}};
  if (!rangeEnd.isEmpty()) body.insert(u"range_end"_qs, b64(rangeEnd));
  post(
      u"/v3/kv/deleterange"_qs, body,
      [done = std::move(done)](Result<QJsonObject> r) {
        if (!r) return done(r.status());
        done(int64Of(r->value(u"deleted"_qs)));
      },
      static_cast<int>(m_endpoints.size()));
}

void EtcdClient::grantLease(qint64 ttlSeconds, std::function<void(Result<EtcdLease>)> done) {
  post(
      u"/v3/lease/grant"_qs, QJsonObject{{u"TTL"_qs, QString::number(ttlSeconds)}},
      [done = std::move(done)](Result<QJsonObject> r) {
        if (!r) return done(r.status());
        const EtcdLease lease{int64Of(r->value(u"ID"_qs)), int64Of(r->value(u"TTL"_qs))};
        if (lease.id == 0) return done(Status::internal("etcd: lease grant answered without an ID"));
        done(lease);
      },
      static_cast<int>(m_endpoints.size()));
}

void EtcdClient::keepAlive(qint64 lease, std::function<void(Result<qint64>)> done) {
  post(
      u"/v3/lease/keepalive"_qs, QJsonObject{{u"ID"_qs, QString::number(lease)}},
      [done = std::move(done), lease](Result<QJsonObject> r) {
        if (!r) return done(r.status());
        // A stream of one: {"result":{…,"TTL":"n"}}; no TTL means the lease is gone.
        const qint64 ttl = int64Of(r->value(u"result"_qs).toObject().value(u"TTL"_qs));
        if (ttl <= 0) return done(Status::notFound("etcd: lease " + std::to_string(lease) + " expired or revoked"));
        done(ttl);
      },
      static_cast<int>(m_endpoints.size()));
}

void EtcdClient::revokeLease(qint64 lease, std::function<void(Status)> done) {
  post(
      u"/v3/lease/revoke"_qs, QJsonObject{{u"ID"_qs, QString::number(lease)}},
      [done = std::move(done)](Result<QJsonObject> r) { done(r ? Status::ok() : r.status()); },
      static_cast<int>(m_endpoints.size()));
}

void EtcdClient::createIfAbsent(const QByteArray &key, const QByteArray &value, qint64 lease,
                                std::function<void(Result<EtcdCreate>)> done) {
  QJsonObject put{{u"key"_qs, b64(key)}, {u"value"_qs, b64(value)}};
  if (lease) put.insert(u"lease"_qs, QString::number(lease));
  const QJsonObject body{
      {u"compare"_qs, QJsonArray{QJsonObject{{u"key"_qs, b64(key)},
                                             {u"target"_qs, u"CREATE"_qs},
                                             {u"result"_qs, u"EQUAL"_qs},
                                             {u"create_revision"_qs, u"0"_qs}}}},
      {u"success"_qs, QJsonArray{QJsonObject{{u"request_put"_qs, put}}}},
      {u"failure"_qs, QJsonArray{QJsonObject{{u"request_range"_qs, QJsonObject{{u"key"_qs, b64(key)}}}}}},
  };
  post(
      u"/v3/kv/txn"_qs, body,
      [done = std::move(done)](Result<QJsonObject> r) {
        if (!r) return done(r.status());
        EtcdCreate out;
        out.created = r->value(u"succeeded"_qs).toBool();
        out.revision = revisionOf(*r);
        if (!out.created) {
          const QJsonArray responses = r->value(u"responses"_qs).toArray();
          const QJsonArray kvs =
              responses.first().toObject().value(u"response_range"_qs).toObject().value(u"kvs"_qs).toArray();
          // Deleted between compare and read cannot happen inside one txn; empty means a bad answer.
          if (kvs.isEmpty()) return done(Status::internal("etcd: txn failed its compare but read no key"));
          out.existing = kvOf(kvs.first().toObject());
        }
        done(out);
      },
      static_cast<int>(m_endpoints.size()));
}

EtcdWatch *EtcdClient::watch(const QByteArray &key, const QByteArray &rangeEnd, qint64 startRevision, QObject *parent) {
  auto *watch = new EtcdWatch(parent);
  QJsonObject create{{u"key"_qs, b64(key)}};
  if (!rangeEnd.isEmpty()) create.insert(u"range_end"_qs, b64(rangeEnd));
  if (startRevision > 0) create.insert(u"start_revision"_qs, QString::number(startRevision));
  const QUrl base = endpoint();
  QNetworkReply *reply =
      m_nam->post(requestFor(base, u"/v3/watch"_qs),
                  QJsonDocument(QJsonObject{{u"create_request"_qs, create}}).toJson(QJsonDocument::Compact));
  // A stream that fails to connect is this endpoint's failure: the next watch tries another one.
  connect(reply, &QNetworkReply::errorOccurred, this, [this, base, reply](QNetworkReply::NetworkError e) {
    if (!reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid() && unreachable(e)) failOver(base);
  });
  watch->attach(reply);
  return watch;
}

}  // namespace lmfront::cluster
