// ConsoleSettings: the console's stored preferences, one object the console composition creates
// and hands to whatever needs a preference (the Settings page, the main window's geometry, the
// local session's API key). No page opens QSettings itself.
//
// Stored with QSettings: by default the user's file (organisation "lmfront", application
// "lmfront-console"; on Linux ~/.config/lmfront/lmfront-console.conf), or an explicit INI file
// (the console's screenshot mode uses a throw-away one so it neither reads nor changes the
// user's). Values read back are validated here: a hand-edited file with a bad port or an unknown
// language yields the default, never a crash. The saved connections (models::ConnectionStore)
// live in the same file, through qsettings(); their API keys never do (a key an older console
// kept here is handed over once by takeLegacyApiKey()).
// GUI thread only (like QSettings, one object per thread).
#pragma once

#include <QByteArray>
#include <QSettings>
#include <QString>
#include <memory>

namespace lmfront::widgets {

inline constexpr quint16 kDefaultListenPort = 8080;
// Ports below this need root on Linux; the Settings page refuses them.
inline constexpr int kMinListenPort = 1024;

class ConsoleSettings {
public:
  ConsoleSettings();                                 // the user's settings file
  explicit ConsoleSettings(const QString &iniFile);  // this file instead
  ~ConsoleSettings();
  ConsoleSettings(const ConsoleSettings &) = delete;
  ConsoleSettings &operator=(const ConsoleSettings &) = delete;

  static QString listenPortKey() { return QStringLiteral("node/listenPort"); }
  static QString languageKey() { return QStringLiteral("ui/language"); }
  static QString geometryKey() { return QStringLiteral("window/geometry"); }
  static QString sectionKey() { return QStringLiteral("window/section"); }
  static QString connectionKey() { return QStringLiteral("window/connection"); }
  // Where consoles before the key store kept the local node's API key.
  static QString playgroundApiKeyKey() { return QStringLiteral("playground/apiKey"); }

  // Validating readers over any QSettings (also used on the user's file by tests).
  static quint16 listenPort(const QSettings &s);
  // "en" or "zh_CN"; anything else reads as "en".
  static QString language(const QSettings &s);

  quint16 listenPort() const { return listenPort(*m_settings); }
  // Stores a valid port (kMinListenPort..65535); returns false and stores nothing otherwise.
  bool setListenPort(int port);
  QString language() const { return language(*m_settings); }
  void setLanguage(const QString &code);
  // The key an older console stored here, removed from the file (empty when there was none).
  QString takeLegacyApiKey();
  // The connection the console showed last (models::ConnectionStore ids); empty: the local node.
  QString currentConnection() const;
  void setCurrentConnection(const QString &id);
  QByteArray windowGeometry() const;
  QString windowSection() const;
  void setWindowState(const QByteArray &geometry, const QString &section);

  QString fileName() const { return m_settings->fileName(); }
  // For stores below the widgets layer that keep their entries in the same file.
  QSettings *qsettings() { return m_settings.get(); }

private:
  std::unique_ptr<QSettings> m_settings;
};

}  // namespace lmfront::widgets
