#include "widgets/settingspage.h"

#include "models/nodesession.h"

#include "widgets/consolesettings.h"
#include "widgets/languagemanager.h"

#include <QComboBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStyle>
#include <QVBoxLayout>

namespace lmfront::widgets {

SettingsPage::SettingsPage(ConsoleSettings *settings, QWidget *parent)
    : QWidget(parent),
      m_title(new QLabel),
      m_nodeGroup(new QGroupBox),
      m_portLabel(new QLabel),
      m_port(new QSpinBox),
      m_portMessage(new QLabel),
      m_currentAddress(new QLabel),
      m_uiGroup(new QGroupBox),
      m_languageLabel(new QLabel),
      m_language(new QComboBox),
      m_languageHint(new QLabel),
      m_storedIn(new QLabel),
      m_settings(settings) {
  m_title->setObjectName(QStringLiteral("pageTitle"));
  // The spin box accepts any port so a wrong one can be explained instead of silently clamped.
  m_port->setRange(1, 65535);
  m_port->setObjectName(QStringLiteral("listenPort"));
  m_port->setFixedWidth(120);
  m_port->setButtonSymbols(QAbstractSpinBox::NoButtons);
  m_currentAddress->setObjectName(QStringLiteral("hint"));
  m_currentAddress->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_languageHint->setObjectName(QStringLiteral("hint"));
  m_storedIn->setObjectName(QStringLiteral("hint"));
  m_storedIn->setWordWrap(true);
  m_storedIn->setTextInteractionFlags(Qt::TextSelectableByMouse);

  for (const QString &code : LanguageManager::supportedLanguages())
    m_language->addItem(LanguageManager::nativeName(code), code);
  m_language->setObjectName(QStringLiteral("language"));
  m_language->setMinimumWidth(180);

  auto *nodeForm = new QFormLayout(m_nodeGroup);
  nodeForm->setLabelAlignment(Qt::AlignLeft | Qt::AlignVCenter);
  nodeForm->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
  nodeForm->setHorizontalSpacing(18);
  nodeForm->setVerticalSpacing(8);
  nodeForm->addRow(m_portLabel, m_port);
  nodeForm->addRow(QString(), m_portMessage);
  nodeForm->addRow(QString(), m_currentAddress);

  auto *uiForm = new QFormLayout(m_uiGroup);
  uiForm->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
  uiForm->setHorizontalSpacing(18);
  uiForm->setVerticalSpacing(8);
  uiForm->addRow(m_languageLabel, m_language);
  uiForm->addRow(QString(), m_languageHint);

  auto *column = new QVBoxLayout(this);
  column->setContentsMargins(32, 28, 32, 28);
  column->setSpacing(12);
  column->addWidget(m_title);
  column->addSpacing(8);
  column->addWidget(m_nodeGroup);
  column->addWidget(m_uiGroup);
  column->addWidget(m_storedIn);
  column->addStretch(1);
  m_nodeGroup->setMaximumWidth(720);
  m_uiGroup->setMaximumWidth(720);

  m_port->setValue(m_settings->listenPort());
  const int langIndex = m_language->findData(m_settings->language());
  m_language->setCurrentIndex(langIndex < 0 ? 0 : langIndex);

  connect(m_port, &QSpinBox::valueChanged, this, &SettingsPage::onPortChanged);
  connect(m_language, &QComboBox::currentIndexChanged, this, &SettingsPage::onLanguageChosen);
  retranslateUi();
}

QString SettingsPage::portMessage() const { return m_portMessage->text(); }

void SettingsPage::setCurrentLanguage(const QString &code) {
  const int index = m_language->findData(code);
  if (index < 0 || index == m_language->currentIndex()) return;
  const QSignalBlocker block(m_language);  // showing the language is not choosing it
  m_language->setCurrentIndex(index);
}

void SettingsPage::setSession(models::NodeSession *session) {
  if (m_session) disconnect(m_session, nullptr, this, nullptr);
  m_session = session;
  if (m_session) connect(m_session, &models::NodeSession::connectionChanged, this, &SettingsPage::retranslateUi);
  retranslateUi();
}

void SettingsPage::onPortChanged(int port) {
  m_portValid = m_settings->setListenPort(port);
  updatePortMessage();
}

void SettingsPage::onLanguageChosen(int index) {
  const QString code = m_language->itemData(index).toString();
  m_settings->setLanguage(code);
  Q_EMIT languageRequested(code);
}

void SettingsPage::updatePortMessage() {
  if (m_portValid) {
    m_portMessage->setObjectName(QStringLiteral("hint"));
    m_portMessage->setText(tr("Applies at next start. If the port is busy, the next free one is used."));
  } else {
    m_portMessage->setObjectName(QStringLiteral("error"));
    m_portMessage->setText(
        tr("Ports below %1 need administrator rights: choose %1–65535. Not saved.").arg(kMinListenPort));
  }
  // The object name picks the style sheet rule; re-polish so the colour follows.
  m_portMessage->style()->unpolish(m_portMessage);
  m_portMessage->style()->polish(m_portMessage);
}

void SettingsPage::retranslateUi() {
  setWindowTitle(tr("Settings"));
  m_title->setText(tr("Settings"));
  m_nodeGroup->setTitle(tr("Local node"));
  m_portLabel->setText(tr("Listen port"));
  m_port->setToolTip(tr("TCP port of the local node on 127.0.0.1"));
  const QString address = m_session ? m_session->address() : QString();
  m_currentAddress->setText(address.isEmpty() ? tr("The local node is not running.")
                                              : tr("Listening now on %1.").arg(address));
  m_uiGroup->setTitle(tr("Appearance"));
  m_languageLabel->setText(tr("Language"));
  m_languageHint->setText(tr("Applies at once."));
  m_storedIn->setText(tr("Settings are stored in %1").arg(m_settings->fileName()));
  updatePortMessage();
}

void SettingsPage::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

}  // namespace lmfront::widgets
