#include "widgets/connectionspage.h"

#include "models/connectionlistmodel.h"
#include "models/connectionstore.h"
#include "models/connectiontester.h"
#include "models/nodesession.h"
#include "widgets/theme.h"

#include <QEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QIdentityProxyModel>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPixmap>
#include <QPushButton>
#include <QSslCertificate>
#include <QTableView>
#include <QVBoxLayout>

namespace lmfront::widgets {

namespace {

QPushButton *button(const char *name) {
  auto *b = new QPushButton;
  b->setObjectName(QString::fromLatin1(name));
  return b;
}

QLineEdit *lineEdit(const char *name) {
  auto *e = new QLineEdit;
  e->setObjectName(QString::fromLatin1(name));
  return e;
}

QColor stateColour(models::ConnectionListModel::State state) {
  using State = models::ConnectionListModel::State;
  switch (state) {
  case State::Live: return Theme::healthy();
  case State::Stale: return Theme::degraded();
  case State::Connecting: return Theme::unknown();
  case State::Closed:
  case State::Failed: break;
  }
  return Theme::down();
}

QIcon dot(const QColor &colour) {
  QPixmap pixmap(12, 12);
  pixmap.fill(Qt::transparent);
  QPainter painter(&pixmap);
  painter.setRenderHint(QPainter::Antialiasing);
  painter.setPen(Qt::NoPen);
  painter.setBrush(colour);
  painter.drawEllipse(QRectF(1, 1, 10, 10));
  return QIcon(pixmap);
}

// The State column with a dot in the Overview's colours; everything else as the model says.
class StateColours : public QIdentityProxyModel {
public:
  using QIdentityProxyModel::QIdentityProxyModel;
  QVariant data(const QModelIndex &index, int role) const override {
    if (role != Qt::DecorationRole || index.column() != static_cast<int>(models::ConnectionListModel::Column::State))
      return QIdentityProxyModel::data(index, role);
    const int state = QIdentityProxyModel::data(index, models::ConnectionListModel::StateRole).toInt();
    return dot(stateColour(static_cast<models::ConnectionListModel::State>(state)));
  }
};

}  // namespace

ConnectionsPage::ConnectionsPage(models::ConnectionListModel *connections, QWidget *parent)
    : QWidget(parent),
      m_connections(connections),
      m_tester(new models::ConnectionTester(this)),
      m_title(new QLabel),
      m_subtitle(new QLabel),
      m_currentLabel(new QLabel),
      m_table(new QTableView),
      m_use(button("useButton")),
      m_add(button("addButton")),
      m_edit(button("editButton")),
      m_remove(button("removeButton")),
      m_test(button("testButton")),
      m_testResult(new QLabel),
      m_confirmBar(new QWidget),
      m_confirmText(new QLabel),
      m_confirmRemove(button("confirmRemoveButton")),
      m_keep(button("keepButton")),
      m_editor(new QGroupBox),
      m_nameLabel(new QLabel),
      m_name(lineEdit("nameEdit")),
      m_urlLabel(new QLabel),
      m_url(lineEdit("urlEdit")),
      m_keyLabel(new QLabel),
      m_key(lineEdit("connectionKeyEdit")),
      m_caLabel(new QLabel),
      m_ca(lineEdit("caFileEdit")),
      m_browse(button("browseCaButton")),
      m_editorError(new QLabel),
      m_save(button("saveButton")),
      m_cancel(button("cancelButton")),
      m_keyLocation(new QLabel) {
  m_title->setObjectName(QStringLiteral("pageTitle"));
  m_subtitle->setObjectName(QStringLiteral("pageSubtitle"));
  m_subtitle->setWordWrap(true);
  m_currentLabel->setObjectName(QStringLiteral("currentConnection"));
  m_testResult->setObjectName(QStringLiteral("testResult"));
  m_testResult->setWordWrap(true);
  m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_editorError->setObjectName(QStringLiteral("editorError"));
  m_editorError->setWordWrap(true);
  m_keyLocation->setObjectName(QStringLiteral("hint"));
  m_keyLocation->setWordWrap(true);
  m_keyLocation->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_editor->setObjectName(QStringLiteral("connectionEditor"));
  m_confirmBar->setObjectName(QStringLiteral("confirmRemoval"));

  m_table->setObjectName(QStringLiteral("connectionsTable"));
  auto *coloured = new StateColours(this);
  coloured->setSourceModel(m_connections);
  m_table->setModel(coloured);
  m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_table->setSelectionMode(QAbstractItemView::SingleSelection);
  m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_table->verticalHeader()->hide();
  m_table->horizontalHeader()->setStretchLastSection(true);
  m_table->setColumnWidth(static_cast<int>(models::ConnectionListModel::Column::Name), 200);
  m_table->setColumnWidth(static_cast<int>(models::ConnectionListModel::Column::Address), 240);

  m_key->setEchoMode(QLineEdit::Password);
  m_key->setClearButtonEnabled(true);
  m_url->setClearButtonEnabled(true);

  auto *buttons = new QHBoxLayout;
  for (QPushButton *b : {m_use, m_add, m_edit, m_remove, m_test}) buttons->addWidget(b);
  buttons->addStretch(1);

  auto *confirm = new QHBoxLayout(m_confirmBar);
  confirm->setContentsMargins(0, 0, 0, 0);
  confirm->addWidget(m_confirmText, 1);
  confirm->addWidget(m_confirmRemove);
  confirm->addWidget(m_keep);
  m_confirmBar->hide();

  auto *caRow = new QHBoxLayout;
  caRow->setContentsMargins(0, 0, 0, 0);
  caRow->addWidget(m_ca, 1);
  caRow->addWidget(m_browse);
  auto *form = new QFormLayout;
  form->setHorizontalSpacing(18);
  form->setVerticalSpacing(8);
  form->addRow(m_nameLabel, m_name);
  form->addRow(m_urlLabel, m_url);
  form->addRow(m_keyLabel, m_key);
  form->addRow(m_caLabel, caRow);
  auto *editorButtons = new QHBoxLayout;
  editorButtons->addWidget(m_editorError, 1);
  editorButtons->addWidget(m_save);
  editorButtons->addWidget(m_cancel);
  auto *editorLayout = new QVBoxLayout(m_editor);
  editorLayout->addLayout(form);
  editorLayout->addLayout(editorButtons);
  m_editor->setMaximumWidth(820);
  m_editor->hide();

  auto *column = new QVBoxLayout(this);
  column->setContentsMargins(32, 28, 32, 28);
  column->setSpacing(12);
  column->addWidget(m_title);
  column->addWidget(m_subtitle);
  column->addWidget(m_currentLabel);
  column->addWidget(m_table, 1);
  column->addLayout(buttons);
  column->addWidget(m_confirmBar);
  column->addWidget(m_testResult);
  column->addWidget(m_editor);
  column->addWidget(m_keyLocation);

  connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
    m_confirmBar->hide();
    updateButtons();
  });
  connect(m_table, &QTableView::doubleClicked, this,
          [this](const QModelIndex &index) { Q_EMIT switchRequested(m_connections->idAt(index.row())); });
  connect(m_use, &QPushButton::clicked, this, [this] {
    if (!selectedId().isEmpty()) Q_EMIT switchRequested(selectedId());
  });
  connect(m_add, &QPushButton::clicked, this, [this] { openEditor(QString()); });
  connect(m_edit, &QPushButton::clicked, this, [this] { openEditor(selectedId()); });
  connect(m_remove, &QPushButton::clicked, this, &ConnectionsPage::askRemoval);
  connect(m_confirmRemove, &QPushButton::clicked, this, &ConnectionsPage::confirmRemoval);
  connect(m_keep, &QPushButton::clicked, m_confirmBar, &QWidget::hide);
  connect(m_test, &QPushButton::clicked, this, &ConnectionsPage::test);
  connect(m_save, &QPushButton::clicked, this, &ConnectionsPage::save);
  connect(m_cancel, &QPushButton::clicked, this, &ConnectionsPage::closeEditor);
  connect(m_browse, &QPushButton::clicked, this, &ConnectionsPage::browseCaFile);
  connect(m_tester, &models::ConnectionTester::finished, this, &ConnectionsPage::showTestResult);
  connect(m_connections, &QAbstractItemModel::rowsRemoved, this, &ConnectionsPage::updateButtons);
  connect(m_connections->store(), &models::ConnectionStore::keysLoadedChanged, this, &ConnectionsPage::retranslateUi);

  selectConnection(models::ConnectionStore::localId());
  retranslateUi();
}

ConnectionsPage::~ConnectionsPage() = default;

QString ConnectionsPage::selectedId() const {
  const QModelIndexList rows = m_table->selectionModel()->selectedRows();
  return rows.isEmpty() ? QString() : m_connections->idAt(rows.first().row());
}

void ConnectionsPage::selectConnection(const QString &id) {
  const int row = m_connections->rowOf(id);
  if (row >= 0) m_table->selectRow(row);
  updateButtons();
}

QString ConnectionsPage::testResultText() const { return m_testResult->text(); }
QString ConnectionsPage::editorErrorText() const { return m_editorError->text(); }

void ConnectionsPage::setCurrentConnection(const QString &id) {
  m_current = id;
  retranslateUi();
}

void ConnectionsPage::updateButtons() {
  const QString id = selectedId();
  const bool remote = !id.isEmpty() && id != models::ConnectionStore::localId();
  m_use->setEnabled(!id.isEmpty() && id != m_current);
  m_edit->setEnabled(remote);
  m_remove->setEnabled(remote);
  m_test->setEnabled(!id.isEmpty() || m_editor->isVisible());
}

void ConnectionsPage::setMessage(QLabel *label, const QString &text, bool error) {
  label->setText(text);
  label->setStyleSheet(QStringLiteral("color: %1;").arg(error ? Theme::down().name() : Theme::healthy().name()));
}

void ConnectionsPage::openEditor(const QString &id) {
  m_confirmBar->hide();
  m_editingId = id;
  const auto c = id.isEmpty() ? std::nullopt : m_connections->store()->find(id);
  m_name->setText(c ? c->name : QString());
  m_url->setText(c ? c->url.toString() : QString());
  m_key->setText(c ? m_connections->store()->apiKey(id) : QString());
  m_ca->setText(c ? c->caFile : QString());
  m_editorError->clear();
  m_editor->show();
  retranslateUi();
  updateButtons();
  m_name->setFocus();
}

void ConnectionsPage::closeEditor() {
  m_editor->hide();
  m_editingId.clear();
  m_editorError->clear();
  updateButtons();
}

void ConnectionsPage::save() {
  const models::ConnectionSpec spec{m_name->text(), m_url->text(), m_key->text(), m_ca->text()};
  models::ConnectionStore *store = m_connections->store();
  QString savedId = m_editingId;
  Status saved = Status::ok();
  if (m_editingId.isEmpty()) {
    auto added = store->add(spec);
    if (added)
      savedId = *added;
    else
      saved = added.status();
  } else {
    saved = store->update(m_editingId, spec);
  }
  if (!saved.isOk()) {
    setMessage(m_editorError, QString::fromStdString(saved.message()), true);
    return;
  }
  closeEditor();
  selectConnection(savedId);
}

void ConnectionsPage::test() {
  QUrl target;
  QString caFile;
  QString key;
  if (m_editor->isVisible()) {
    // A test needs no name yet: only the address is checked.
    const QString error = models::ConnectionStore::validateAddress(m_url->text(), m_ca->text());
    if (!error.isEmpty()) {
      setMessage(m_testResult, tr("Test failed: %1").arg(error), true);
      return;
    }
    target = models::Connection{QString(), QString(), QUrl(m_url->text().trimmed()), QString()}.httpBase();
    caFile = m_ca->text().trimmed();
    key = m_key->text().trimmed();
  } else {
    const QString id = selectedId();
    if (id.isEmpty()) return;
    const models::NodeSession *session = m_connections->session(id);
    target = session ? session->baseUrl() : QUrl();
    key = session ? session->apiKey() : QString();
    if (const auto c = m_connections->store()->find(id)) caFile = c->caFile;
  }
  m_testResult->setStyleSheet(QString());
  m_testResult->setText(tr("Testing %1…").arg(target.toString()));
  m_tester->test(target, key,
                 caFile.isEmpty() ? QList<QSslCertificate>() : QSslCertificate::fromPath(caFile, QSsl::Pem));
}

void ConnectionsPage::showTestResult(bool ok, const QString &text) { setMessage(m_testResult, text, !ok); }

void ConnectionsPage::askRemoval() {
  m_removingId = selectedId();
  if (m_removingId.isEmpty() || m_removingId == models::ConnectionStore::localId()) return;
  m_confirmText->setText(tr("Remove “%1” and its API key?").arg(m_connections->displayName(m_removingId)));
  m_confirmBar->show();
}

void ConnectionsPage::confirmRemoval() {
  m_confirmBar->hide();
  if (m_editingId == m_removingId) closeEditor();
  const Status removed = m_connections->store()->remove(m_removingId);
  if (!removed.isOk()) setMessage(m_testResult, QString::fromStdString(removed.message()), true);
  m_removingId.clear();
  selectConnection(m_current);
}

void ConnectionsPage::browseCaFile() {
  const QString file = QFileDialog::getOpenFileName(this, tr("CA certificate"), m_ca->text(),
                                                    tr("PEM certificates (*.pem *.crt);;All files (*)"));
  if (!file.isEmpty()) m_ca->setText(file);
}

void ConnectionsPage::retranslateUi() {
  setWindowTitle(tr("Connections"));
  m_title->setText(tr("Connections"));
  m_subtitle->setText(
      tr("The local node and the remote nodes you saved. The console shows one at a time; "
         "switching is instant and every connection stays checked."));
  m_currentLabel->setText(tr("The console shows: %1")
                              .arg(m_current.isEmpty() ? QStringLiteral("—") : m_connections->displayName(m_current)));
  m_use->setText(tr("Switch to"));
  m_add->setText(tr("Add…"));
  m_edit->setText(tr("Edit…"));
  m_remove->setText(tr("Remove"));
  m_test->setText(tr("Test"));
  m_test->setToolTip(tr("Checks that the node answers (the form's URL while the form is open)"));
  m_confirmRemove->setText(tr("Remove"));
  m_keep->setText(tr("Keep"));
  m_editor->setTitle(m_editingId.isEmpty() ? tr("New connection") : tr("Edit connection"));
  m_nameLabel->setText(tr("Name"));
  m_urlLabel->setText(tr("URL"));
  m_url->setPlaceholderText(tr("wss://node.example.com:8080/ops or https://node.example.com:8080"));
  m_keyLabel->setText(tr("API key"));
  m_key->setPlaceholderText(tr("none"));
  m_caLabel->setText(tr("CA file"));
  m_ca->setPlaceholderText(tr("optional: extra CA certificates (PEM) to trust"));
  m_browse->setText(tr("Browse…"));
  m_save->setText(tr("Save"));
  m_cancel->setText(tr("Cancel"));
  m_keyLocation->setText(
      tr("API keys are kept in %1, never in the settings file.").arg(m_connections->store()->keyLocation()));
  m_connections->retranslate();
  updateButtons();
}

void ConnectionsPage::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

}  // namespace lmfront::widgets
