#include "widgets/generationstatspanel.h"

#include <QEvent>
#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QLocale>

namespace lmfront::widgets {

using client::ApiErrorKind;

GenerationStatsPanel::GenerationStatsPanel(QWidget *parent) : QWidget(parent) {
  setStyleSheet(QStringLiteral(R"(
#statTile { background: #ffffff; border: 1px solid #dfe3e8; border-radius: 8px; }
#statTitle { color: #6b7785; font-size: 8pt; font-weight: 600; }
#statValue { color: #1f2933; font-size: 12pt; }
)"));
  auto *grid = new QGridLayout(this);
  grid->setContentsMargins(0, 0, 0, 0);
  grid->setHorizontalSpacing(8);
  grid->setVerticalSpacing(8);
  for (size_t i = 0; i < m_tiles.size(); ++i) {
    Tile &t = m_tiles[i];
    t.frame = new QFrame;
    t.frame->setObjectName(QStringLiteral("statTile"));
    auto *l = new QVBoxLayout(t.frame);
    l->setContentsMargins(10, 6, 10, 6);
    l->setSpacing(2);
    t.title = new QLabel;
    t.title->setObjectName(QStringLiteral("statTitle"));
    t.value = new QLabel(QStringLiteral("—"));
    t.value->setObjectName(QStringLiteral("statValue"));
    t.value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->addWidget(t.title);
    l->addWidget(t.value);
    // Numbers on the first row; where the answer came from on the second.
    const int row = i < 4 ? 0 : 1;
    const int col = i < 4 ? static_cast<int>(i) : static_cast<int>(i) - 4;
    grid->addWidget(t.frame, row, col, 1, (i == static_cast<size_t>(Stat::Overhead)) ? 2 : 1);
  }
  for (int c = 0; c < 4; ++c) grid->setColumnStretch(c, 1);
  retranslateUi();
}

QString GenerationStatsPanel::formatMs(double ms) {
  const QLocale l;
  if (ms < 0) return QStringLiteral("—");
  if (ms < 10) return l.toString(ms, 'f', 2) + QStringLiteral(" ms");
  if (ms < 1000) return l.toString(ms, 'f', 1) + QStringLiteral(" ms");
  return l.toString(ms / 1000, 'f', 2) + QStringLiteral(" s");
}

void GenerationStatsPanel::clear() {
  m_shown = m_running = false;
  m_result = {};
  for (Tile &t : m_tiles) {
    t.value->setText(QStringLiteral("—"));
    t.value->setToolTip({});
  }
}

void GenerationStatsPanel::showProgress(const client::ResponseMeta &meta, const client::GenerationStats &stats) {
  m_shown = m_running = true;
  m_result = {meta, stats, {}};
  render();
}

void GenerationStatsPanel::showResult(const client::GenerationResult &result) {
  m_shown = true;
  m_running = false;
  m_result = result;
  render();
}

QString GenerationStatsPanel::text(Stat stat) const { return m_tiles[static_cast<size_t>(stat)].value->text(); }

void GenerationStatsPanel::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

void GenerationStatsPanel::retranslateUi() {
  const std::array<QString, static_cast<size_t>(Stat::Count)> titles = {
      tr("Time to first token"), tr("Tokens/s"), tr("Tokens"), tr("Finish"), tr("Backend"), tr("Cache"),
      tr("Gateway overhead")};
  for (size_t i = 0; i < m_tiles.size(); ++i) m_tiles[i].title->setText(titles[i].toUpper());
  if (m_shown) render();
}

void GenerationStatsPanel::set(Stat stat, const QString &value, const QString &toolTip) {
  Tile &t = m_tiles[static_cast<size_t>(stat)];
  t.value->setText(value);
  t.value->setToolTip(toolTip);
}

void GenerationStatsPanel::render() {
  const client::ResponseMeta &meta = m_result.meta;
  const client::GenerationStats &s = m_result.stats;
  const QLocale l;
  const QString dash = QStringLiteral("—");
  set(Stat::TimeToFirstToken, s.ttftMs >= 0 ? formatMs(s.ttftMs) : dash,
      tr("From sending the request to the first token."));
  const double tps = s.tokensPerSecond();
  set(Stat::TokensPerSecond, s.tokens > 0 ? l.toString(tps, 'f', tps < 100 ? 1 : 0) : dash,
      tr("Tokens per second while streaming, after the first token."));
  QString tokens =
      s.tokens > 0 || !m_running ? l.toString(s.completionTokens >= 0 ? s.completionTokens : s.tokens) : dash;
  if (s.promptTokens >= 0) tokens = tr("%1 + %2 prompt").arg(tokens).arg(s.promptTokens);
  set(Stat::Tokens, tokens, tr("Generated tokens, plus the prompt's tokens as the node counted them."));
  set(Stat::Backend, meta.backend.isEmpty() ? dash : meta.backend, tr("The pool member that served the request."));
  QString cache = dash;
  if (meta.cache == QLatin1String("hit"))
    cache = tr("hit");
  else if (meta.cache == QLatin1String("miss"))
    cache = tr("miss");
  else if (meta.cache == QLatin1String("coalesced"))
    cache = tr("coalesced");
  else if (meta.cache == QLatin1String("bypass"))
    cache = tr("bypass");
  else if (!meta.cache.isEmpty())
    cache = meta.cache;
  set(Stat::Cache, cache,
      tr("Whether the node's response cache answered. Only deterministic requests (a seed, or temperature 0) "
         "are cached."));
  set(Stat::Overhead, meta.overheadMs >= 0 ? formatMs(meta.overheadMs) : dash,
      tr("Time spent in the gateway itself, excluding the model's work."));
  if (m_running) {
    set(Stat::Finish, tr("generating…"));
    return;
  }
  const client::GenerationResult &r = m_result;
  QString text;
  if (r.error.kind == ApiErrorKind::Cancelled)
    text = tr("stopped");
  else if (!r.error.ok())
    text = tr("error");
  else if (r.stats.finishReason == QLatin1String("stop"))
    text = tr("end of text");
  else if (r.stats.finishReason == QLatin1String("length"))
    text = tr("max tokens");
  else
    text = r.stats.finishReason.isEmpty() ? QStringLiteral("—") : r.stats.finishReason;
  set(Stat::Finish, text,
      r.stats.finishReason.isEmpty() ? QString() : QStringLiteral("finish_reason: ") + r.stats.finishReason);
}

}  // namespace lmfront::widgets
