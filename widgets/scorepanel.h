// ScorePanel: the Playground's Score mode — a text, Score, a summary line (tokens, perplexity,
// OOV count, total log10 P) and the text's tokens as chips coloured by probability (ScoreView,
// with its ScoreLegend).
//
// Contract: sends POST /v1/score through the session's CompletionClient (setSession(); not owned)
// for the model set with setModel(). Score is enabled when a model is set and no score runs;
// score() without a model or text does nothing. started() comes when a request goes out,
// failed() when it ends with an error (the caller shows it; the last good result stays), scored()
// after every answer. The last result is re-rendered on LanguageChange.
#pragma once

#include "client/openaitypes.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace lmfront::models {
class NodeSession;
}

namespace lmfront::widgets {

class ScoreLegend;
class ScoreView;

class ScorePanel : public QWidget {
  Q_OBJECT
public:
  explicit ScorePanel(QWidget *parent = nullptr);

  void setSession(models::NodeSession *session);
  void setModel(const QString &model);
  void setText(const QString &text);

  ScoreView *view() const { return m_view; }
  QString summary() const;
  bool isScoring() const { return m_running; }

public Q_SLOTS:
  void score();

Q_SIGNALS:
  void started();
  void failed(const lmfront::client::ApiError &error);
  void scored(const lmfront::client::ScoreResult &result);

protected:
  void changeEvent(QEvent *event) override;

private:
  void retranslateUi();
  void updateButtons();
  void onScored(const client::ScoreResult &result);
  void render();

  models::NodeSession *m_session = nullptr;  // not owned
  QString m_model;
  bool m_running = false;
  client::ScoreResult m_last;
  bool m_hasResult = false;

  QLabel *m_textLabel;
  QPlainTextEdit *m_text;
  QPushButton *m_button;
  QLabel *m_hint;
  QLabel *m_summary;
  ScoreView *m_view;
  ScoreLegend *m_legend;
};

}  // namespace lmfront::widgets
