#include "node/artifactfetch.h"

#include "registry/artifactstore.h"

#include <QCryptographicHash>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace lmfront::node {

ArtifactFetch::ArtifactFetch(std::shared_ptr<const registry::ArtifactStore> store, QObject *parent)
    : QObject(parent), m_store(std::move(store)), m_nam(new QNetworkAccessManager(this)) {}

ArtifactFetch::~ArtifactFetch() = default;

void ArtifactFetch::fetch(const QString &sha256, const QStringList &sources, const QByteArray &token,
                          std::function<void(Result<Fetched>)> done) {
  if (!registry::ArtifactStore::isSha256(sha256.toStdString()))
    return done(Status::invalidArgument("not an artifact's sha256: " + sha256.toStdString()));
  if (sources.isEmpty()) return done(Status::unavailable("no member holds artifact " + sha256.toStdString()));
  attempt(sha256, sources, token, {}, std::move(done));
}

void ArtifactFetch::attempt(QString sha256, QStringList sources, QByteArray token, QStringList errors,
                            std::function<void(Result<Fetched>)> done) {
  if (sources.isEmpty()) {
    const std::string why = errors.join(u"; "_qs).toStdString();
    const bool tampered = errors.join(u' ').contains(u"does not match"_qs);
    return done(tampered ? Status::dataLoss(why) : Status::unavailable(why));
  }
  const QString source = sources.takeFirst();
  QNetworkRequest request(QUrl(source + u"/cluster/artifacts/"_qs + sha256));
  request.setRawHeader("X-Lmfront-Cluster-Token", token);
  request.setTransferTimeout(kTimeoutMs);
  QNetworkReply *reply = m_nam->get(request);
  connect(reply, &QNetworkReply::finished, this,
          [this, reply, sha256, sources, token, errors, source, done = std::move(done)]() mutable {
            reply->deleteLater();
            const QByteArray body = reply->readAll();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (reply->error() != QNetworkReply::NoError || status != 200) {
              errors << source + u": "_qs +
                            (status ? QStringLiteral("HTTP %1 %2").arg(status).arg(QString::fromUtf8(body.left(200)))
                                    : reply->errorString());
              return attempt(sha256, sources, token, errors, std::move(done));
            }
            const QString got = QString::fromLatin1(QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
            if (got != sha256) {
              errors << source + u": the artifact's bytes do not match its sha256 (asked "_qs + sha256 + u", got "_qs +
                            got + u"); nothing stored"_qs;
              return attempt(sha256, sources, token, errors, std::move(done));
            }
            auto stored = m_store->putBytes(std::string_view(body.constData(), static_cast<size_t>(body.size())));
            if (!stored) return done(stored.status().withContext("artifact " + sha256.toStdString()));
            done(Fetched{m_store->path(stored->sha256), static_cast<qint64>(stored->bytes), source});
          });
}

}  // namespace lmfront::node
