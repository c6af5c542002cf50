// JobListModel: a node's platform jobs (docs/models.md, "Jobs": validate, train, compile, mix,
// each queued → running → succeeded | failed | cancelled with a progress and a log) as a table,
// newest first, following the ops topic `jobs`; and the job commands a console runs: mix,
// cancel_job, job_log.
//
// Contract: GUI thread. setSession() (not owned) subscribes the session's ops client to `jobs` and
// follows the session when it replaces its client (liveStateReplaced), clearing the rows. The
// snapshot (`{"jobs"}`, the node's latest 200) replaces the rows; a delta `{"job"}` replaces that
// job's row in place or inserts it in id order (at most kMaxRows kept, the oldest dropped). A job
// the model held as queued or running that a delta shows ended is re-emitted as jobEnded() (also
// one first seen ended after the snapshot). Each command ends in exactly one of mixFinished(),
// cancelFinished() or logLoaded() (error text empty on success, see opsErrorText()) unless the
// session's client is replaced first. RawRole gives sortable values; ProgressRole 0..1.
#pragma once

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <optional>

namespace lmfront::client {
class OpsClient;
}

namespace lmfront::models {

class NodeSession;
class TopicSubscription;

// What `mix` asks for: published versions mixed into the next version of `model`, with a weight
// each, or none and a dev text to tune the weights on (EM).
struct MixRequest {
  struct Source {
    QString model;
    qint64 version = 0;
    std::optional<double> weight;
  };
  QString model;
  QList<Source> sources;
  QString devText;

  QJsonObject args() const;
};

class JobListModel : public QAbstractTableModel {
  Q_OBJECT
public:
  enum class Column { Id, Kind, Target, State, Progress, Started, Actor, Error, Count };
  enum Role {
    RawRole = Qt::UserRole + 1,
    IdRole,        // the job's id
    StateRole,     // the state's name
    ProgressRole,  // 0..1
    ActiveRole,    // queued or running
  };
  static constexpr int kMaxRows = 500;

  explicit JobListModel(QObject *parent = nullptr);

  void setSession(NodeSession *session);
  bool hasSnapshot() const { return m_hasSnapshot; }

  int rowCount(const QModelIndex &parent = {}) const override;
  int columnCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  QJsonObject job(qint64 id) const;  // as the node sent it; empty when not held
  int rowOfJob(qint64 id) const;     // -1 when not held

  static bool isActive(const QString &state);  // queued or running
  static QString stateText(const QString &state);
  static QString kindText(const QString &kind);
  // "english v3" (a mix's target before its version exists: the model alone).
  static QString targetText(const QJsonObject &job);

  void mix(const MixRequest &request);
  void cancel(qint64 id, const QString &reason = {});
  void loadLog(qint64 id);

public Q_SLOTS:
  void applySnapshot(const QString &topic, qint64 seq, const QJsonObject &payload);
  void applyDelta(const QString &topic, qint64 seq, const QJsonObject &payload);
  void retranslate();

Q_SIGNALS:
  void snapshotApplied();
  void jobChanged(const QJsonObject &job);
  void jobEnded(const QJsonObject &job);
  void mixFinished(const QString &error, const QJsonObject &job);
  void cancelFinished(qint64 id, const QString &error, const QJsonObject &job);
  void logLoaded(qint64 id, const QStringList &lines, const QString &error);

private:
  void upsert(const QJsonObject &job);
  QString text(const QJsonObject &job, Column column) const;

  TopicSubscription *m_topic;  // its ops topic, through the session's current client
  QList<QJsonObject> m_jobs;   // newest (highest id) first
  bool m_hasSnapshot = false;
};

}  // namespace lmfront::models
