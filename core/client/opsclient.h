// OpsClient: one live, authenticated connection to a node's ops API (docs/ops-protocol.md), the
// one the console's views and the CLI's `watch` stand on, for the local node and remote ones alike.
//
//   OpsClient::Options options;
//   options.url = QUrl(u"ws://127.0.0.1:8080/ops"_qs);
//   options.apiKey = key;                                   // none: a keyless loopback node
//   auto *ops = new OpsClient(options, Clock::steady(), this);
//   connect(ops, &OpsClient::stateChanged, this, &View::showState);
//   connect(ops, &OpsClient::deltaReceived, this, &View::apply);    // and snapshotReceived
//   ops->subscribe(u"metrics"_qs, QJsonObject{{u"history_s"_qs, 120}});
//   ops->command(u"drain"_qs, {}, this, [](const OpsReply &r) { … });
//   ops->open();
//
// State: Closed → (open) Connecting → Live ⇄ Stale, and Failed, always with an English reason.
// Live: authenticated and heard from within Options::staleAfter (it pings every pingInterval, so a
// node that answers is never stale). Stale: a session was live since open() but the data may be
// old — silence past staleAfter, or the connection is lost and being re-established. Silence past
// deadAfter drops the connection. Lost connections are retried with exponential backoff and
// jitter; after a reconnect the client authenticates and subscribes again to every topic in its
// set, so each topic restarts with a snapshot. Failed: no more retries until open() — refused
// authentication (a wrong or revoked key), an unsupported version, a certificate that does not
// verify, a bad URL or CA file, or Backoff::maxAttempts reconnects in a row that failed.
//
// Topics: subscribe()/unsubscribe() edit the set at any time (sent when live). Every snapshot and
// every in-order delta is emitted; a delta whose seq is not the last + 1 is dropped and the topic
// subscribed again for a fresh snapshot (the doc's rule). A refused subscribe leaves the set and
// is reported by subscriptionFailed().
// Commands: each gets exactly one OpsReply (the result, the node's error, Timeout or
// Disconnected), through its handler on this object's thread, never from within command(), unless
// the client is destroyed first. A
// command issued while not connected waits for the next live session within its timeout; one in
// flight when the connection drops is answered Disconnected and never sent again.
//
// TLS (wss://): certificates are always verified — the system's CAs plus Options::caFile — and a
// certificate error is Failed, never ignored.
// Time: every deadline is taken from the injected Clock; an internal timer calls tick() when the
// next one is due, and tests call tick() after advancing a ManualClock.
// Threads: lives on the thread that created it (or was moved to before open()); all methods are
// called there and every signal is emitted there. Signals carry values, so receivers on other
// threads get them queued.
#pragma once

#include "client/opscodec.h"
#include "common/clock.h"

#include <QJsonObject>
#include <QMetaType>
#include <QObject>
#include <QPointer>
#include <QRandomGenerator>
#include <QSslCertificate>
#include <QTimer>
#include <QUrl>
#include <chrono>
#include <functional>
#include <map>
#include <optional>

class QWebSocket;

namespace lmfront::client {

// The answer to one command.
struct OpsReply {
  enum class Outcome {
    Ok,            // `result` holds the node's result payload
    Refused,       // the node answered `error`: `error` holds its code and message
    Timeout,       // no answer within the command's timeout (error.code Timeout)
    Disconnected,  // the connection ended before an answer, or the client failed (error.code Unavailable)
  };
  Outcome outcome = Outcome::Disconnected;
  QJsonValue result;
  OpsError error;

  bool ok() const { return outcome == Outcome::Ok; }
};

// What the node's `auth` result said about the session.
struct OpsSession {
  QString principal;
  QString role;
  QString nodeId;
  qint64 maxFrameBytes = 0;
};

// The delay before reconnect attempt `attempt` (1 = the first retry): initial × multiplier^(n−1),
// capped at max, then scaled down by up to `jitter` using `random01` in [0, 1).
struct OpsBackoff {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max{15'000};
  double multiplier = 2.0;
  double jitter = 0.3;  // 0: no jitter; 0.3: each delay is drawn from [0.7·d, d]
  int maxAttempts = 0;  // failed reconnects in a row before Failed; 0: retry forever

  std::chrono::milliseconds delay(int attempt, double random01) const;
};

class OpsClient : public QObject {
  Q_OBJECT
public:
  enum class State { Closed, Connecting, Live, Stale, Failed };
  Q_ENUM(State)

  struct Options {
    QUrl url;                               // ws://HOST:PORT/ops or wss://HOST:PORT/ops
    std::optional<QString> apiKey;          // sent in `auth`; none for a keyless loopback node
    QString caFile;                         // wss: PEM certificates trusted besides the system's
    QList<QSslCertificate> caCertificates;  // wss: more trusted certificates, already read (a console connection's)
    std::chrono::milliseconds pingInterval{1000};
    std::chrono::milliseconds staleAfter{2500};  // the console shows a silent node as stale within 3 s
    std::chrono::milliseconds deadAfter{10'000};
    std::chrono::milliseconds connectTimeout{10'000};  // TCP + TLS + handshake + auth
    std::chrono::milliseconds commandTimeout{10'000};  // unless command() is given one
    OpsBackoff backoff;
    qsizetype maxMessageBytes = 64 << 20;  // the doc asks clients to accept at least 16 MiB
    quint32 seed = 0;                      // the jitter's random numbers; 0: from the system
  };
  using ReplyHandler = std::function<void(const OpsReply &)>;

  OpsClient(Options options, const Clock &clock, QObject *parent = nullptr);
  ~OpsClient() override;

  // Connects (again: a running connection is dropped first), forgetting earlier failures.
  void open();
  // Drops the connection, stops retrying; commands waiting get Disconnected. State Closed.
  void close();
  void tick();

  // Adds `topic` to the set (or changes its options) and subscribes now when live.
  void subscribe(const QString &topic, const QJsonObject &options = {});
  void unsubscribe(const QString &topic);
  QStringList topics() const;
  // Runs a command; `handler` is skipped if `context` is destroyed first. Returns the request id.
  QString command(const QString &name, const QJsonObject &args, QObject *context, ReplyHandler handler,
                  std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  State state() const { return m_state; }
  QString stateReason() const { return m_reason; }
  const Options &options() const { return m_options; }
  // Valid once a session was live since open().
  const OpsSession &session() const { return m_session; }
  // The last `ping` round trip; negative before the first pong.
  std::chrono::milliseconds roundTrip() const { return m_roundTrip; }
  int reconnectAttempt() const { return m_attempt; }
  // Why the last attempt since open() ended (without the retry's delay); empty before any did.
  QString lastLoss() const { return m_lastLoss; }
  // Topics subscribed again because a delta's seq skipped (counted over the client's life).
  int seqGaps() const { return m_seqGaps; }
  static QString stateName(State state);

Q_SIGNALS:
  void stateChanged(lmfront::client::OpsClient::State state, const QString &reason);
  void snapshotReceived(const QString &topic, qint64 seq, const QJsonObject &payload);
  void deltaReceived(const QString &topic, qint64 seq, const QJsonObject &payload);
  void subscriptionFailed(const QString &topic, const lmfront::client::OpsError &error);

private:
  struct Pending;
  struct Topic {
    QJsonObject options;
    qint64 lastSeq = -1;
    bool awaitingSnapshot = true;
    quint64 pendingId = 0;  // the subscribe whose snapshot is awaited
  };

  // A subscribe or unsubscribe about to be sent: its id, awaited like any request.
  quint64 trackTopicRequest(OpsType type, const QString &topic);
  void connectNow();
  void onConnected();
  void onText(const QString &text);
  void onDisconnected();
  void onAnswer(const OpsMessage &message);
  void onStream(const OpsMessage &message);
  void onAuthAnswer(const OpsMessage &message);
  // Ends the connection (if any) and schedules the next attempt, or fails after too many.
  void lose(const QString &why);
  void fail(const QString &why);
  void setState(State state, const QString &reason);
  void send(const OpsMessage &message);
  QString liveReason() const;
  void sendSubscribe(const QString &topic, Topic &t);
  void flushCommands();
  void finish(std::map<quint64, Pending>::iterator it, OpsReply reply);
  void failCommands(bool queuedToo, const QString &why);
  void dropSocket();
  void arm();

  Options m_options;
  const Clock &m_clock;
  OpsCodec m_codec;
  QWebSocket *m_socket = nullptr;
  QTimer m_timer;
  QRandomGenerator m_random;
  State m_state = State::Closed;
  QString m_reason;
  OpsSession m_session;
  bool m_authed = false;
  bool m_connected = false;  // the WebSocket handshake of the current attempt succeeded
  bool m_wasLive = false;
  int m_attempt = 0;
  int m_seqGaps = 0;
  quint64 m_nextId = 1;
  std::optional<Clock::TimePoint> m_reconnectAt;
  Clock::TimePoint m_connectStarted;
  Clock::TimePoint m_lastHeard;
  Clock::TimePoint m_lastPing;
  std::chrono::milliseconds m_roundTrip{-1};
  QString m_transportError;  // what the socket reported before it disconnected
  QString m_tlsError;        // certificate errors: never retried
  QString m_lastLoss;        // why the last attempt ended, for the reason while retrying
  std::map<QString, Topic> m_topics;
  std::map<quint64, Pending> m_pending;  // by id: requests in flight, and commands not sent yet
};

}  // namespace lmfront::client

Q_DECLARE_METATYPE(lmfront::client::OpsError)
Q_DECLARE_METATYPE(lmfront::client::OpsReply)
