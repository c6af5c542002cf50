// AlertRules: a node's alert rules file as the console edits it — load the file in effect
// (`alert_rules`), check an edited text without applying it (`check_rules`, any role) and apply it
// (`apply_rules`, admin) — docs/alerting.md, "Rules file".
//
// Contract: GUI thread; talks through the ops client of the session it is given (setSession();
// not owned; the client current at each call). Each call ends in exactly one finished(), unless
// the session's client is replaced first: `rules` is the count of rules on success, `error` is
// empty then; a refused file's error names the line and field, and `line` is that line (1-based,
// 0 when the error names none) so the editor can go there. load() also gives the text.
#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

namespace lmfront::client {
class OpsClient;
}

namespace lmfront::models {

class NodeSession;

class AlertRules : public QObject {
  Q_OBJECT
public:
  enum class Action { Load, Check, Apply };
  Q_ENUM(Action)

  explicit AlertRules(QObject *parent = nullptr);
  void setSession(NodeSession *session);

  void load();
  void check(const QString &yaml);
  void apply(const QString &yaml);

  // The line a rules error names ("apply_rules:12: rule \"x\": …" → 12), 0 when none.
  static int errorLine(const QString &error);

Q_SIGNALS:
  void finished(lmfront::models::AlertRules::Action action, int rules, const QString &error, int line,
                const QString &yaml);

private:
  client::OpsClient *opsClient() const;  // the session's current one; null without a session
  void run(Action action, const QString &command, const QString &yaml);

  QPointer<NodeSession> m_session;
};

}  // namespace lmfront::models
