#include "widgets/submitdialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace lmfront::widgets {

namespace {
bool isArchive(const QString &name) {
  return name.endsWith(QLatin1StringView(".tar.gz"), Qt::CaseInsensitive) ||
         name.endsWith(QLatin1StringView(".tgz"), Qt::CaseInsensitive);
}
}  // namespace

SubmitDialog::SubmitDialog(QWidget *parent)
    : QDialog(parent),
      m_path(new QLineEdit),
      m_hint(new QLabel),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel)) {
  setObjectName(QStringLiteral("submitDialog"));
  setWindowTitle(tr("Submit a model bundle"));
  setWindowModality(Qt::WindowModal);
  auto *about =
      new QLabel(tr("A bundle is a directory or a .tar.gz with model.json, the model (model.arpa, or a "
                    "corpus the node trains), and optionally dev.txt for validation and README.md as the "
                    "model card. The node stores it as the model's next version and validates it."));
  about->setWordWrap(true);
  m_path->setObjectName(QStringLiteral("submitPath"));
  m_path->setPlaceholderText(tr("Path of a bundle directory or .tar.gz"));
  m_path->setClearButtonEnabled(true);
  auto *archive = new QPushButton(tr("Archive…"));
  archive->setObjectName(QStringLiteral("submitBrowseArchive"));
  auto *folder = new QPushButton(tr("Folder…"));
  folder->setObjectName(QStringLiteral("submitBrowseFolder"));
  m_hint->setObjectName(QStringLiteral("submitHint"));
  m_hint->setWordWrap(true);
  m_hint->setStyleSheet(QStringLiteral("color: #6b7785;"));
  m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Submit"));
  m_buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("submitOk"));

  auto *row = new QHBoxLayout;
  row->addWidget(m_path, 1);
  row->addWidget(archive);
  row->addWidget(folder);
  auto *layout = new QVBoxLayout(this);
  layout->addWidget(about);
  layout->addLayout(row);
  layout->addWidget(m_hint);
  layout->addStretch(1);
  layout->addWidget(m_buttons);
  resize(560, 200);

  connect(archive, &QPushButton::clicked, this, [this] {
    const QString file = QFileDialog::getOpenFileName(this, tr("Bundle archive"), QFileInfo(path()).path(),
                                                      tr("Bundles (*.tar.gz *.tgz)"));
    if (!file.isEmpty()) setPath(file);
  });
  connect(folder, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Bundle folder"), path());
    if (!dir.isEmpty()) setPath(dir);
  });
  connect(m_path, &QLineEdit::textChanged, this, &SubmitDialog::refresh);
  connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
    if (canAccept()) accept();
  });
  connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  refresh();
}

QString SubmitDialog::path() const { return QDir::cleanPath(m_path->text().trimmed()); }

void SubmitDialog::setPath(const QString &path) { m_path->setText(QDir::toNativeSeparators(path)); }

bool SubmitDialog::canAccept() const {
  const QFileInfo info(path());
  if (m_path->text().trimmed().isEmpty() || !info.exists()) return false;
  return info.isDir() || (info.isFile() && isArchive(info.fileName()));
}

void SubmitDialog::refresh() {
  const QFileInfo info(path());
  if (m_path->text().trimmed().isEmpty())
    m_hint->setText(tr("Pick a bundle directory or a .tar.gz."));
  else if (!info.exists())
    m_hint->setText(tr("Nothing at this path."));
  else if (info.isDir())
    m_hint->setText(QFileInfo::exists(info.filePath() + QStringLiteral("/model.json"))
                        ? tr("A directory: it is packed into a .tar.gz, then uploaded.")
                        : tr("A directory without model.json: the node will refuse it."));
  else if (!isArchive(info.fileName()))
    m_hint->setText(tr("Not a bundle: pick a directory or a .tar.gz file."));
  else
    m_hint->setText(tr("An archive of %1.").arg(QLocale().formattedDataSize(info.size())));
  m_buttons->button(QDialogButtonBox::Ok)->setEnabled(canAccept());
}

}  // namespace lmfront::widgets
