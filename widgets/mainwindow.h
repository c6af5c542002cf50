// MainWindow: the console's frame. A sidebar of sections switching a stack of pages, and a status
// bar showing the session's connection (the local node, or a remote one's name), address and health.
//
// Contract: views only. Pages are built and wired by the console composition and handed over
// with addSection(); the window owns them from then on. A section's sidebar title is its page's
// windowTitle() and follows it, so a page that sets its title in retranslateUi() is re-titled on
// a language change for free. The status bar follows the session it is handed (setSession(); not
// owned): its address, its health as polled, or its failure when the node could not start.
// Geometry and the current section are saved to the ConsoleSettings it is given (not owned; it
// outlives the window) on close and restored by restoreSavedState().
#pragma once

#include <QIcon>
#include <QMainWindow>
#include <QString>
#include <QStringList>

class QLabel;
class QListWidget;
class QStackedWidget;

namespace lmfront::models {
class NodeSession;
}

namespace lmfront::widgets {

class ConsoleSettings;

class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  explicit MainWindow(ConsoleSettings *settings, QWidget *parent = nullptr);
  ~MainWindow() override;

  // Appends a section. `id` is stable (saved in settings, used by tests); ids are unique, a
  // second addSection() with the same id is ignored and returns false.
  bool addSection(const QString &id, const QIcon &icon, QWidget *page);
  QStringList sectionIds() const { return m_ids; }
  QWidget *section(const QString &id) const;
  bool setCurrentSection(const QString &id);
  QString currentSection() const;

  // What the status bar says, e.g. "Local node 127.0.0.1:8080" and "healthy".
  QString nodeAddressText() const;
  QString nodeHealthText() const;

  void setSession(models::NodeSession *session);

  // Restores geometry and the last section from the settings (call after adding sections).
  void restoreSavedState();
  void saveState() const;

protected:
  void changeEvent(QEvent *event) override;
  void closeEvent(QCloseEvent *event) override;

private:
  void retranslateUi();
  void refreshStatus();
  void setDotColor(const QColor &color);

  QListWidget *m_sidebar;
  QStackedWidget *m_stack;
  QLabel *m_appName;
  QLabel *m_dot;
  QLabel *m_addressLabel;
  QLabel *m_healthLabel;
  QStringList m_ids;

  ConsoleSettings *m_settings;
  models::NodeSession *m_session = nullptr;  // not owned
};

}  // namespace lmfront::widgets
