// GeneratePanel: the Playground's Generate mode — prompt, Generate and Stop, the output as it
// streams, the stats of the run (GenerationStatsPanel), the sampling parameters
// (SamplingParamsForm) and, when the run asked for log-probabilities, the generated tokens
// coloured by probability (ScoreView) with their alternatives on hover.
//
// Contract: sends through the session's CompletionClient (setSession(); not owned) to the model
// set with setModel(), as a completion or, with setChat(true), a chat completion. Generate is
// enabled when a model is set and nothing runs; generate() without a model does nothing. The
// output shows a completion's prompt in grey, then the text as each piece arrives; a chat answer
// stands alone. Stop aborts at once and keeps the text so far. started() comes when a request
// goes out, failed() when one ends with an error other than being stopped (the caller shows it),
// finished() after every run. The token view shows only for a run with log-probabilities and
// keeps the last run's tokens until the next one starts. Re-translates itself on LanguageChange.
#pragma once

#include "client/openaitypes.h"
#include "widgets/generationstatspanel.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QScrollArea;
class QTextEdit;

namespace lmfront::models {
class NodeSession;
}

namespace lmfront::widgets {

class SamplingParamsForm;
class ScoreView;

class GeneratePanel : public QWidget {
  Q_OBJECT
public:
  explicit GeneratePanel(QWidget *parent = nullptr);

  void setSession(models::NodeSession *session);
  void setModel(const QString &model);
  void setChat(bool chat);
  void setPrompt(const QString &prompt);
  SamplingParamsForm *params() const { return m_params; }
  ScoreView *tokenView() const { return m_tokens; }

  QString generatedText() const { return m_generated; }
  QString statText(GenerationStatsPanel::Stat stat) const { return m_stats->text(stat); }
  bool isGenerating() const { return m_running; }

public Q_SLOTS:
  void generate();
  void stop();

Q_SIGNALS:
  void started();
  void failed(const lmfront::client::ApiError &error);
  void finished(const lmfront::client::GenerationResult &result);

protected:
  void changeEvent(QEvent *event) override;

private:
  void retranslateUi();
  void updateButtons();
  void onText(const QString &text, const client::GenerationStats &stats);
  void onFinished(const client::GenerationResult &result);
  void onTokens(const QList<client::ScoredToken> &tokens);

  models::NodeSession *m_session = nullptr;  // not owned
  QString m_model;
  bool m_chat = false;
  bool m_running = false;
  QString m_generated;
  QList<client::ScoredToken> m_scored;  // this run's tokens with log-probabilities
  client::GenerationResult m_last;      // the run shown in the stats

  QLabel *m_promptLabel;
  QPlainTextEdit *m_prompt;
  QPushButton *m_generate;
  QPushButton *m_stop;
  QLabel *m_shortcutHint;
  QLabel *m_outputLabel;
  QTextEdit *m_output;
  QLabel *m_tokensLabel;
  ScoreView *m_tokens;
  QScrollArea *m_tokensArea;
  GenerationStatsPanel *m_stats;
  SamplingParamsForm *m_params;
};

}  // namespace lmfront::widgets
