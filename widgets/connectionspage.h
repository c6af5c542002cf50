// ConnectionsPage: the console's Connections section — the local node and the saved remote
// nodes, each with its live state and the reason; add, edit, remove (after an inline
// confirmation), test, and switch the console to one.
//
// Contract: a view of the ConnectionListModel it is handed (not owned; it outlives the page) and
// of that model's ConnectionStore, through which every add/edit/remove goes (validation messages
// shown inline under the form, nothing modal). The local connection cannot be edited or removed.
// "Test" checks the form's URL while the form is open, else the selected connection's node
// (ConnectionTester), and shows the result under the list. Switching is not done here:
// switchRequested() asks the composition, which calls setCurrentConnection() once it switched.
// Re-translates itself on QEvent::LanguageChange.
#pragma once

#include <QWidget>

class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableView;

namespace lmfront::models {
class ConnectionListModel;
class ConnectionTester;
}  // namespace lmfront::models

namespace lmfront::widgets {

class ConnectionsPage : public QWidget {
  Q_OBJECT
public:
  explicit ConnectionsPage(models::ConnectionListModel *connections, QWidget *parent = nullptr);
  ~ConnectionsPage() override;

  QString currentConnection() const { return m_current; }
  QString selectedId() const;
  void selectConnection(const QString &id);
  QString testResultText() const;
  QString editorErrorText() const;

public Q_SLOTS:
  void setCurrentConnection(const QString &id);

Q_SIGNALS:
  void switchRequested(const QString &id);

protected:
  void changeEvent(QEvent *event) override;

private:
  void retranslateUi();
  void updateButtons();
  void openEditor(const QString &id);  // empty: a new connection
  void closeEditor();
  void save();
  void test();
  void showTestResult(bool ok, const QString &text);
  void askRemoval();
  void confirmRemoval();
  void browseCaFile();
  void setMessage(QLabel *label, const QString &text, bool error);

  models::ConnectionListModel *m_connections;
  models::ConnectionTester *m_tester;
  QString m_current;
  QString m_editingId;  // while the form is open: empty = adding
  QString m_removingId;

  QLabel *m_title;
  QLabel *m_subtitle;
  QLabel *m_currentLabel;
  QTableView *m_table;
  QPushButton *m_use;
  QPushButton *m_add;
  QPushButton *m_edit;
  QPushButton *m_remove;
  QPushButton *m_test;
  QLabel *m_testResult;
  QWidget *m_confirmBar;
  QLabel *m_confirmText;
  QPushButton *m_confirmRemove;
  QPushButton *m_keep;
  QGroupBox *m_editor;
  QLabel *m_nameLabel;
  QLineEdit *m_name;
  QLabel *m_urlLabel;
  QLineEdit *m_url;
  QLabel *m_keyLabel;
  QLineEdit *m_key;
  QLabel *m_caLabel;
  QLineEdit *m_ca;
  QPushButton *m_browse;
  QLabel *m_editorError;
  QPushButton *m_save;
  QPushButton *m_cancel;
  QLabel *m_keyLocation;
};

}  // namespace lmfront::widgets
