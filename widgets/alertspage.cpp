#include "widgets/alertspage.h"

#include "models/nodesession.h"
#include "widgets/activealertsview.h"
#include "widgets/alerthistoryview.h"
#include "widgets/alertrulesview.h"

#include <QEvent>
#include <QLabel>
#include <QTabWidget>
#include <QVBoxLayout>

namespace lmfront::widgets {

AlertsPage::AlertsPage(QWidget *parent)
    : QWidget(parent),
      m_title(new QLabel),
      m_subtitle(new QLabel),
      m_tabs(new QTabWidget),
      m_active(new ActiveAlertsView),
      m_history(new AlertHistoryView),
      m_rules(new AlertRulesView) {
  m_title->setObjectName(QStringLiteral("pageTitle"));
  m_subtitle->setObjectName(QStringLiteral("pageSubtitle"));
  m_subtitle->setWordWrap(true);
  m_tabs->setObjectName(QStringLiteral("alertTabs"));
  m_tabs->addTab(m_active, QString());
  m_tabs->addTab(m_history, QString());
  m_tabs->addTab(m_rules, QString());
  auto *layout = new QVBoxLayout(this);
  layout->setContentsMargins(32, 28, 32, 20);
  layout->setSpacing(6);
  layout->addWidget(m_title);
  layout->addWidget(m_subtitle);
  layout->addSpacing(8);
  layout->addWidget(m_tabs, 1);
  retranslateUi();
}

void AlertsPage::setSession(models::NodeSession *session) {
  if (m_session) disconnect(m_session->alerts(), nullptr, this, nullptr);
  m_session = session;
  if (session) {
    models::AlertListModel *alerts = session->alerts();
    for (auto signal : {&QAbstractItemModel::rowsInserted, &QAbstractItemModel::rowsRemoved})
      connect(alerts, signal, this, &AlertsPage::retranslateUi);
    connect(alerts, &QAbstractItemModel::modelReset, this, &AlertsPage::retranslateUi);
    connect(alerts, &QAbstractItemModel::dataChanged, this, &AlertsPage::retranslateUi);
  }
  m_active->setSession(session);
  m_history->setSession(session);
  m_rules->setSession(session);
  retranslateUi();
}

void AlertsPage::setCurrentTab(Tab tab) { m_tabs->setCurrentIndex(static_cast<int>(tab)); }

void AlertsPage::retranslateUi() {
  int firing = 0;
  if (models::AlertListModel *alerts = m_session ? m_session->alerts() : nullptr)
    for (int r = 0; r < alerts->rowCount(); ++r)
      if (alerts->alert(r).value(QLatin1StringView("state")).toString() == QLatin1StringView("firing")) ++firing;
  setWindowTitle(firing > 0 ? tr("Alerts (%1)").arg(firing) : tr("Alerts"));
  m_title->setText(tr("Alerts"));
  m_subtitle->setText(
      tr("What the node's alert rules raise: acknowledge and silence what fires, review the "
         "history, edit the rules."));
  m_tabs->setTabText(static_cast<int>(Tab::Active), tr("Active"));
  m_tabs->setTabText(static_cast<int>(Tab::History), tr("History"));
  m_tabs->setTabText(static_cast<int>(Tab::Rules), tr("Rules"));
}

void AlertsPage::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

}  // namespace lmfront::widgets
