// ClusterPage: the cluster Overview — every node of the cluster the connection belongs to, as the
// session's ClusterModel gives them: KPI tiles (nodes up of all, total QPS, worst p99 and whose,
// error rate), a table of the nodes (name, address, state, health, models, QPS, p99, error rate,
// CPU, memory, version; a node that is down or unreachable is marked), and drain/undrain of the
// selected node after an inline confirmation.
//
// Contract: a view of the session it is handed (setSession(); not owned). While shown it holds
// the model's connections to every member (ClusterModel::acquire), shared with the Overview's
// charts of other nodes, and releases them when hidden: a console that no view of the cluster
// needs holds one connection per node it was given. The
// actions need the operator role on the connection's key: below it they are disabled and the page
// says why. A command's outcome (or the node's refusal, in words) shows under the table. It
// re-translates itself on QEvent::LanguageChange.
#pragma once

#include "models/clustermodel.h"

#include <QPointer>
#include <QTimer>
#include <QWidget>
#include <array>

class QLabel;
class QFrame;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace lmfront::models {
class NodeSession;
}

namespace lmfront::widgets {

class ClusterPage : public QWidget {
  Q_OBJECT
public:
  enum class Tile { Nodes, Qps, P99, Errors, Count };

  explicit ClusterPage(QWidget *parent = nullptr);
  ~ClusterPage() override;

  void setSession(models::NodeSession *session);

  // What a tile shows (value and the line under it), the subtitle and the outcome line: for tests.
  QString tileValue(Tile tile) const;
  QString tileDetail(Tile tile) const;
  QString subtitleText() const;
  QString outcomeText() const;
  QTableView *table() const { return m_table; }
  // Selects the node's row; false when the table has none.
  bool selectNode(const QString &id);

protected:
  void changeEvent(QEvent *event) override;
  void showEvent(QShowEvent *event) override;
  void hideEvent(QHideEvent *event) override;

private:
  struct Card {
    QFrame *frame = nullptr;
    QLabel *title = nullptr;
    QLabel *value = nullptr;
    QLabel *detail = nullptr;
  };
  Card makeCard();
  void retranslateUi();
  void refreshTiles();
  void refreshSubtitle();
  void updateActions();
  void bindClient();
  void fitColumns();
  QString selectedId() const;
  bool mayOperate() const;
  void ask(bool drain);
  void confirm();

  models::NodeSession *m_session = nullptr;
  models::ClusterModel *m_model = nullptr;  // the session's; null once it is destroyed
  QPointer<QObject> m_clientWatch;          // the session's ops client whose state is followed
  QSortFilterProxyModel *m_proxy;
  std::array<Card, static_cast<size_t>(Tile::Count)> m_tiles;
  QLabel *m_title;
  QLabel *m_subtitle;
  QTableView *m_table;
  QPushButton *m_drain;
  QPushButton *m_undrain;
  QLabel *m_roleHint;
  QWidget *m_confirmBar;
  QLabel *m_confirmText;
  QPushButton *m_confirm;
  QPushButton *m_cancel;
  QLabel *m_outcome;
  bool m_askedDrain = true;
  QString m_askedId;
  bool m_busy = false;
  QTimer m_fit;  // coalesces fitting the columns to their contents
};

}  // namespace lmfront::widgets
