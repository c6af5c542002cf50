// EtcdClient: etcd's v3 API spoken directly through its HTTP/JSON gateway (etcd 3.4: /v3/kv/*,
// /v3/lease/*, /v3/watch), so a node needs no C++ etcd library. Keys and values are raw bytes
// here; the client base64-encodes them on the wire. docs/cluster.md lists the keys lmfront keeps.
//
// Transport: Qt's QNetworkAccessManager on the thread that owns the client (the node thread):
// control-plane calls are few, and a watch is one long streamed response read as it arrives.
// Unary calls time out after Options::requestTimeout; a watch has no timeout (the lease
// keep-alive is what notices an etcd that went silent).
//
// Endpoints: one or more base URLs (`--etcd URL[,URL…]`). Calls go to the current endpoint; one
// that cannot be reached (refused, reset, timeout) makes the client move to the next and retry
// the call there, once per endpoint. An answer from etcd (even an error) never fails over.
//
// Errors: unreachable on every endpoint → Unavailable naming the last endpoint and the reason;
// etcd's own errors map from their gRPC code (5 → NotFound, 3 → InvalidArgument, 9 →
// FailedPrecondition, 14 → Unavailable, others Internal) with etcd's message; an answer that is
// not the JSON expected → Internal. Callbacks run on the client's thread, exactly once, unless
// the client is destroyed first (then never). Not thread-safe: use it from its own thread.
#pragma once

#include "common/status.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QUrl>
#include <chrono>
#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace lmfront::cluster {

struct EtcdKeyValue {
  QByteArray key;
  QByteArray value;
  qint64 createRevision = 0;
  qint64 modRevision = 0;
  qint64 lease = 0;  // 0: none
};

struct EtcdEvent {
  bool deleted = false;  // false: a put (the key's new value)
  EtcdKeyValue kv;       // a delete carries the key and its mod revision only
};

struct EtcdRange {
  qint64 revision = 0;  // the store's revision the answer was read at: watch from revision + 1
  QList<EtcdKeyValue> kvs;
};

struct EtcdLease {
  qint64 id = 0;
  qint64 ttlSeconds = 0;
};

// What a create-if-absent transaction found: created, or the key as it already was.
struct EtcdCreate {
  bool created = false;
  qint64 revision = 0;  // the store's revision after the transaction
  EtcdKeyValue existing;
};

// "http://h:2379,http://h2:2379" → URLs; InvalidArgument naming the bad one.
Result<QList<QUrl>> parseEtcdEndpoints(const QString &text);
// The range end that makes a range or watch cover every key starting with `prefix`.
QByteArray etcdPrefixEnd(const QByteArray &prefix);

// A streaming watch (EtcdClient::watch). events() for every batch in revision order; ended()
// once when the stream stops (etcd gone, watch cancelled or compacted): start a new one from a
// fresh range. Deleting the object closes the stream.
class EtcdWatch : public QObject {
  Q_OBJECT
public:
  ~EtcdWatch() override;
  bool created() const { return m_created; }

Q_SIGNALS:
  void started();  // etcd confirmed the watch
  void events(const QList<lmfront::cluster::EtcdEvent> &events, qint64 revision);
  void ended(const QString &reason);

private:
  friend class EtcdClient;
  explicit EtcdWatch(QObject *parent) : QObject(parent) {}
  void attach(QNetworkReply *reply);
  void readMore();
  void finish(const QString &reason);
  QPointer<QNetworkReply> m_reply;
  QByteArray m_buffer;
  bool m_created = false;
  bool m_ended = false;
};

class EtcdClient : public QObject {
  Q_OBJECT
public:
  struct Options {
    std::chrono::milliseconds requestTimeout{2'000};
  };

  EtcdClient(QList<QUrl> endpoints, Options options, QObject *parent = nullptr);
  ~EtcdClient() override;  // aborts calls in flight without calling their callbacks

  void put(const QByteArray &key, const QByteArray &value, qint64 lease, std::function<void(Status)> done);
  void range(const QByteArray &key, const QByteArray &rangeEnd, std::function<void(Result<EtcdRange>)> done);
  // Deletes `key` (and up to rangeEnd when not empty); the number of keys deleted.
  void deleteRange(const QByteArray &key, const QByteArray &rangeEnd, std::function<void(Result<qint64>)> done);
  void grantLease(qint64 ttlSeconds, std::function<void(Result<EtcdLease>)> done);
  // The lease's remaining TTL after renewal; NotFound when it expired or was revoked.
  void keepAlive(qint64 lease, std::function<void(Result<qint64>)> done);
  void revokeLease(qint64 lease, std::function<void(Status)> done);
  // One transaction: put `key` unless it exists (its create_revision is 0), else read it.
  void createIfAbsent(const QByteArray &key, const QByteArray &value, qint64 lease,
                      std::function<void(Result<EtcdCreate>)> done);
  // Watches `key` (up to rangeEnd when not empty) from startRevision (0: from now). The watch is
  // a child of `parent`; it reports ended() when it cannot be started.
  EtcdWatch *watch(const QByteArray &key, const QByteArray &rangeEnd, qint64 startRevision, QObject *parent);

  QUrl endpoint() const { return m_endpoints.value(m_current); }
  const QList<QUrl> &endpoints() const { return m_endpoints; }

private:
  using JsonDone = std::function<void(Result<QJsonObject>)>;
  void post(const QString &path, const QJsonObject &body, JsonDone done, int attemptsLeft);
  void failOver(const QUrl &failed);

  QList<QUrl> m_endpoints;
  Options m_options;
  int m_current = 0;
  QNetworkAccessManager *m_nam;
  QSet<QNetworkReply *> m_inFlight;
};

}  // namespace lmfront::cluster
