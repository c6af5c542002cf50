// AlertTray: tells the user when an alert starts firing on any node the console is connected to,
// not only the one it shows. With a system tray (QSystemTrayIcon::isSystemTrayAvailable()) it is a
// tray message; without one (a bare X server, offscreen tests) it is a non-modal notice over the
// top right of the window, which hides itself after kNoticeMs or when closed. A remote
// connection's notice names it ("critical alert on prod-eu: busy"). Clicking either emits
// activated() with the session the shown alert came from, so the console can switch to that
// connection and open its Alerts section.
//
// Contract: GUI thread. Follows the AlertListModel of every session it is handed (follow(); not
// owned; unfollow() before a session goes) and notifies for each newlyFiring() they emit — which
// transitions those are is the model's rule (a change to firing, not silenced; never a snapshot).
// The tray icon exists only while a tray is used. notifiedCount(), lastTitle() and lastMessage()
// say what was shown, for tests and accessibility.
#pragma once

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>

class QFrame;
class QLabel;
class QSystemTrayIcon;
class QWidget;

namespace lmfront::models {
class NodeSession;
}

namespace lmfront::widgets {

class AlertTray : public QObject {
  Q_OBJECT
public:
  enum class Mode { Tray, InWindow };
  static constexpr int kNoticeMs = 12'000;

  // `window` (not owned) holds the in-window notice; it must outlive this object.
  explicit AlertTray(QWidget *window, QObject *parent = nullptr);
  ~AlertTray() override;

  void follow(models::NodeSession *session);
  void unfollow(models::NodeSession *session);
  // Tray when the platform has one; tests pin InWindow or Tray to check each path's output.
  static Mode modeFor(bool trayAvailable) { return trayAvailable ? Mode::Tray : Mode::InWindow; }
  Mode mode() const { return m_mode; }
  void setMode(Mode mode);

  // "critical alert: busy" (connection empty: the local node) or "critical alert on prod-eu: busy";
  // "english is busy (value 12.5)".
  static QString title(const QJsonObject &alert, const QString &connection = {});
  static QString message(const QJsonObject &alert);

  int notifiedCount() const { return m_count; }
  QString lastTitle() const { return m_lastTitle; }
  QString lastMessage() const { return m_lastMessage; }
  bool noticeVisible() const;

  void notify(const QJsonObject &alert, models::NodeSession *from);

Q_SIGNALS:
  // `from`: the session of the alert shown last; null when that session is gone.
  void activated(lmfront::models::NodeSession *from);

protected:
  bool eventFilter(QObject *watched, QEvent *event) override;

private:
  void placeNotice();

  QWidget *m_window;
  QPointer<models::NodeSession> m_lastFrom;
  Mode m_mode;
  QSystemTrayIcon *m_tray = nullptr;
  QFrame *m_notice;
  QLabel *m_noticeTitle;
  QLabel *m_noticeText;
  QTimer m_hide;
  int m_count = 0;
  QString m_lastTitle, m_lastMessage;
};

}  // namespace lmfront::widgets
