#include "widgets/alerttray.h"

#include "models/alertlistmodel.h"
#include "models/nodesession.h"

#include <QEvent>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QSystemTrayIcon>
#include <QToolButton>
#include <QVBoxLayout>
#include <algorithm>

namespace lmfront::widgets {

namespace {
constexpr int kNoticeWidth = 360;
constexpr int kMargin = 16;
}  // namespace

AlertTray::AlertTray(QWidget *window, QObject *parent)
    : QObject(parent),
      m_window(window),
      m_mode(modeFor(QSystemTrayIcon::isSystemTrayAvailable())),
      m_notice(new QFrame(window)),
      m_noticeTitle(new QLabel),
      m_noticeText(new QLabel) {
  m_notice->setObjectName(QStringLiteral("alertNotice"));
  m_notice->setStyleSheet(
      QStringLiteral("#alertNotice { background: #fff4f2; border: 1px solid #e0a39a; "
                     "border-left: 5px solid #d14343; border-radius: 8px; }"));
  m_notice->setFixedWidth(kNoticeWidth);
  m_notice->setCursor(Qt::PointingHandCursor);
  auto *layout = new QHBoxLayout(m_notice);
  layout->setContentsMargins(14, 10, 8, 10);
  auto *texts = new QVBoxLayout;
  m_noticeTitle->setStyleSheet(QStringLiteral("font-weight: 600; color: #8a1c12;"));
  m_noticeText->setWordWrap(true);
  m_noticeText->setStyleSheet(QStringLiteral("color: #3b2320;"));
  texts->addWidget(m_noticeTitle);
  texts->addWidget(m_noticeText);
  layout->addLayout(texts, 1);
  auto *close = new QToolButton;
  close->setObjectName(QStringLiteral("alertNoticeClose"));
  close->setText(QStringLiteral("×"));
  close->setAutoRaise(true);
  layout->addWidget(close, 0, Qt::AlignTop);
  m_notice->hide();
  m_notice->installEventFilter(this);
  window->installEventFilter(this);
  connect(close, &QToolButton::clicked, m_notice, &QWidget::hide);
  m_hide.setSingleShot(true);
  m_hide.setInterval(kNoticeMs);
  connect(&m_hide, &QTimer::timeout, m_notice, &QWidget::hide);
  setMode(m_mode);
}

AlertTray::~AlertTray() = default;  // the notice belongs to the window, the tray icon to this

void AlertTray::setMode(Mode mode) {
  m_mode = mode;
  if (mode == Mode::Tray && !m_tray) {
    m_tray = new QSystemTrayIcon(m_window->windowIcon(), this);
    m_tray->setToolTip(QStringLiteral("lmfront"));
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] { Q_EMIT activated(m_lastFrom); });
    connect(m_tray, &QSystemTrayIcon::activated, this, [this] { Q_EMIT activated(m_lastFrom); });
    m_tray->show();
  } else if (mode == Mode::InWindow && m_tray) {
    delete m_tray;
    m_tray = nullptr;
  }
}

void AlertTray::follow(models::NodeSession *session) {
  if (!session) return;
  unfollow(session);  // once per session
  connect(session->alerts(), &models::AlertListModel::newlyFiring, this,
          [this, from = QPointer<models::NodeSession>(session)](const QJsonObject &alert) { notify(alert, from); });
}

void AlertTray::unfollow(models::NodeSession *session) {
  if (session) disconnect(session->alerts(), nullptr, this, nullptr);
}

QString AlertTray::title(const QJsonObject &alert, const QString &connection) {
  const QString severity = models::AlertListModel::severityText(alert.value(QLatin1StringView("severity")).toString());
  const QString rule = alert.value(QLatin1StringView("rule")).toString();
  if (connection.isEmpty()) return tr("%1 alert: %2").arg(severity, rule);
  return tr("%1 alert on %2: %3").arg(severity, connection, rule);
}

QString AlertTray::message(const QJsonObject &alert) {
  QString text = alert.value(QLatin1StringView("summary")).toString();
  if (text.isEmpty()) text = models::AlertListModel::labelsText(alert.value(QLatin1StringView("labels")).toObject());
  const QJsonValue value = alert.value(QLatin1StringView("value"));
  if (value.isDouble()) text = tr("%1 (value %2)").arg(text, QString::number(value.toDouble(), 'g', 4));
  return text;
}

void AlertTray::notify(const QJsonObject &alert, models::NodeSession *from) {
  ++m_count;
  m_lastFrom = from;
  m_lastTitle = title(alert, from ? from->name() : QString());
  m_lastMessage = message(alert);
  if (m_mode == Mode::Tray && m_tray) {
    const bool critical = alert.value(QLatin1StringView("severity")).toString() == QLatin1StringView("critical");
    m_tray->showMessage(m_lastTitle, m_lastMessage, critical ? QSystemTrayIcon::Critical : QSystemTrayIcon::Warning);
    return;
  }
  m_noticeTitle->setText(m_lastTitle);
  m_noticeText->setText(m_lastMessage);
  placeNotice();
  m_notice->show();
  m_notice->raise();
  m_hide.start();
}

bool AlertTray::noticeVisible() const { return m_notice->isVisible(); }

void AlertTray::placeNotice() {
  m_notice->adjustSize();
  m_notice->move(std::max(0, m_window->width() - m_notice->width() - kMargin), kMargin + 40);
}

bool AlertTray::eventFilter(QObject *watched, QEvent *event) {
  if (watched == m_window && event->type() == QEvent::Resize && m_notice->isVisible()) placeNotice();
  if (watched == m_notice && event->type() == QEvent::MouseButtonRelease) {
    m_notice->hide();
    Q_EMIT activated(m_lastFrom);
  }
  return QObject::eventFilter(watched, event);
}

}  // namespace lmfront::widgets
