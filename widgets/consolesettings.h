// ConsoleSettings: the console's stored preferences, one object the console composition creates
// and hands to whatever needs a preference (the Settings page, the main window's geometry, the
// local session's API key). No page opens QSettings itself.
//
// Stored with QSettings: by default the user's file (organisation "lmfront", application
// "lmfront-console"; on Linux ~/.config/lmfront/lmfront-console.conf), or an explicit INI file
// (the console's screenshot mode uses a throw-away one so it neither reads nor changes the
// user's). Values read back are validated here: a hand-edited file with a bad port or an unknown
// language yields the default, never a crash. The API key of the local node's connection is kept
// here too, in a file then made readable by its owner only; it is never logged.
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
  static QString playgroundApiKeyKey() { return QStringLiteral("playground/apiKey"); }

  // Validating readers over any QSettings (also used on the user's file by tests).
  static quint16 listenPort(const QSettings &s);
  // "en" or "zh_CN"; anything else reads as "en".
  static QString language(const QSettings &s);
  // The API key sent as "Authorization: Bearer" to the local node; empty when none is set.
  static QString playgroundApiKey(const QSettings &s);

  quint16 listenPort() const { return listenPort(*m_settings); }
  // Stores a valid port (kMinListenPort..65535); returns false and stores nothing otherwise.
  bool setListenPort(int port);
  QString language() const { return language(*m_settings); }
  void setLanguage(const QString &code);
  QString apiKey() const { return playgroundApiKey(*m_settings); }
  // Stores it (an empty key removes the entry) and makes the settings file readable by its owner
  // only, since it now holds a secret (QSettings keeps a file's permissions when it rewrites it).
  void setApiKey(const QString &key);
  QByteArray windowGeometry() const;
  QString windowSection() const;
  void setWindowState(const QByteArray &geometry, const QString &section);

  QString fileName() const { return m_settings->fileName(); }

private:
  std::unique_ptr<QSettings> m_settings;
};

}  // namespace lmfront::widgets
