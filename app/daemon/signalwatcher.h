// SignalWatcher: turns SIGTERM/SIGINT (stop) and SIGHUP (reload) into Qt signals on the thread
// that owns it.
// A signal handler may only do async-signal-safe work, so it writes one byte to a pipe that a
// QSocketNotifier watches (the classic self-pipe). One instance per process.
#pragma once

#include <QObject>

class QSocketNotifier;

class SignalWatcher : public QObject {
  Q_OBJECT
public:
  explicit SignalWatcher(QObject *parent = nullptr);
  ~SignalWatcher() override;
  bool isValid() const { return m_notifier != nullptr; }

Q_SIGNALS:
  void terminationRequested(int signalNumber);
  void reloadRequested();

private:
  void onReadable();
  QSocketNotifier *m_notifier = nullptr;
};
