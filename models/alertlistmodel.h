// AlertListModel: the active alerts of one node as its ops API's `alerts` topic tells them
// (docs/alerting.md, "On a node"), one row per alert, and the commands an operator runs on them
// (ack, silence). The session that owns it (NodeSession) attaches it to each ops client it makes.
//
// Contract: GUI thread. attach() subscribes the client to `alerts` and clears the rows; the
// topic's snapshot then replaces them, and a delta applies in place: `changes` insert or update
// an alert (a resolved or inactive one leaves), `updated` replace an alert's ack and silence,
// `silences` replaces the silence list. newlyFiring() is emitted for each change that makes an
// alert fire (from pending, or from inactive when the rule has no `for`) and that no silence
// mutes: never for a snapshot (a reconnect must not repeat old news), never for a pending alert,
// an ack or a resolve. RawRole gives sortable values (severity rank, value, since in Unix ms);
// AlertRole the alert object as the node sent it; ToolTipRole its summary.
// Commands go through the attached client; each ends in exactly one commandFinished() (error text
// empty on success, see opsErrorText()), unless the client is replaced first.
#pragma once

#include "client/opsclient.h"

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>

namespace lmfront::models {

class AlertListModel : public QAbstractTableModel {
  Q_OBJECT
public:
  enum class Column { Severity, State, Rule, Labels, Value, Since, Ack, Count };
  enum Role {
    RawRole = Qt::UserRole + 1,
    IdRole,
    AlertRole,
  };
  enum class Command { Ack, Silence };
  Q_ENUM(Command)

  explicit AlertListModel(QObject *parent = nullptr);

  // Follows `client` (not owned) from now on; null detaches. Rows are cleared either way.
  void attach(client::OpsClient *client);

  int rowCount(const QModelIndex &parent = {}) const override;
  int columnCount(const QModelIndex &parent = {}) const override;
  QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

  QJsonObject alert(int row) const {
    return row >= 0 && row < m_alerts.size() ? m_alerts.at(row).toObject() : QJsonObject();
  }
  int rowOf(const QString &id) const;  // -1 when absent
  const QJsonArray &silences() const { return m_silences; }
  bool hasSnapshot() const { return m_hasSnapshot; }

  // The change in a delta's `changes` raises a notification: it fires now, did not before, and
  // no silence mutes it.
  static bool isNewlyFiring(const QJsonObject &change);
  // Matchers that select exactly this alert: `rule` and each label, as anchored-literal regexes.
  static QJsonObject silenceMatchers(const QJsonObject &alert);
  // "label=regex" lines (blank lines skipped) as a matchers object; `error` says which line is bad.
  static QJsonObject parseMatchers(const QString &text, QString *error);
  static QString matchersText(const QJsonObject &matchers);
  // Translated names: "critical", "firing", … (unknown names are shown as they came).
  static QString severityText(const QString &severity);
  static QString stateText(const QString &state);
  static int severityRank(const QString &severity);  // critical 0, warning 1, info 2, else 3
  static QString labelsText(const QJsonObject &labels);
  static QString timeText(const QString &isoUtc);  // local time, "yyyy-MM-dd HH:mm:ss"

  void acknowledge(const QString &id, const QString &comment);
  // `duration`: "2h", "30m", … as the node reads it.
  void silence(const QJsonObject &matchers, const QString &duration, const QString &comment);

public Q_SLOTS:
  void applySnapshot(const QString &topic, qint64 seq, const QJsonObject &payload);
  void applyDelta(const QString &topic, qint64 seq, const QJsonObject &payload);
  // Texts are translated: headers and cells are re-read after a language change.
  void retranslate();

Q_SIGNALS:
  void newlyFiring(const QJsonObject &alert);
  void silencesChanged();
  void commandFinished(lmfront::models::AlertListModel::Command command, const QString &error,
                       const QJsonValue &result);

private:
  void upsert(const QJsonObject &alert);
  void remove(const QString &id);
  QString text(const QJsonObject &alert, Column column) const;
  QVariant raw(const QJsonObject &alert, Column column) const;

  QPointer<client::OpsClient> m_client;
  QJsonArray m_alerts;
  QJsonArray m_silences;
  bool m_hasSnapshot = false;
};

}  // namespace lmfront::models
