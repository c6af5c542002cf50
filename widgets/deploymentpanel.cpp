#include "widgets/deploymentpanel.h"

#include "models/catalogmodel.h"
#include "widgets/deploydialog.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QTextDocument>
#include <QVBoxLayout>

namespace lmfront::widgets {

using models::DeploymentState;
using Command = DeploymentState::Command;

namespace {
const QString kDash = QStringLiteral("—");

bool present(const QJsonObject &o, const char *key) {
  const QJsonValue v = o.value(QLatin1StringView(key));
  return !v.isUndefined() && !v.isNull();
}
QString number(const QJsonObject &o, const char *key) {
  return present(o, key) ? QString::number(o.value(QLatin1StringView(key)).toInteger()) : kDash;
}
QString percent(const QJsonObject &o, const char *key) {
  return present(o, key) ? QString::number(o.value(QLatin1StringView(key)).toDouble() * 100, 'f', 1) + u" %"_qs : kDash;
}
QString ms(const QJsonObject &o, const char *key) {
  return present(o, key) ? QString::number(o.value(QLatin1StringView(key)).toDouble(), 'f', 1) + u" ms"_qs : kDash;
}
}  // namespace

DeploymentPanel::DeploymentPanel(models::DeploymentState *state, QWidget *parent)
    : QGroupBox(parent),
      m_state(state),
      m_serving(new QLabel),
      m_health(new QLabel),
      m_deploy(new QPushButton),
      m_promote(new QPushButton),
      m_rollback(new QPushButton),
      m_message(new QLabel) {
  setObjectName(QStringLiteral("deploymentPanel"));
  m_serving->setObjectName(QStringLiteral("deploymentServing"));
  m_serving->setWordWrap(true);
  m_health->setObjectName(QStringLiteral("deploymentHealth"));
  m_health->setTextFormat(Qt::RichText);
  m_deploy->setObjectName(QStringLiteral("deployButton"));
  m_promote->setObjectName(QStringLiteral("promoteButton"));
  m_rollback->setObjectName(QStringLiteral("rollbackButton"));
  m_message->setObjectName(QStringLiteral("deploymentMessage"));
  m_message->setWordWrap(true);
  m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto *buttons = new QHBoxLayout;
  buttons->addWidget(m_deploy);
  buttons->addWidget(m_promote);
  buttons->addWidget(m_rollback);
  buttons->addStretch(1);
  auto *layout = new QVBoxLayout(this);
  layout->addWidget(m_serving);
  layout->addWidget(m_health);
  layout->addLayout(buttons);
  layout->addWidget(m_message);

  connect(m_deploy, &QPushButton::clicked, this, &DeploymentPanel::openDeploy);
  connect(m_promote, &QPushButton::clicked, this, [this] {
    showMessage(tr("Promoting…"), false);
    m_state->promote(m_model);
  });
  connect(m_rollback, &QPushButton::clicked, this, &DeploymentPanel::confirmRollback);
  connect(m_state, &DeploymentState::changed, this, [this](const QString &model) {
    if (model.isEmpty() || model == m_model) refresh();
  });
  connect(m_state, &DeploymentState::canaryBreached, this, [this](const QString &model, const QJsonObject &breach) {
    if (model != m_model) return;
    showMessage(tr("The canary v%1 breached its %2 limit (measured %3, limit %4) and was rolled back.")
                    .arg(breach.value(QLatin1StringView("version")).toInteger())
                    .arg(breach.value(QLatin1StringView("limit")).toString())
                    .arg(breach.value(QLatin1StringView("measured")).toDouble())
                    .arg(breach.value(QLatin1StringView("limit_value")).toDouble()),
                true);
  });
  connect(m_state, &DeploymentState::commandFinished, this,
          [this](Command command, const QString &model, const QString &error, const QJsonObject &) {
            if (model == m_model) {
              if (!error.isEmpty())
                showMessage(error, true);
              else if (command == Command::Deploy)
                showMessage(tr("Deployed."), false);
              else if (command == Command::Promote)
                showMessage(tr("Promoted: the variant is the stable version now."), false);
              else
                showMessage(tr("Rolled back."), false);
            }
            Q_EMIT commandFinished(command, error);
          });
  retranslateUi();
}

void DeploymentPanel::setTarget(const QString &model, qint64 version, const QString &state, const QString &role) {
  if (model != m_model) m_message->clear();
  m_model = model;
  m_version = version;
  m_versionState = state;
  m_role = role;
  refresh();
}

QString DeploymentPanel::servingText() const { return m_serving->text(); }
QString DeploymentPanel::messageText() const { return m_message->text(); }

QString DeploymentPanel::healthText() const {
  QTextDocument doc;
  doc.setHtml(m_health->text());
  return doc.toPlainText();
}

void DeploymentPanel::refresh() {
  const QJsonObject d = m_state->deployment(m_model);
  setVisible(!m_model.isEmpty());
  QStringList lines;
  if (d.isEmpty()) {
    lines << tr("This model is not deployed on this node.");
  } else {
    QString serving =
        present(d, "stable_version") ? tr("Serving v%1.").arg(number(d, "stable_version")) : tr("Serving its file.");
    if (present(d, "previous_version"))
      serving += u' ' + tr("v%1 is kept loaded for a rollback.").arg(number(d, "previous_version"));
    lines << serving;
    const QString strategy = d.value(QLatin1StringView("strategy")).toString();
    const QString share = QString::number(d.value(QLatin1StringView("percent")).toDouble(), 'g', 4);
    const bool sticky = d.value(QLatin1StringView("sticky")).toBool();
    if (strategy == QLatin1StringView("canary"))
      lines << (sticky ? tr("Canary v%1 on %2 % of requests (sticky).") : tr("Canary v%1 on %2 % of requests."))
                   .arg(number(d, "variant_version"), share);
    else if (strategy == QLatin1StringView("shadow"))
      lines << tr("Shadow v%1 mirrors %2 % of requests.").arg(number(d, "variant_version"), share);
    if (present(d, "loading")) lines << tr("Loading v%1…").arg(number(d, "loading"));
  }
  m_serving->setText(lines.join(u'\n'));

  // Canary beside stable, from the guard's last evaluation.
  const QJsonObject m = d.value(QLatin1StringView("measures")).toObject();
  const QJsonObject l = d.value(QLatin1StringView("limits")).toObject();
  if (DeploymentState::hasVariant(d)) {
    auto row = [](const QString &name, const QString &stable, const QString &variant, const QString &limit) {
      return QStringLiteral(
                 "<tr><td style='color:#6b7785; padding-right:14px'>%1</td><td align=right "
                 "style='padding-right:14px'>%2</td><td align=right style='padding-right:14px'>%3</td>"
                 "<td style='color:#6b7785'>%4</td></tr>")
          .arg(name.toHtmlEscaped(), stable.toHtmlEscaped(), variant.toHtmlEscaped(), limit.toHtmlEscaped());
    };
    QStringList p99Limits;
    if (present(l, "max_p99_ms")) p99Limits << tr("≤ %1").arg(ms(l, "max_p99_ms"));
    if (present(l, "max_p99_ratio"))
      p99Limits << tr("≤ %1 × stable").arg(l.value(QLatin1StringView("max_p99_ratio")).toDouble());
    QString html = QStringLiteral("<table>");
    html += row(QString(), tr("stable v%1").arg(number(d, "stable_version")),
                tr("%1 v%2").arg(d.value(QLatin1StringView("strategy")).toString(), number(d, "variant_version")),
                tr("limit"));
    html += row(tr("Requests"), number(m, "stable_requests"), number(m, "requests"),
                present(l, "min_requests") ? tr("judged after %1").arg(number(l, "min_requests")) : QString());
    html += row(tr("Error rate"), kDash, percent(m, "error_rate"),
                present(l, "max_error_rate") ? tr("≤ %1").arg(percent(l, "max_error_rate")) : QString());
    html += row(tr("p99 latency"), ms(m, "stable_p99_ms"), ms(m, "p99_ms"), p99Limits.join(QStringLiteral(", ")));
    m_health->setText(html + QStringLiteral("</table>"));
    m_health->show();
  } else {
    m_health->clear();
    m_health->hide();
  }

  const bool operatorRole = models::CatalogModel::roleRank(m_role) >= models::CatalogModel::roleRank(u"operator"_qs);
  const bool loading = present(d, "loading");
  m_deploy->setEnabled(m_version > 0 && !loading && !DeploymentState::hasVariant(d) &&
                       models::CatalogModel::allows(registry::LifecycleAction::Deploy, m_versionState, m_role));
  m_deploy->setToolTip(m_deploy->isEnabled() ? QString()
                       : !operatorRole       ? tr("Needs the operator role.")
                       : m_version == 0      ? tr("Select a published version to deploy it.")
                                             : tr("Only a published version deploys, one deploy at a time."));
  m_promote->setEnabled(operatorRole && DeploymentState::hasVariant(d));
  m_rollback->setEnabled(operatorRole && DeploymentState::canRollBack(d));
}

void DeploymentPanel::openDeploy() {
  if (m_version == 0) return;
  if (m_dialog) m_dialog->deleteLater();
  auto *dialog = new DeployDialog(m_model, m_version, this);
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  m_dialog = dialog;
  connect(dialog, &QDialog::accepted, this, [this, dialog] {
    const models::DeployRequest request = dialog->request();
    showMessage(tr("Deploying %1 v%2…").arg(request.model).arg(request.version), false);
    m_state->deploy(request);
  });
  dialog->open();
}

void DeploymentPanel::confirmRollback() {
  const QJsonObject d = m_state->deployment(m_model);
  QString what;
  if (DeploymentState::hasVariant(d))
    what = tr("Drop the %1 v%2; every request goes to v%3 again.")
               .arg(d.value(QLatin1StringView("strategy")).toString(), number(d, "variant_version"),
                    number(d, "stable_version"));
  else if (present(d, "loading"))
    what = tr("Cancel the deploy of v%1 still loading.").arg(number(d, "loading"));
  else
    what =
        tr("Serve v%1 again instead of v%2, at once.").arg(number(d, "previous_version"), number(d, "stable_version"));
  if (m_dialog) m_dialog->deleteLater();
  auto *box = new QMessageBox(QMessageBox::Warning, tr("Roll back %1?").arg(m_model), what, QMessageBox::Cancel, this);
  box->setObjectName(QStringLiteral("rollbackConfirm"));
  QPushButton *yes = box->addButton(tr("Roll back"), QMessageBox::DestructiveRole);
  yes->setObjectName(QStringLiteral("rollbackConfirmButton"));
  box->setDefaultButton(QMessageBox::Cancel);
  box->setAttribute(Qt::WA_DeleteOnClose);
  m_dialog = box;
  const QString model = m_model;
  connect(box, &QMessageBox::buttonClicked, this, [this, yes, model](QAbstractButton *clicked) {
    if (clicked != yes) return;
    showMessage(tr("Rolling back…"), false);
    m_state->rollback(model);
  });
  box->open();
}

void DeploymentPanel::showMessage(const QString &text, bool error) {
  m_messageIsError = error;
  m_message->setText(text);
  m_message->setStyleSheet(error ? QStringLiteral("color: #b42318;") : QStringLiteral("color: #2e7d4f;"));
}

void DeploymentPanel::retranslateUi() {
  setTitle(tr("Deployment"));
  m_deploy->setText(tr("Deploy…"));
  m_promote->setText(tr("Promote"));
  m_rollback->setText(tr("Roll back…"));
  refresh();
}

void DeploymentPanel::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QGroupBox::changeEvent(event);
}

}  // namespace lmfront::widgets
