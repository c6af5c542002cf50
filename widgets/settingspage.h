// SettingsPage: the console's preferences — the local node's listen port (applies at the next
// start) and the language (applies at once).
//
// Contract: reads and writes the ConsoleSettings it is handed (not owned; it outlives the page);
// a value is stored only when valid (a port below 1024 is refused with a message, nothing saved).
// Switching the language stores it and emits languageRequested(); the caller applies it
// (LanguageManager), which sends LanguageChange to every page. The session it is handed
// (setSession(); not owned) gives the address the node really uses, which may differ from the
// stored port when that port was busy.
#pragma once

#include <QWidget>

class QComboBox;
class QGroupBox;
class QLabel;
class QSpinBox;

namespace lmfront::models {
class NodeSession;
}

namespace lmfront::widgets {

class ConsoleSettings;

class SettingsPage : public QWidget {
  Q_OBJECT
public:
  explicit SettingsPage(ConsoleSettings *settings, QWidget *parent = nullptr);

  void setSession(models::NodeSession *session);

  QSpinBox *portEdit() const { return m_port; }
  QComboBox *languageEdit() const { return m_language; }
  QString portMessage() const;

public Q_SLOTS:
  // Shows the language in use (e.g. from --language) without storing or re-applying it.
  void setCurrentLanguage(const QString &code);

Q_SIGNALS:
  void languageRequested(const QString &code);

protected:
  void changeEvent(QEvent *event) override;

private:
  void retranslateUi();
  void onPortChanged(int port);
  void onLanguageChosen(int index);
  void updatePortMessage();

  QLabel *m_title;
  QGroupBox *m_nodeGroup;
  QLabel *m_portLabel;
  QSpinBox *m_port;
  QLabel *m_portMessage;
  QLabel *m_currentAddress;
  QGroupBox *m_uiGroup;
  QLabel *m_languageLabel;
  QComboBox *m_language;
  QLabel *m_languageHint;
  QLabel *m_storedIn;
  ConsoleSettings *m_settings;
  models::NodeSession *m_session = nullptr;  // not owned
  bool m_portValid = true;
};

}  // namespace lmfront::widgets
