// CatalogModel: a node's model catalog (docs/models.md, "The catalog") as a tree — each model a
// top-level row, its versions its children (ascending) — following the ops topic `catalog` of the
// session's current client, and the lifecycle commands an operator runs on a version.
//
// Contract: GUI thread. setSession() (not owned) subscribes the session's ops client to `catalog`
// and follows the session when it replaces its client (liveStateReplaced), clearing the rows. The
// topic's snapshot replaces the tree; a delta `{"changed": model}` replaces that model's row and
// versions in place (rows inserted, updated, removed), so a selection survives a change made
// elsewhere. The catalog carries no model cards: loadCard() asks the node (`versions`) and ends in
// cardLoaded(); loadReport() asks for a version's stored validation report (`validation_report`)
// and ends in reportLoaded() (an empty report and no error: not validated yet). act() runs a lifecycle command
// (`approve`, `reject`, `publish`, `retire`, `validate`, `compile`) with the version and an optional comment and ends
// in exactly one actionFinished() (error text empty on success, see opsErrorText(); the result is the version
// afterwards, or for validate and compile the job the node started) unless the session's client is
// replaced first. RawRole gives sortable values (bytes, numbers); StateRole the state's name.
//
// Placement: a model's row says which nodes serve it (Column::ServedBy, servedBy()): the members of
// the session's ClusterModel that are not down and list the model in their record, updated as the
// `members` topic changes (a member loading or unloading a model, going down, leaving). Version
// rows leave it blank: a member record names models, not versions.
//
// Which action a version allows is the lifecycle table's word (registry/lifecycle.h), never a copy
// of it: allows() asks registry::nextState(), and a role below operator allows none.
#pragma once

#include "registry/lifecycle.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPointer>

namespace lmfront::client {
class OpsClient;
}

namespace lmfront::models {

class NodeSession;
class TopicSubscription;

class CatalogModel : public QAbstractItemModel {
  Q_OBJECT
public:
  enum class Column {
    Name,
    State,
    ServedBy,
    Size,
    Order,
    Vocabulary,
    DevPerplexity,
    DependsOn,
    Created,
    Submitter,
    Count
  };
  enum Role {
    RawRole = Qt::UserRole + 1,
    ModelNameRole,  // the model's name, on its row and its versions'
    VersionRole,    // the version number; 0 on a model's row
    StateRole,      // the version's state name; empty on a model's row
  };

  explicit CatalogModel(QObject *parent = nullptr);

  void setSession(NodeSession *session);
  bool hasSnapshot() const { return m_hasSnapshot; }

  QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
  QModelIndex parent(const QModelIndex &child) const override;
  int rowCount(const QModelIndex &parent = {}) const override;
  int columnCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  // The row of a model (version 0) or of one of its versions; invalid when absent.
  QModelIndex indexOf(const QString &model, qint64 version = 0) const;
  QStringList modelNames() const;
  QJsonObject modelObject(const QString &model) const;  // as the node sent it, versions included
  QJsonObject versionObject(const QString &model, qint64 version) const;
  // The ids of the nodes serving `model`, sorted; empty when none does.
  QStringList servedBy(const QString &model) const { return m_placement.value(model); }

  // True when `role` may take `action` on a version in `state` (a state name as the node sends it).
  static bool allows(registry::LifecycleAction action, const QString &state, const QString &role);
  // viewer 0, user 1, operator 2, admin 3; -1 for anything else.
  static int roleRank(const QString &role);
  // Translated: "approved", … (unknown names as they came).
  static QString stateText(const QString &state);
  static QString sizeText(qint64 bytes);                         // "75.2 MB"
  static QString dependenciesText(const QJsonArray &dependsOn);  // "english v1, chinese v2"

  void act(registry::LifecycleAction action, const QString &model, qint64 version, const QString &comment);
  void loadCard(const QString &model, qint64 version);
  void loadReport(const QString &model, qint64 version);

public Q_SLOTS:
  void applySnapshot(const QString &topic, qint64 seq, const QJsonObject &payload);
  void applyDelta(const QString &topic, qint64 seq, const QJsonObject &payload);
  void retranslate();

Q_SIGNALS:
  void snapshotApplied();
  void modelChanged(const QString &model);
  void actionFinished(lmfront::registry::LifecycleAction action, const QString &model, qint64 version,
                      const QString &error, const QJsonObject &result);
  void cardLoaded(const QString &model, qint64 version, const QString &card, const QString &error);
  void reportLoaded(const QString &model, qint64 version, const QJsonObject &report, const QString &error);

private:
  struct Entry {
    QJsonObject model;  // without "versions"
    QList<QJsonObject> versions;
  };
  void readPlacement();
  void replaceModel(const QJsonObject &model);
  int rowOfModel(const QString &name) const;
  QString text(const QJsonObject &o, Column column, bool isVersion) const;
  QVariant raw(const QJsonObject &o, Column column, bool isVersion) const;
  static Entry entryOf(const QJsonObject &model);

  QPointer<NodeSession> m_session;
  TopicSubscription *m_topic;  // its ops topic, through the session's current client
  QList<Entry> m_models;
  QHash<QString, QStringList> m_placement;  // model → serving node ids (ClusterModel::placement())
  bool m_hasSnapshot = false;
};

}  // namespace lmfront::models
