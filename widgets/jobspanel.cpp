#include "widgets/jobspanel.h"

#include "models/catalogmodel.h"

#include <QApplication>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QStyledItemDelegate>
#include <QTreeView>
#include <QVBoxLayout>

namespace lmfront::widgets {

using models::JobListModel;
using Column = JobListModel::Column;

namespace {

// The progress column as a bar, so a running job's progress reads at a glance.
class ProgressDelegate : public QStyledItemDelegate {
public:
  using QStyledItemDelegate::QStyledItemDelegate;
  void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override {
    QStyledItemDelegate::paint(painter, option, QModelIndex());  // selection and alternate background
    QStyleOptionProgressBar bar;
    bar.rect = option.rect.adjusted(4, 3, -4, -3);
    bar.minimum = 0;
    bar.maximum = 100;
    bar.progress = qBound(0, qRound(index.data(JobListModel::ProgressRole).toDouble() * 100), 100);
    bar.text = index.data().toString();
    bar.textVisible = true;
    bar.textAlignment = Qt::AlignCenter;
    bar.state = option.state | QStyle::State_Horizontal;
    const QWidget *widget = option.widget;
    (widget ? widget->style() : QApplication::style())->drawControl(QStyle::CE_ProgressBar, &bar, painter, widget);
  }
  QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override {
    return QStyledItemDelegate::sizeHint(option, index).expandedTo(QSize(110, option.fontMetrics.height() + 8));
  }
};

}  // namespace

JobsPanel::JobsPanel(JobListModel *jobs, QWidget *parent)
    : QGroupBox(parent),
      m_jobs(jobs),
      m_view(new QTreeView),
      m_cancel(new QPushButton),
      m_log(new QPushButton),
      m_message(new QLabel),
      m_logTitle(new QLabel),
      m_logView(new QPlainTextEdit) {
  setObjectName(QStringLiteral("jobsPanel"));
  m_view->setObjectName(QStringLiteral("jobsView"));
  m_view->setModel(jobs);
  m_view->setRootIsDecorated(false);
  m_view->setUniformRowHeights(true);
  m_view->setAlternatingRowColors(true);
  m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_view->setSelectionMode(QAbstractItemView::SingleSelection);
  m_view->setItemDelegateForColumn(static_cast<int>(Column::Progress), new ProgressDelegate(m_view));
  m_view->header()->setStretchLastSection(true);
  m_cancel->setObjectName(QStringLiteral("cancelJobButton"));
  m_log->setObjectName(QStringLiteral("jobLogButton"));
  m_message->setObjectName(QStringLiteral("jobsMessage"));
  m_message->setWordWrap(true);
  m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_logTitle->setObjectName(QStringLiteral("jobLogTitle"));
  m_logView->setObjectName(QStringLiteral("jobLog"));
  m_logView->setReadOnly(true);
  m_logView->setLineWrapMode(QPlainTextEdit::NoWrap);
  m_logView->setMaximumBlockCount(5000);
  m_logTitle->hide();
  m_logView->hide();

  auto *buttons = new QHBoxLayout;
  buttons->addWidget(m_cancel);
  buttons->addWidget(m_log);
  buttons->addWidget(m_message, 1);
  auto *layout = new QVBoxLayout(this);
  layout->addWidget(m_view, 2);
  layout->addLayout(buttons);
  layout->addWidget(m_logTitle);
  layout->addWidget(m_logView, 1);

  connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &JobsPanel::refresh);
  connect(jobs, &QAbstractItemModel::dataChanged, this, &JobsPanel::refresh);
  connect(jobs, &QAbstractItemModel::modelReset, this, &JobsPanel::refresh);
  connect(jobs, &JobListModel::snapshotApplied, this, [this] {
    for (int c = 0; c + 1 < m_jobs->columnCount(); ++c) m_view->resizeColumnToContents(c);
  });
  connect(m_cancel, &QPushButton::clicked, this, [this] {
    const qint64 id = selectedJob();
    if (id == 0) return;
    showMessage(tr("Cancelling job %1…").arg(id), false);
    m_jobs->cancel(id);
  });
  connect(m_log, &QPushButton::clicked, this, [this] { showLog(selectedJob()); });
  connect(jobs, &JobListModel::cancelFinished, this, [this](qint64 id, const QString &error) {
    if (!error.isEmpty())
      showMessage(error, true);
    else
      showMessage(tr("Job %1 cancelled.").arg(id), false);
    Q_EMIT cancelFinished(id, error);
  });
  connect(jobs, &JobListModel::jobChanged, this, [this](const QJsonObject &job) {
    if (m_logJob == 0 || job.value(QLatin1StringView("id")).toInteger() != m_logJob) return;
    if (m_logLoading)
      m_logStale = true;
    else
      showLog(m_logJob);
  });
  connect(jobs, &JobListModel::logLoaded, this, [this](qint64 id, const QStringList &lines, const QString &error) {
    if (id != m_logJob) return;
    m_logLoading = false;
    if (!error.isEmpty()) {
      m_logView->setPlainText(error);
    } else {
      const QString text = lines.join(u'\n');
      if (m_logView->toPlainText() != text) {
        m_logView->setPlainText(text);
        m_logView->moveCursor(QTextCursor::End);
      }
    }
    Q_EMIT logShown(id);
    if (m_logStale) {
      m_logStale = false;
      showLog(id);
    }
  });
  retranslateUi();
}

void JobsPanel::setRole(const QString &role) {
  m_role = role;
  refresh();
}

bool JobsPanel::selectJob(qint64 id) {
  const int row = m_jobs->rowOfJob(id);
  if (row < 0) return false;
  const QModelIndex at = m_jobs->index(row, 0);
  m_view->selectionModel()->select(at, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
  m_view->setCurrentIndex(at);
  m_view->scrollTo(at);
  return true;
}

qint64 JobsPanel::selectedJob() const {
  const QModelIndexList rows = m_view->selectionModel()->selectedRows();
  return rows.isEmpty() ? 0 : rows.first().data(JobListModel::IdRole).toLongLong();
}

QString JobsPanel::logText() const { return m_logView->toPlainText(); }
QString JobsPanel::messageText() const { return m_message->text(); }

void JobsPanel::refresh() {
  const qint64 id = selectedJob();
  const bool active = id && JobListModel::isActive(m_jobs->job(id).value(QLatin1StringView("state")).toString());
  const bool roleOk = models::CatalogModel::roleRank(m_role) >= models::CatalogModel::roleRank(u"operator"_qs);
  m_cancel->setEnabled(active && roleOk);
  if (id == 0)
    m_cancel->setToolTip(tr("Select a job first."));
  else if (!roleOk)
    m_cancel->setToolTip(m_role.isEmpty() ? tr("Not connected to the node.")
                                          : tr("Needs the operator role; this key has %1.").arg(m_role));
  else if (!active)
    m_cancel->setToolTip(tr("The job has ended."));
  else
    m_cancel->setToolTip({});
  m_log->setEnabled(id != 0 && !m_role.isEmpty());
}

void JobsPanel::showLog(qint64 id) {
  if (id == 0) return;
  if (id != m_logJob) {
    m_logJob = id;
    m_logStale = false;
    m_logView->setPlainText(tr("Loading…"));
  }
  m_logTitle->setText(tr("Log of job %1 (%2)").arg(id).arg(JobListModel::targetText(m_jobs->job(id))));
  m_logTitle->show();
  m_logView->show();
  m_logLoading = true;
  m_jobs->loadLog(id);
}

void JobsPanel::showMessage(const QString &text, bool error) {
  m_messageIsError = error;
  m_message->setText(text);
  m_message->setStyleSheet(error ? QStringLiteral("color: #b42318;") : QStringLiteral("color: #2e7d4f;"));
}

void JobsPanel::retranslateUi() {
  setTitle(tr("Jobs"));
  m_cancel->setText(tr("Cancel job"));
  m_log->setText(tr("Show log"));
  if (m_logJob)
    m_logTitle->setText(tr("Log of job %1 (%2)").arg(m_logJob).arg(JobListModel::targetText(m_jobs->job(m_logJob))));
  m_jobs->retranslate();
  refresh();
}

void JobsPanel::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QGroupBox::changeEvent(event);
}

}  // namespace lmfront::widgets
