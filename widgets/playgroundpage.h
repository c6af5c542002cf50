// PlaygroundPage: where a developer tries the models a node serves. Generate mode streams a
// completion (or a chat answer) token by token with the sampling parameters at hand, and shows
// time to first token, tokens/s, token counts, the serving backend, the cache status and the
// gateway's overhead. Score mode colours each token of a text by its log10 probability.
//
// Contract: a client of the node's OpenAI-compatible HTTP API like any other (CompletionClient,
// owned by the page), so a local and a remote node take the same path; setBaseUrl() points it at
// a node and refreshes the model list (also refreshed when the page is shown and on request).
// Errors from the API (the OpenAI error's message) and an unreachable node show inline in a
// banner; nothing is modal. Stop aborts the stream at once; the text so far stays. The API key
// field's value goes out as "Authorization: Bearer" on every request (models, completions,
// score); it is loaded from and saved to the console settings (ConsoleSettings), echoed as
// dots, and never logged. The accessors below exist for tests and the console's screenshot;
// they read what the widgets show.
#pragma once

#include "client/completionclient.h"
#include "models/modellistmodel.h"
#include "widgets/generationstatspanel.h"

#include <QUrl>
#include <QWidget>
#include <array>

class QComboBox;
class QDoubleSpinBox;
class QFrame;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTextEdit;
class QToolButton;
class QButtonGroup;

namespace lmfront::widgets {

class ScoreView;
class ScoreLegend;

class PlaygroundPage : public QWidget {
  Q_OBJECT
public:
  enum class Mode { Generate, Score };
  using Stat = GenerationStatsPanel::Stat;

  explicit PlaygroundPage(QWidget *parent = nullptr);

  void setBaseUrl(const QUrl &url);
  QUrl baseUrl() const { return m_client.baseUrl(); }
  void setMode(Mode mode);
  Mode mode() const { return m_mode; }

  QString generatedText() const { return m_generated; }
  QString statText(Stat stat) const;
  QString errorText() const;  // empty when the banner is hidden
  bool isGenerating() const { return m_client.isGenerating(); }
  ScoreView *scoreView() const { return m_scoreView; }
  QString scoreSummary() const;
  const models::ModelListModel &modelList() const { return m_models; }
  QString currentModel() const;
  QString apiKey() const;

  // Fills the form and generates as soon as the model list has `model` (or, failing that, any
  // model). For the console's screenshot and demos.
  void runExample(const QString &model, const QString &prompt, qint64 seed, int maxTokens);

public Q_SLOTS:
  void refreshModels();
  void generate();
  void stop();
  void score();

Q_SIGNALS:
  void modelsRefreshed();
  void generationFinished(const lmfront::client::GenerationResult &result);
  void scoreFinished(const lmfront::client::ScoreResult &result);

protected:
  void changeEvent(QEvent *event) override;
  void showEvent(QShowEvent *event) override;

private:
  QWidget *buildGeneratePage();
  QWidget *buildScorePage();
  QWidget *buildParameters();
  void retranslateUi();
  void setRunning(bool running);
  void updateButtons();
  void showError(const QString &text);
  void hideError();
  QString describe(const client::ApiError &error) const;
  void onModelsListed(const client::ModelList &list);
  void onText(const QString &text, const client::GenerationStats &stats);
  void onGenerationFinished(const client::GenerationResult &result);
  void onScored(const client::ScoreResult &result);
  QStringList stopStrings() const;
  void maybeRunExample();
  void applyApiKey(bool save);

  client::CompletionClient m_client;
  models::ModelListModel m_models;
  Mode m_mode = Mode::Generate;

  QLabel *m_title;
  QLabel *m_subtitle;
  QLabel *m_modelLabel;
  QComboBox *m_modelCombo;
  QToolButton *m_refresh;
  QPushButton *m_generateMode;
  QPushButton *m_scoreMode;
  QButtonGroup *m_modeGroup;
  QLabel *m_apiLabel;
  QComboBox *m_api;
  QLabel *m_apiKeyLabel;
  QLineEdit *m_apiKey;
  QLabel *m_error;
  QStackedWidget *m_stack;

  // Generate
  QLabel *m_promptLabel;
  QPlainTextEdit *m_prompt;
  QPushButton *m_generate;
  QPushButton *m_stop;
  QLabel *m_shortcutHint;
  QLabel *m_outputLabel;
  QTextEdit *m_output;
  GenerationStatsPanel *m_stats;
  QLabel *m_paramsTitle;
  std::array<QLabel *, 6> m_paramLabels{};
  QSpinBox *m_maxTokens;
  QDoubleSpinBox *m_temperature;
  QSpinBox *m_topK;
  QDoubleSpinBox *m_topP;
  QLineEdit *m_seed;
  QPlainTextEdit *m_stopEdit;
  QLabel *m_paramsHint;

  // Score
  QLabel *m_scoreTextLabel;
  QPlainTextEdit *m_scoreText;
  QPushButton *m_scoreButton;
  QLabel *m_scoreSummary;
  ScoreView *m_scoreView;
  ScoreLegend *m_legend;
  QLabel *m_scoreHint;

  QString m_generated;
  client::GenerationResult m_last;  // the run shown in the stats
  bool m_running = false;
  client::ScoreResult m_lastScore;
  bool m_hasScore = false;
  QString m_lastModelsError;

  struct Example {
    QString model, prompt;
    qint64 seed = 0;
    int maxTokens = 0;
  };
  std::optional<Example> m_example;
};

}  // namespace lmfront::widgets
