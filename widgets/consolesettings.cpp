#include "widgets/consolesettings.h"

namespace lmfront::widgets {

ConsoleSettings::ConsoleSettings() : m_settings(std::make_unique<QSettings>()) {}

ConsoleSettings::ConsoleSettings(const QString &iniFile)
    : m_settings(std::make_unique<QSettings>(iniFile, QSettings::IniFormat)) {}

ConsoleSettings::~ConsoleSettings() = default;

quint16 ConsoleSettings::listenPort(const QSettings &s) {
  bool ok = false;
  const int port = s.value(listenPortKey(), kDefaultListenPort).toInt(&ok);
  return ok && port >= kMinListenPort && port <= 65535 ? static_cast<quint16>(port) : kDefaultListenPort;
}

QString ConsoleSettings::language(const QSettings &s) {
  const QString lang = s.value(languageKey()).toString();
  return lang == QLatin1String("zh_CN") ? lang : QStringLiteral("en");
}

bool ConsoleSettings::setListenPort(int port) {
  if (port < kMinListenPort || port > 65535) return false;
  m_settings->setValue(listenPortKey(), port);
  return true;
}

void ConsoleSettings::setLanguage(const QString &code) { m_settings->setValue(languageKey(), code); }

QString ConsoleSettings::takeLegacyApiKey() {
  const QString key = m_settings->value(playgroundApiKeyKey()).toString().trimmed();
  if (m_settings->contains(playgroundApiKeyKey())) {
    m_settings->remove(playgroundApiKeyKey());
    m_settings->sync();
  }
  return key;
}

QString ConsoleSettings::currentConnection() const { return m_settings->value(connectionKey()).toString(); }

void ConsoleSettings::setCurrentConnection(const QString &id) { m_settings->setValue(connectionKey(), id); }

QByteArray ConsoleSettings::windowGeometry() const { return m_settings->value(geometryKey()).toByteArray(); }

QString ConsoleSettings::windowSection() const { return m_settings->value(sectionKey()).toString(); }

void ConsoleSettings::setWindowState(const QByteArray &geometry, const QString &section) {
  m_settings->setValue(geometryKey(), geometry);
  m_settings->setValue(sectionKey(), section);
}

}  // namespace lmfront::widgets
