// OverviewPage: one glance at a node — identity, health, uptime, address, models — as cards, the
// OpenAI-compatible endpoint to point SDKs at, and a live section: the ops connection's state and
// reason, health, readiness, draining, models served, and QPS, p99, error rate, in-flight, CPU and
// memory, each with a sparkline of the minutes held.
//
// Contract: a view of the session it is handed (setSession(); not owned): the identity cards
// follow its NodeInfoModel (HTTP polling, the fallback for a node without /ops), the live section
// its LiveNodeState (re-read on the session's liveStateReplaced()). Every card
// is refreshed from those objects' signals, so the page holds no node state of its own. Without a
// session, or before the first sample, a card shows a dash. While the connection is not live the
// live values stay, greyed, under a status that says so and why (stale within the client's 2.5 s).
// It ticks the model's uptime between polls and re-translates itself on QEvent::LanguageChange.
// In a cluster (the session's ClusterModel names one) a node selector picks what the live section
// shows: the connected node (the default), another member — its own LiveNodeState, over the
// connection the ClusterModel holds to it — or "All nodes" (ClusterMetrics over every member).
// While shown with another member or all nodes it holds the member connections
// (ClusterModel::acquire), sharing them with the Cluster page; hidden, it releases them.
#pragma once

#include "models/clustermetrics.h"
#include "models/livenodestate.h"
#include "models/nodeinfomodel.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>
#include <array>

class QComboBox;
class QLabel;
class QFrame;

namespace lmfront::models {
class ClusterModel;
class NodeSession;
}  // namespace lmfront::models

namespace lmfront::widgets {

class Sparkline;

class OverviewPage : public QWidget {
  Q_OBJECT
public:
  explicit OverviewPage(QWidget *parent = nullptr);
  ~OverviewPage() override;

  void setSession(models::NodeSession *session);

  // What the live section shows: the connected node (empty), kAllNodes, or a member's id. An id
  // the cluster does not list falls back to the connected node.
  static constexpr QLatin1StringView kAllNodes{"*"};
  void showNode(const QString &id);
  QString shownNode() const { return m_scope; }
  QComboBox *nodeSelector() const { return m_nodeSelector; }

  // The text a card shows for a row (for tests and accessibility).
  QString cardValue(models::NodeInfoModel::Row row) const;
  QString endpointText() const;

  using Series = models::LiveNodeState::Series;
  enum class LiveFact { Health, Readiness, Draining, Models, Count };
  QString liveFactValue(LiveFact fact) const;
  QString metricValue(Series series) const;
  const Sparkline *sparkline(Series series) const;
  // "Live", "Stale — …", "Connecting…", … and the client's reason for it.
  QString liveStatusText() const;
  QString liveReasonText() const;

protected:
  void changeEvent(QEvent *event) override;
  void showEvent(QShowEvent *event) override;
  void hideEvent(QHideEvent *event) override;

private:
  struct Card {
    QFrame *frame = nullptr;
    QLabel *title = nullptr;
    QLabel *value = nullptr;
    QLabel *dot = nullptr;  // only on the health card
  };
  Card makeCard(bool withDot = false);
  void retranslateUi();
  void refresh();
  void bindLive();
  void refreshLiveFacts();
  void refreshMetrics();
  void refreshLiveStatus();
  void refreshClusterFacts();
  client::OpsClient::State refreshClusterStatus();  // the texts; returns the dot's state
  void rebuildSelector();
  bool showsAll() const;
  QString metricText(Series series, double value) const;

  models::NodeSession *m_session = nullptr;
  models::NodeInfoModel *m_model = nullptr;   // the session's
  models::LiveNodeState *m_live = nullptr;    // the node shown: the session's, or a member's
  models::ClusterModel *m_cluster = nullptr;  // the session's
  models::ClusterMetrics m_all;               // follows m_cluster while all nodes are shown
  QString m_scope;                            // see shownNode()
  bool m_shown = false;
  bool m_binding = false;
  std::array<Card, static_cast<size_t>(models::NodeInfoModel::Row::Count)> m_cards;
  Card m_endpoint;
  std::array<Card, static_cast<size_t>(LiveFact::Count)> m_facts;
  std::array<Card, models::LiveNodeState::kSeriesCount> m_metrics;
  std::array<Sparkline *, models::LiveNodeState::kSeriesCount> m_sparklines{};
  QLabel *m_liveTitle;
  QLabel *m_liveDot;
  QLabel *m_liveStatus;
  QLabel *m_liveReason;
  QLabel *m_liveHint;
  QLabel *m_endpointHint;
  QLabel *m_title;
  QLabel *m_subtitle;
  QComboBox *m_nodeSelector;
  QTimer m_tick;
  QElapsedTimer m_sinceHealth;
};

}  // namespace lmfront::widgets
