// GenerationStatsPanel: the numbers of one generation as tiles — time to first token, tokens/s,
// tokens, finish reason, serving backend, cache status, gateway overhead — for the Playground.
//
// Contract: a view of values handed in: showProgress() while a generation streams, showResult()
// when it ended. It keeps the last values so a language change re-renders them translated.
// Unknown values show a dash.
#pragma once

#include "client/openaitypes.h"

#include <QWidget>
#include <array>

class QFrame;
class QLabel;

namespace lmfront::widgets {

class GenerationStatsPanel : public QWidget {
  Q_OBJECT
public:
  enum class Stat { TimeToFirstToken, TokensPerSecond, Tokens, Finish, Backend, Cache, Overhead, Count };

  explicit GenerationStatsPanel(QWidget *parent = nullptr);

  void clear();
  void showProgress(const client::ResponseMeta &meta, const client::GenerationStats &stats);
  void showResult(const client::GenerationResult &result);
  QString text(Stat stat) const;

  // "0.42 ms", "12.3 ms", "1.25 s"; a dash for a negative (unknown) time.
  static QString formatMs(double ms);

protected:
  void changeEvent(QEvent *event) override;

private:
  struct Tile {
    QFrame *frame = nullptr;
    QLabel *title = nullptr;
    QLabel *value = nullptr;
  };
  void retranslateUi();
  void render();
  void set(Stat stat, const QString &value, const QString &toolTip = {});

  std::array<Tile, static_cast<size_t>(Stat::Count)> m_tiles;
  client::GenerationResult m_result;
  bool m_shown = false;
  bool m_running = false;
};

}  // namespace lmfront::widgets
