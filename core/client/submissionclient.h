// SubmissionClient: uploads a submission bundle (a .tar.gz) to a node and completes it into a
// model version (docs/http-api.md, "Submissions"): POST /admin/submissions, then PUT chunks with
// Content-Range, then POST .../complete, which answers {"model","version","state","job"}.
//
// Contract: asynchronous on the thread that created it (its own QNetworkAccessManager); nothing
// blocks. progress() after every acknowledged chunk. A dropped connection, a timeout or a 5xx
// during the upload is retried after `retryDelayMs` up to `maxRetries` times in a row: the client
// asks the node for the upload's offset and resumes there, so nothing acknowledged is sent twice;
// a 409 (the node holds another offset) resumes at the offset the answer carries. Exactly one of
// finished() or failed() ends a submit(); failed() carries the node's own message when it
// refused (a bad bundle names the entry and the rule). resume() continues an upload made earlier
// (by id) from wherever the node has it.
#pragma once

#include <QFile>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QString>
#include <QUrl>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;

namespace lmfront::client {

class SubmissionClient : public QObject {
  Q_OBJECT
public:
  struct Options {
    QUrl node;                              // http(s)://HOST:PORT
    QString apiKey;                         // empty: a keyless loopback node
    QString caFile;                         // https: PEM certificates to trust besides the system's
    QList<QSslCertificate> caCertificates;  // https: more to trust (the console's per connection)
    qint64 chunkBytes = qint64{4} << 20;    // under the node's 8 MiB body limit
    int maxRetries = 8;
    int retryDelayMs = 500;
    int requestTimeoutMs = 60'000;    // one chunk
    int completeTimeoutMs = 600'000;  // opening and storing a large bundle takes a while
  };

  explicit SubmissionClient(Options options, QObject *parent = nullptr);
  ~SubmissionClient() override;

  void submit(const QString &archivePath);
  void resume(const QString &archivePath, const QString &uploadId);
  void abort();  // stops; neither finished() nor failed() follows

  QString uploadId() const { return m_id; }

Q_SIGNALS:
  void progress(qint64 sent, qint64 total);
  void finished(const QJsonObject &result);
  void failed(const QString &message);

private:
  void begin();
  void sendChunk();
  void askOffset();
  void complete();
  void retry(const QString &why);
  void fail(const QString &message);
  QNetworkReply *send(const QByteArray &method, const QString &path, const QByteArray &body,
                      const QList<QPair<QByteArray, QByteArray>> &headers, int timeoutMs);
  // The node's error message from a reply's body, or the transport's.
  static QString errorOf(QNetworkReply *reply, const QByteArray &body);

  Options m_options;
  QNetworkAccessManager *m_network;
  QFile m_file;
  QString m_id;
  qint64 m_offset = 0;
  qint64 m_total = 0;
  int m_retries = 0;
  bool m_done = false;
  QNetworkReply *m_pending = nullptr;
};

}  // namespace lmfront::client
