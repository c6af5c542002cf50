// OverviewPage: one glance at the local node — identity, health, uptime, address, models — as
// cards, plus the OpenAI-compatible endpoint to point SDKs at.
//
// Contract: a view of the NodeInfoModel of the session it is handed (setSession(); not owned);
// every card is refreshed from the model's signals, so the page holds no node state of its own.
// Without a session every card shows a dash. It ticks the model's uptime between polls and
// re-translates itself (and the model) on QEvent::LanguageChange.
#pragma once

#include "models/nodeinfomodel.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QWidget>
#include <array>

class QLabel;
class QFrame;

namespace lmfront::models {
class NodeSession;
}

namespace lmfront::widgets {

class OverviewPage : public QWidget {
  Q_OBJECT
public:
  explicit OverviewPage(QWidget *parent = nullptr);

  void setSession(models::NodeSession *session);

  // The text a card shows for a row (for tests and accessibility).
  QString cardValue(models::NodeInfoModel::Row row) const;
  QString endpointText() const;

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

  models::NodeInfoModel *m_model = nullptr;  // the session's
  std::array<Card, static_cast<size_t>(models::NodeInfoModel::Row::Count)> m_cards;
  Card m_endpoint;
  QLabel *m_endpointHint;
  QLabel *m_title;
  QLabel *m_subtitle;
  QTimer m_tick;
  QElapsedTimer m_sinceHealth;
};

}  // namespace lmfront::widgets
