// MainWindow: the console's frame. A sidebar of sections switching a stack of pages, and a status
// bar showing the local node's address and health.
//
// Contract: views only. Pages are built and wired by the caller (app/console) and handed over
// with addSection(); the window owns them from then on. A section's sidebar title is its page's
// windowTitle() and follows it, so a page that sets its title in retranslateUi() is re-titled on
// a language change for free. The status bar is fed by setNodeAddress()/setNodeHealth() (from a
// HealthClient) or setNodeFailure() when the node could not start. Geometry and the current
// section are saved to QSettings on close and restored by restoreSavedState().
#pragma once

#include "client/healthclient.h"

#include <QIcon>
#include <QMainWindow>
#include <QString>
#include <QStringList>

class QLabel;
class QListWidget;
class QStackedWidget;

namespace lmfront::widgets {

class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  explicit MainWindow(QWidget *parent = nullptr);
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

  // Restores geometry and the last section from QSettings (call after adding sections).
  void restoreSavedState();
  void saveState() const;

public Q_SLOTS:
  void setNodeAddress(const QString &address);
  void setNodeHealth(const lmfront::client::NodeHealth &health);
  void setNodeFailure(const QString &message);

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

  QString m_address;
  client::NodeHealth m_health;
  QString m_failure;  // non-empty when the local node failed to start
};

}  // namespace lmfront::widgets
