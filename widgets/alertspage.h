// AlertsPage: the console's Alerts section — three tabs over the node the console shows: Active
// (ActiveAlertsView: live alerts, acknowledge, silence), History (AlertHistoryView: filters,
// table, CSV export, alerts per day, MTTA/MTTR) and Rules (AlertRulesView: view, validate, apply).
//
// Contract: views only; setSession() hands the session (not owned) to every tab. The page title
// counts the firing alerts ("Alerts (2)"), so the sidebar shows them from any section.
// Re-translates on QEvent::LanguageChange.
#pragma once

#include <QPointer>
#include <QWidget>

class QLabel;
class QTabWidget;

namespace lmfront::models {
class NodeSession;
}

namespace lmfront::widgets {

class ActiveAlertsView;
class AlertHistoryView;
class AlertRulesView;

class AlertsPage : public QWidget {
  Q_OBJECT
public:
  enum class Tab { Active, History, Rules };

  explicit AlertsPage(QWidget *parent = nullptr);

  void setSession(models::NodeSession *session);
  void setCurrentTab(Tab tab);
  ActiveAlertsView *active() const { return m_active; }
  AlertHistoryView *history() const { return m_history; }
  AlertRulesView *rules() const { return m_rules; }

protected:
  void changeEvent(QEvent *event) override;

private:
  void retranslateUi();

  QPointer<models::NodeSession> m_session;
  QLabel *m_title;
  QLabel *m_subtitle;
  QTabWidget *m_tabs;
  ActiveAlertsView *m_active;
  AlertHistoryView *m_history;
  AlertRulesView *m_rules;
};

}  // namespace lmfront::widgets
