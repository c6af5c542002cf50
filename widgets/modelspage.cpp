#include "widgets/modelspage.h"

#include "models/nodesession.h"
#include "widgets/commentdialog.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QTextBrowser>
#include <QTreeView>
#include <QVBoxLayout>

namespace lmfront::widgets {

using models::CatalogModel;
using Column = CatalogModel::Column;

namespace {
const QString kDash = QStringLiteral("—");
QString key(const QString &model, qint64 version) { return model + u'/' + QString::number(version); }
}  // namespace

ModelsPage::ModelsPage(QWidget *parent)
    : QWidget(parent),
      m_title(new QLabel),
      m_subtitle(new QLabel),
      m_role(new QLabel),
      m_submit(new QPushButton),
      m_mix(new QPushButton),
      m_uploadPanel(new UploadPanel(&m_upload)),
      m_tree(new QTreeView),
      m_heading(new QLabel),
      m_details(new QLabel),
      m_message(new QLabel),
      m_deployment(new DeploymentPanel(&m_deployments)),
      m_tabs(new QTabWidget),
      m_card(new QTextBrowser),
      m_report(new ValidationReportView),
      m_jobsPanel(new JobsPanel(&m_jobs)) {
  m_title->setObjectName(QStringLiteral("pageTitle"));
  m_subtitle->setObjectName(QStringLiteral("pageSubtitle"));
  m_subtitle->setWordWrap(true);
  m_role->setObjectName(QStringLiteral("modelsRole"));
  m_submit->setObjectName(QStringLiteral("submitButton"));
  m_mix->setObjectName(QStringLiteral("mixButton"));
  connect(m_submit, &QPushButton::clicked, this, &ModelsPage::openSubmit);
  connect(m_mix, &QPushButton::clicked, this, &ModelsPage::openMix);

  m_tree->setObjectName(QStringLiteral("catalogTree"));
  m_tree->setModel(&m_catalog);
  m_tree->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
  m_tree->setAlternatingRowColors(true);
  m_tree->setUniformRowHeights(true);
  m_tree->header()->setStretchLastSection(true);

  m_heading->setObjectName(QStringLiteral("sectionTitle"));
  m_details->setObjectName(QStringLiteral("versionDetails"));
  m_details->setTextFormat(Qt::RichText);
  m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_details->setWordWrap(true);

  auto *buttons = new QHBoxLayout;
  for (const Action action :
       {Action::Validate, Action::Approve, Action::Reject, Action::Compile, Action::Publish, Action::Retire}) {
    auto *button = new QPushButton;
    button->setObjectName(QString::fromUtf8(registry::lifecycleActionName(action)) + u"Button"_qs);
    connect(button, &QPushButton::clicked, this, [this, action] { request(action); });
    m_actions.insert(action, button);
    buttons->addWidget(button);
  }
  buttons->addStretch(1);

  m_message->setObjectName(QStringLiteral("modelsMessage"));
  m_message->setWordWrap(true);
  m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_card->setObjectName(QStringLiteral("modelCard"));
  m_card->setOpenExternalLinks(false);
  m_tabs->setObjectName(QStringLiteral("versionTabs"));
  m_tabs->addTab(m_card, QString());
  m_tabs->addTab(m_report, QString());

  auto *side = new QWidget;
  auto *sideLayout = new QVBoxLayout(side);
  sideLayout->setContentsMargins(12, 0, 0, 0);
  sideLayout->addWidget(m_heading);
  sideLayout->addWidget(m_details);
  sideLayout->addLayout(buttons);
  sideLayout->addWidget(m_message);
  sideLayout->addWidget(m_deployment);
  sideLayout->addSpacing(6);
  sideLayout->addWidget(m_tabs, 1);

  auto *left = new QSplitter(Qt::Vertical);
  left->addWidget(m_tree);
  left->addWidget(m_jobsPanel);
  left->setStretchFactor(0, 3);
  left->setStretchFactor(1, 2);
  auto *split = new QSplitter(Qt::Horizontal);
  split->addWidget(left);
  split->addWidget(side);
  split->setStretchFactor(0, 3);
  split->setStretchFactor(1, 2);

  auto *layout = new QVBoxLayout(this);
  layout->setContentsMargins(32, 28, 32, 20);
  layout->setSpacing(6);
  layout->addWidget(m_title);
  layout->addWidget(m_subtitle);
  auto *top = new QHBoxLayout;
  top->addWidget(m_role, 1);
  top->addWidget(m_submit);
  top->addWidget(m_mix);
  layout->addLayout(top);
  layout->addWidget(m_uploadPanel);
  layout->addSpacing(8);
  layout->addWidget(split, 1);

  connect(m_tree->selectionModel(), &QItemSelectionModel::selectionChanged, this, &ModelsPage::onSelection);
  connect(&m_catalog, &QAbstractItemModel::dataChanged, this, &ModelsPage::onSelection);
  connect(&m_catalog, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &from, const QModelIndex &to) {
    const int servedBy = static_cast<int>(Column::ServedBy);
    if (from.column() <= servedBy && servedBy <= to.column()) m_tree->resizeColumnToContents(servedBy);
  });
  connect(&m_catalog, &CatalogModel::snapshotApplied, this, [this] {
    m_tree->expandAll();
    for (int c = 0; c < m_catalog.columnCount(); ++c) m_tree->resizeColumnToContents(c);
  });
  connect(&m_catalog, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &parentIndex) {
    m_tree->expand(parentIndex.isValid() ? parentIndex : QModelIndex());
  });
  connect(&m_catalog, &CatalogModel::cardLoaded, this,
          [this](const QString &model, qint64 version, const QString &card, const QString &error) {
            if (key(model, version) != m_cardFor) return;
            if (!error.isEmpty())
              m_card->setPlainText(error);
            else if (card.trimmed().isEmpty())
              m_card->setPlainText(tr("This version has no model card."));
            else
              m_card->setMarkdown(card);
          });
  connect(&m_catalog, &CatalogModel::actionFinished, this,
          [this](Action action, const QString &model, qint64 version, const QString &error, const QJsonObject &result) {
            if (!error.isEmpty()) {
              showMessage(error, true);
            } else if (action == Action::Validate || action == Action::Compile) {
              const qint64 job = result.value(QLatin1StringView("id")).toInteger();
              showMessage(tr("%1 %2 v%3: job %4 started.").arg(actionText(action), model).arg(version).arg(job), false);
              follow(job);
            } else {
              const QString state = result.value(QLatin1StringView("state")).toString();
              showMessage(tr("%1 v%2 is %3 now.").arg(model).arg(version).arg(CatalogModel::stateText(state)), false);
            }
            Q_EMIT actionFinished(action, error);
          });
  connect(&m_catalog, &CatalogModel::reportLoaded, this,
          [this](const QString &model, qint64 version, const QJsonObject &report, const QString &error) {
            if (key(model, version) != m_reportFor) return;
            if (!error.isEmpty())
              m_report->setMessage(error);
            else if (report.isEmpty())
              m_report->setMessage(tr("No validation report yet: this version has not been validated."));
            else
              m_report->setReport(report);
            Q_EMIT reportShown(model, version);
          });
  connect(&m_jobs, &models::JobListModel::jobEnded, this, &ModelsPage::onJobEnded);
  connect(&m_jobs, &models::JobListModel::mixFinished, this, [this](const QString &error, const QJsonObject &job) {
    if (!error.isEmpty()) return showMessage(error, true);
    const qint64 id = job.value(QLatin1StringView("id")).toInteger();
    showMessage(tr("Mix into %1: job %2 started.").arg(job.value(QLatin1StringView("model")).toString()).arg(id),
                false);
    follow(id);
  });
  connect(&m_upload, &models::BundleUpload::stateChanged, this, &ModelsPage::refreshActions);
  connect(&m_upload, &models::BundleUpload::finished, this, [this](const QJsonObject &result) {
    const QString model = result.value(QLatin1StringView("model")).toString();
    const qint64 version = result.value(QLatin1StringView("version")).toInteger();
    if (!selectVersion(model, version)) m_selectWhenListed = key(model, version);
    follow(result.value(QLatin1StringView("job")).toInteger());
  });
  connect(&m_catalog, &CatalogModel::modelChanged, this, [this](const QString &model) {
    if (m_selectWhenListed.isEmpty() || !m_selectWhenListed.startsWith(model + u'/')) return;
    if (selectVersion(model, m_selectWhenListed.mid(model.size() + 1).toLongLong())) m_selectWhenListed.clear();
  });
  retranslateUi();
  onSelection();
}

void ModelsPage::setSession(models::NodeSession *session) {
  if (models::NodeSession *old = m_session.data()) {
    disconnect(old, nullptr, this, nullptr);
    disconnect(old->opsClient(), nullptr, this, nullptr);
  }
  m_session = session;
  m_catalog.setSession(session);
  m_deployments.setSession(session);
  m_jobs.setSession(session);
  m_upload.setSession(session);
  m_started.clear();
  m_selectWhenListed.clear();
  if (session) {
    auto follow = [this] {
      if (models::NodeSession *s = m_session.data())
        connect(s->opsClient(), &client::OpsClient::stateChanged, this, &ModelsPage::refreshRole);
      refreshRole();
    };
    connect(session, &models::NodeSession::liveStateReplaced, this, follow);
    follow();
  }
  m_message->clear();
  refreshRole();
  onSelection();
}

QString ModelsPage::role() const {
  models::NodeSession *session = m_session.data();
  if (!session) return {};
  const client::OpsClient *ops = session->opsClient();
  const auto state = ops->state();
  if (state != client::OpsClient::State::Live && state != client::OpsClient::State::Stale) return {};
  return ops->session().role;
}

void ModelsPage::refreshRole() {
  const QString r = role();
  models::NodeSession *session = m_session.data();
  if (r.isEmpty() || !session)
    m_role->setText(tr("Connecting to the node…"));
  else
    m_role->setText(tr("Signed in as %1 (%2)").arg(session->opsClient()->session().principal, r));
  refreshActions();
}

QString ModelsPage::roleText() const { return m_role->text(); }

bool ModelsPage::selectVersion(const QString &model, qint64 version) {
  const QModelIndex at = m_catalog.indexOf(model, version);
  if (!at.isValid()) return false;
  if (at.parent().isValid()) m_tree->expand(at.parent());
  m_tree->selectionModel()->select(at, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  m_tree->setCurrentIndex(at);
  m_tree->scrollTo(at);
  return true;
}

QString ModelsPage::selectedModel() const {
  const QModelIndexList rows = m_tree->selectionModel()->selectedRows();
  return rows.isEmpty() ? QString() : rows.first().data(CatalogModel::ModelNameRole).toString();
}

qint64 ModelsPage::selectedVersion() const {
  const QModelIndexList rows = m_tree->selectionModel()->selectedRows();
  return rows.isEmpty() ? 0 : rows.first().data(CatalogModel::VersionRole).toLongLong();
}

QString ModelsPage::messageText() const { return m_message->text(); }
QString ModelsPage::cardText() const { return m_card->toPlainText(); }

void ModelsPage::onSelection() {
  const QString model = selectedModel();
  const qint64 version = selectedVersion();
  if (model.isEmpty()) {
    m_heading->setText(tr("Select a model or a version"));
    m_details->clear();
    m_cardFor.clear();
    m_card->clear();
    m_reportFor.clear();
    m_report->setMessage(QString());
    refreshActions();
    return;
  }
  auto row = [](const QString &name, const QString &value) {
    return QStringLiteral("<tr><td style='color:#6b7785; padding-right:12px'>%1</td><td>%2</td></tr>")
        .arg(name.toHtmlEscaped(), value.toHtmlEscaped());
  };
  QString html = QStringLiteral("<table>");
  if (version == 0) {
    const QJsonObject m = m_catalog.modelObject(model);
    m_heading->setText(model);
    html += row(tr("Description"), m.value(QLatin1StringView("description")).toString());
    html += row(tr("Owner"), m.value(QLatin1StringView("owner")).toString());
    html += row(tr("License"), m.value(QLatin1StringView("license")).toString());
    html += row(tr("Versions"), QString::number(m.value(QLatin1StringView("versions")).toArray().size()));
    const QStringList nodes = m_catalog.servedBy(model);
    html += row(tr("Served by"), nodes.isEmpty() ? tr("no node") : nodes.join(QStringLiteral(", ")));
    m_cardFor.clear();
    m_card->setPlainText(tr("Select a version to read its model card."));
    m_reportFor.clear();
    m_report->setMessage(tr("Select a version to read its validation report."));
  } else {
    const QModelIndex at = m_catalog.indexOf(model, version);
    const QJsonObject v = m_catalog.versionObject(model, version);
    auto cell = [&](Column c) { return m_catalog.index(at.row(), static_cast<int>(c), at.parent()).data().toString(); };
    m_heading->setText(tr("%1 v%2 — %3").arg(model).arg(version).arg(cell(Column::State)));
    html += row(tr("Size"), cell(Column::Size));
    html += row(tr("Order"), cell(Column::Order));
    html += row(tr("Vocabulary"), cell(Column::Vocabulary));
    html += row(tr("Dev perplexity"), cell(Column::DevPerplexity));
    html += row(tr("Depends on"), cell(Column::DependsOn));
    html += row(tr("Submitter"), cell(Column::Submitter));
    html += row(tr("Created"), cell(Column::Created));
    html += row(tr("SHA-256"), v.value(QLatin1StringView("sha256")).toString());
    if (m_cardFor != key(model, version)) {
      m_cardFor = key(model, version);
      m_card->setPlainText(tr("Loading…"));
      m_catalog.loadCard(model, version);
    }
    if (m_reportFor != key(model, version)) loadReport(model, version);
  }
  m_details->setText(html + QStringLiteral("</table>"));
  refreshActions();
}

void ModelsPage::refreshActions() {
  const QString r = role();
  const QString model = selectedModel();
  const qint64 version = selectedVersion();
  const QString state =
      version ? m_catalog.versionObject(model, version).value(QLatin1StringView("state")).toString() : QString();
  m_deployment->setTarget(model, version, state, r);
  m_jobsPanel->setRole(r);
  const bool mayOperate = CatalogModel::roleRank(r) >= CatalogModel::roleRank(QStringLiteral("operator"));
  const QString roleWhy =
      r.isEmpty() ? tr("Not connected to the node.") : tr("Needs the operator role; this key has %1.").arg(r);
  m_submit->setEnabled(mayOperate && !m_upload.isBusy());
  m_submit->setToolTip(!mayOperate         ? roleWhy
                       : m_upload.isBusy() ? tr("An upload is running.")
                                           : tr("Upload a bundle as the next version of its model."));
  const bool canMix = mixCandidates().size() >= 2;
  m_mix->setEnabled(mayOperate && canMix);
  m_mix->setToolTip(!mayOperate ? roleWhy
                    : !canMix   ? tr("Mixing needs two published versions.")
                                : tr("Interpolate published versions into a new version."));
  const bool roleOk = CatalogModel::roleRank(r) >= CatalogModel::roleRank(QStringLiteral("operator"));
  for (auto it = m_actions.cbegin(); it != m_actions.cend(); ++it) {
    const bool enabled = version > 0 && CatalogModel::allows(it.key(), state, r);
    it.value()->setEnabled(enabled);
    QString why;
    if (version == 0)
      why = tr("Select a version first.");
    else if (!roleOk)
      why = r.isEmpty() ? tr("Not connected to the node.") : tr("Needs the operator role; this key has %1.").arg(r);
    else if (!enabled) {
      const auto from = registry::versionStateFromName(state.toStdString());
      if (from) why = QString::fromStdString(registry::nextState(it.key(), *from).status().message());
    }
    it.value()->setToolTip(why);
  }
}

void ModelsPage::request(Action action) {
  const QString model = selectedModel();
  const qint64 version = selectedVersion();
  if (model.isEmpty() || version == 0) return;
  if (action == Action::Publish || action == Action::Validate || action == Action::Compile)
    return run(action, model, version, {});
  const QString target = tr("%1 v%2").arg(model).arg(version);
  QString title, prompt;
  switch (action) {
  case Action::Approve:
    title = tr("Approve %1").arg(target);
    prompt =
        tr("Approve %1 for compiling and publishing. Say why (kept with the review and in the audit log).").arg(target);
    break;
  case Action::Reject:
    title = tr("Reject %1").arg(target);
    prompt = tr("Reject %1. A rejected version is final; say what is wrong with it.").arg(target);
    break;
  default:
    title = tr("Retire %1").arg(target);
    prompt = tr("Retire %1: it leaves service for good. Say why.").arg(target);
    break;
  }
  if (m_dialog) m_dialog->deleteLater();
  m_dialog = new CommentDialog(title, prompt, actionText(action), action == Action::Reject, this);
  m_dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(m_dialog, &QDialog::accepted, this,
          [this, action, model, version] { run(action, model, version, m_dialog ? m_dialog->comment() : QString()); });
  m_dialog->open();
}

void ModelsPage::run(Action action, const QString &model, qint64 version, const QString &comment) {
  showMessage(tr("%1 %2 v%3…").arg(actionText(action), model).arg(version), false);
  m_catalog.act(action, model, version, comment);
}

void ModelsPage::loadReport(const QString &model, qint64 version) {
  m_reportFor = key(model, version);
  m_report->setMessage(tr("Loading…"));
  m_catalog.loadReport(model, version);
}

void ModelsPage::follow(qint64 job) {
  m_started.insert(job);
  // The topic's delta and the command's answer travel apart: the job may have ended already.
  if (const QJsonObject known = m_jobs.job(job);
      !known.isEmpty() && !models::JobListModel::isActive(known.value(QLatin1StringView("state")).toString()))
    onJobEnded(known);
}

void ModelsPage::onJobEnded(const QJsonObject &job) {
  const qint64 id = job.value(QLatin1StringView("id")).toInteger();
  const QString kind = job.value(QLatin1StringView("kind")).toString();
  const QString model = job.value(QLatin1StringView("model")).toString();
  const qint64 version = job.value(QLatin1StringView("version")).toInteger();
  const bool validates = kind == QLatin1StringView("validate") || kind == QLatin1StringView("train");
  if (validates && version > 0 && key(model, version) == m_reportFor) loadReport(model, version);
  if (!m_started.contains(id)) return;
  m_started.remove(id);
  const QString state = job.value(QLatin1StringView("state")).toString();
  const QString error = job.value(QLatin1StringView("error")).toString();
  const QString what =
      tr("Job %1 (%2 %3)").arg(id).arg(models::JobListModel::kindText(kind), models::JobListModel::targetText(job));
  if (state == QLatin1StringView("succeeded")) {
    showMessage(tr("%1 succeeded.").arg(what), false);
    if (validates && selectedModel() == model && selectedVersion() == version) m_tabs->setCurrentWidget(m_report);
  } else if (state == QLatin1StringView("cancelled")) {
    showMessage(tr("%1 was cancelled.").arg(what), true);
  } else {
    showMessage(tr("%1 failed: %2").arg(what, error), true);
  }
  Q_EMIT jobFinished(job);
}

QList<MixDialog::Candidate> ModelsPage::mixCandidates() const {
  QList<MixDialog::Candidate> out;
  for (const QString &model : m_catalog.modelNames()) {
    for (const QJsonValue &v : m_catalog.modelObject(model).value(QLatin1StringView("versions")).toArray()) {
      const QJsonObject o = v.toObject();
      const QString state = o.value(QLatin1StringView("state")).toString();
      if ((state == QLatin1StringView("published") || state == QLatin1StringView("deployed")) &&
          !o.value(QLatin1StringView("artifact_sha256")).toString().isEmpty())
        out.append({model, o.value(QLatin1StringView("version")).toInteger()});
    }
  }
  return out;
}

void ModelsPage::openSubmit() {
  if (m_submitDialog) m_submitDialog->deleteLater();
  auto *dialog = new SubmitDialog(this);
  m_submitDialog = dialog;
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  if (!m_upload.path().isEmpty()) dialog->setPath(m_upload.path());
  connect(dialog, &QDialog::accepted, this, [this, dialog] { m_upload.start(dialog->path()); });
  dialog->open();
}

void ModelsPage::openMix() {
  if (m_mixDialog) m_mixDialog->deleteLater();
  auto *dialog = new MixDialog(mixCandidates(), this);
  m_mixDialog = dialog;
  dialog->setAttribute(Qt::WA_DeleteOnClose);
  connect(dialog, &QDialog::accepted, this, [this, dialog] {
    const models::MixRequest request = dialog->request();
    showMessage(tr("Mixing into %1…").arg(request.model), false);
    m_jobs.mix(request);
  });
  dialog->open();
}

void ModelsPage::showMessage(const QString &text, bool error) {
  m_messageIsError = error;
  m_message->setText(text);
  m_message->setStyleSheet(error ? QStringLiteral("color: #b42318;") : QStringLiteral("color: #2e7d4f;"));
}

QString ModelsPage::actionText(Action action) {
  switch (action) {
  case Action::Validate: return tr("Validate");
  case Action::Approve: return tr("Approve");
  case Action::Reject: return tr("Reject");
  case Action::Compile: return tr("Compile");
  case Action::Publish: return tr("Publish");
  case Action::Deploy: return tr("Deploy");
  case Action::Retire: return tr("Retire");
  case Action::Rollback: return tr("Roll back");
  case Action::Promote: return tr("Promote");
  case Action::Supersede: return {};  // the deployer's own step, never a button
  }
  return {};
}

void ModelsPage::retranslateUi() {
  setWindowTitle(tr("Models"));
  m_title->setText(tr("Models"));
  m_subtitle->setText(
      tr("The node's catalog: every model and its versions through review, publishing and deployment."));
  for (auto it = m_actions.cbegin(); it != m_actions.cend(); ++it) it.value()->setText(actionText(it.key()));
  m_submit->setText(tr("Submit…"));
  m_mix->setText(tr("Mix…"));
  m_tabs->setTabText(m_tabs->indexOf(m_card), tr("Model card"));
  m_tabs->setTabText(m_tabs->indexOf(m_report), tr("Validation report"));
  m_reportFor.clear();  // loaded again in the new language
  m_catalog.retranslate();
  refreshRole();
  onSelection();
}

void ModelsPage::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

}  // namespace lmfront::widgets
