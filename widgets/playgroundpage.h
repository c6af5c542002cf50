// PlaygroundPage: where a developer tries the models a node serves. Generate mode streams a
// completion (or a chat answer) token by token with the sampling parameters at hand, and shows
// time to first token, tokens/s, token counts, the serving backend, the cache status and the
// gateway's overhead (GeneratePanel). Score mode colours each token of a text by its log10
// probability (ScorePanel).
//
// Contract: a client of the node's OpenAI-compatible HTTP API like any other, through the
// session it is handed (setSession(); not owned), so a local and a remote node take the same
// path. The page holds the model picker (the session's ModelListModel, refreshed when the page is
// shown, when the session's node changes and on request), the mode switch, the API choice and
// the API key field, and the error banner: errors from the API (the OpenAI error's message) and
// an unreachable node show inline; nothing is modal. The API key field shows the session's key;
// what it shows applies to the session as it is typed, and when editing ends with a changed key
// apiKeyEntered() says so (the console stores it) and the model list is fetched again. The key
// is echoed as dots and never logged. The accessors below exist for tests and the console's
// screenshot; they read what the widgets show.
#pragma once

#include "client/openaitypes.h"
#include "widgets/generationstatspanel.h"

#include <QWidget>
#include <optional>

class QButtonGroup;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QStackedWidget;
class QToolButton;

namespace lmfront::models {
class NodeSession;
}

namespace lmfront::widgets {

class GeneratePanel;
class ScorePanel;
class ScoreView;

class PlaygroundPage : public QWidget {
  Q_OBJECT
public:
  enum class Mode { Generate, Score };
  using Stat = GenerationStatsPanel::Stat;

  explicit PlaygroundPage(QWidget *parent = nullptr);

  void setSession(models::NodeSession *session);
  models::NodeSession *session() const { return m_session; }
  void setMode(Mode mode);
  Mode mode() const { return m_mode; }

  GeneratePanel *generatePanel() const { return m_generatePanel; }
  ScorePanel *scorePanel() const { return m_scorePanel; }
  QString generatedText() const;
  QString statText(Stat stat) const;
  QString errorText() const;  // empty when the banner is hidden
  bool isGenerating() const;
  ScoreView *scoreView() const;
  QString scoreSummary() const;
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
  void apiKeyEntered(const QString &key);
  void generationFinished(const lmfront::client::GenerationResult &result);
  void scoreFinished(const lmfront::client::ScoreResult &result);

protected:
  void changeEvent(QEvent *event) override;
  void showEvent(QShowEvent *event) override;

private:
  void retranslateUi();
  void showError(const QString &text);
  void hideError();
  QString describe(const client::ApiError &error) const;
  void onModelsListed(const client::ModelList &list);
  void onModelChosen();
  void onConnectionChanged();
  void onApiKeyEdited(bool finished);
  void maybeRunExample();

  models::NodeSession *m_session = nullptr;  // not owned
  Mode m_mode = Mode::Generate;
  QString m_enteredKey;  // the key as last confirmed in the field

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
  GeneratePanel *m_generatePanel;
  ScorePanel *m_scorePanel;

  QString m_lastModelsError;

  struct Example {
    QString model, prompt;
    qint64 seed = 0;
    int maxTokens = 0;
  };
  std::optional<Example> m_example;
};

}  // namespace lmfront::widgets
