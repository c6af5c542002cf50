#include "widgets/mainwindow.h"

#include "models/nodeinfomodel.h"
#include "models/nodesession.h"
#include "widgets/consolesettings.h"
#include "widgets/theme.h"

#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QStackedWidget>
#include <QStatusBar>
#include <QVBoxLayout>

namespace lmfront::widgets {

namespace {
constexpr int kSidebarWidth = 210;
constexpr int kDotSize = 10;
}  // namespace

MainWindow::MainWindow(ConsoleSettings *settings, QWidget *parent)
    : QMainWindow(parent),
      m_sidebar(new QListWidget),
      m_stack(new QStackedWidget),
      m_appName(new QLabel),
      m_dot(new QLabel),
      m_addressLabel(new QLabel),
      m_healthLabel(new QLabel),
      m_settings(settings) {
  setWindowIcon(QIcon(QStringLiteral(":/icons/lmfront.svg")));
  setMinimumSize(900, 600);
  resize(1280, 800);

  auto *header = new QWidget;
  header->setObjectName(QStringLiteral("sidebarHeader"));
  auto *headerLayout = new QHBoxLayout(header);
  headerLayout->setContentsMargins(18, 16, 12, 12);
  auto *logo = new QLabel;
  logo->setPixmap(QIcon(QStringLiteral(":/icons/lmfront.svg")).pixmap(28, 28));
  m_appName->setObjectName(QStringLiteral("appName"));
  headerLayout->addWidget(logo);
  headerLayout->addWidget(m_appName, 1);

  m_sidebar->setObjectName(QStringLiteral("sidebar"));
  m_sidebar->setIconSize(QSize(20, 20));
  m_sidebar->setFrameShape(QFrame::NoFrame);
  m_sidebar->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);

  auto *side = new QWidget;
  side->setFixedWidth(kSidebarWidth);
  auto *sideLayout = new QVBoxLayout(side);
  sideLayout->setContentsMargins(0, 0, 0, 0);
  sideLayout->setSpacing(0);
  sideLayout->addWidget(header);
  sideLayout->addWidget(m_sidebar, 1);

  auto *central = new QWidget;
  auto *layout = new QHBoxLayout(central);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addWidget(side);
  layout->addWidget(m_stack, 1);
  setCentralWidget(central);

  connect(m_sidebar, &QListWidget::currentRowChanged, m_stack, &QStackedWidget::setCurrentIndex);

  m_dot->setFixedSize(kDotSize, kDotSize);
  m_addressLabel->setObjectName(QStringLiteral("nodeAddressLabel"));
  m_healthLabel->setObjectName(QStringLiteral("nodeHealthLabel"));
  m_addressLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
  auto *status = new QWidget;
  auto *statusLayout = new QHBoxLayout(status);
  statusLayout->setContentsMargins(10, 2, 10, 2);
  statusLayout->setSpacing(8);
  statusLayout->addWidget(m_addressLabel);
  statusLayout->addWidget(m_dot);
  statusLayout->addWidget(m_healthLabel);
  statusLayout->addStretch(1);
  statusBar()->addWidget(status, 1);
  statusBar()->setSizeGripEnabled(false);

  retranslateUi();
}

MainWindow::~MainWindow() = default;

bool MainWindow::addSection(const QString &id, const QIcon &icon, QWidget *page) {
  if (!page || m_ids.contains(id)) return false;
  auto *item = new QListWidgetItem(icon, page->windowTitle());
  item->setData(Qt::UserRole, id);
  item->setSizeHint(QSize(kSidebarWidth - 20, 40));
  m_sidebar->addItem(item);
  m_stack->addWidget(page);
  m_ids << id;
  connect(page, &QWidget::windowTitleChanged, this, [this, page](const QString &title) {
    if (QListWidgetItem *it = m_sidebar->item(m_stack->indexOf(page))) it->setText(title);
  });
  if (m_sidebar->currentRow() < 0) m_sidebar->setCurrentRow(0);
  return true;
}

QWidget *MainWindow::section(const QString &id) const {
  const auto i = m_ids.indexOf(id);
  return i < 0 ? nullptr : m_stack->widget(static_cast<int>(i));
}

bool MainWindow::setCurrentSection(const QString &id) {
  const auto i = m_ids.indexOf(id);
  if (i < 0) return false;
  m_sidebar->setCurrentRow(static_cast<int>(i));
  return true;
}

QString MainWindow::currentSection() const {
  const int row = m_sidebar->currentRow();
  return row < 0 ? QString() : m_ids.at(row);
}

QString MainWindow::nodeAddressText() const { return m_addressLabel->text(); }
QString MainWindow::nodeHealthText() const { return m_healthLabel->text(); }

void MainWindow::setSession(models::NodeSession *session) {
  if (m_session) disconnect(m_session, nullptr, this, nullptr);
  m_session = session;
  if (m_session) {
    connect(m_session, &models::NodeSession::connectionChanged, this, &MainWindow::refreshStatus);
    connect(m_session, &models::NodeSession::healthUpdated, this, &MainWindow::refreshStatus);
  }
  refreshStatus();
}

void MainWindow::setDotColor(const QColor &color) {
  m_dot->setStyleSheet(QStringLiteral("background: %1; border-radius: %2px;").arg(color.name()).arg(kDotSize / 2));
}

void MainWindow::refreshStatus() {
  QString address, failure, name;
  client::NodeHealth health;
  if (m_session) {
    address = m_session->address();
    failure = m_session->failure();
    health = m_session->health();
    name = m_session->name();
  }
  if (!name.isEmpty())  // a remote connection: the name the user gave it
    m_addressLabel->setText(tr("%1 at %2").arg(name, address));
  else
    m_addressLabel->setText(address.isEmpty() ? tr("Local node not running") : tr("Local node %1").arg(address));
  if (!failure.isEmpty()) {
    setDotColor(Theme::down());
    m_healthLabel->setText(tr("failed to start: %1").arg(failure));
    m_healthLabel->setToolTip(failure);
    return;
  }
  if (health.healthy())
    setDotColor(Theme::healthy());
  else if (health.reachable)
    setDotColor(Theme::degraded());
  else if (health.errorKind == client::HealthError::NotPolled)
    setDotColor(Theme::unknown());
  else
    setDotColor(Theme::down());
  m_healthLabel->setText(models::NodeInfoModel::healthText(health));
  m_healthLabel->setToolTip(health.error);
}

void MainWindow::retranslateUi() {
  setWindowTitle(tr("lmfront console"));
  m_appName->setText(QStringLiteral("lmfront"));
  refreshStatus();
}

void MainWindow::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QMainWindow::changeEvent(event);
}

void MainWindow::restoreSavedState() {
  const QByteArray geometry = m_settings->windowGeometry();
  if (!geometry.isEmpty()) restoreGeometry(geometry);
  const QString id = m_settings->windowSection();
  if (!id.isEmpty()) setCurrentSection(id);
}

void MainWindow::saveState() const { m_settings->setWindowState(saveGeometry(), currentSection()); }

void MainWindow::closeEvent(QCloseEvent *event) {
  saveState();
  QMainWindow::closeEvent(event);
}

}  // namespace lmfront::widgets
