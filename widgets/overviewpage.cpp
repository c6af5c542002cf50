#include "widgets/overviewpage.h"

#include "models/nodesession.h"

#include <QColor>
#include <QEvent>
#include <QFrame>
#include <QGridLayout>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

namespace lmfront::widgets {

using models::NodeInfoModel;
using Row = NodeInfoModel::Row;

namespace {
constexpr int kTickMs = 250;  // well under a second so the ticking uptime never skips a value
constexpr int kDotSize = 12;
}  // namespace

OverviewPage::OverviewPage(QWidget *parent)
    : QWidget(parent), m_endpointHint(new QLabel), m_title(new QLabel), m_subtitle(new QLabel) {
  auto *content = new QWidget;
  auto *column = new QVBoxLayout(content);
  column->setContentsMargins(32, 28, 32, 28);
  column->setSpacing(6);
  m_title->setObjectName(QStringLiteral("pageTitle"));
  m_subtitle->setObjectName(QStringLiteral("pageSubtitle"));
  m_subtitle->setWordWrap(true);
  column->addWidget(m_title);
  column->addWidget(m_subtitle);
  column->addSpacing(14);

  auto *grid = new QGridLayout;
  grid->setHorizontalSpacing(16);
  grid->setVerticalSpacing(16);
  for (size_t r = 0; r < m_cards.size(); ++r) m_cards[r] = makeCard(static_cast<Row>(r) == Row::Health);
  auto place = [&](Row row, int gridRow, int gridColumn, int span = 1) {
    grid->addWidget(m_cards[static_cast<size_t>(row)].frame, gridRow, gridColumn, 1, span);
  };
  place(Row::Health, 0, 0);
  place(Row::NodeId, 0, 1);
  place(Row::Version, 0, 2);
  place(Row::Uptime, 1, 0);
  place(Row::Listen, 1, 1);
  place(Row::Models, 1, 2);
  place(Row::DataDir, 2, 0, 3);
  m_endpoint = makeCard();
  m_endpointHint->setObjectName(QStringLiteral("cardDetail"));
  m_endpointHint->setWordWrap(true);
  m_endpoint.frame->layout()->addWidget(m_endpointHint);
  grid->addWidget(m_endpoint.frame, 3, 0, 1, 3);
  for (int c = 0; c < 3; ++c) grid->setColumnStretch(c, 1);
  column->addLayout(grid);
  column->addStretch(1);

  auto *scroll = new QScrollArea;
  scroll->setWidget(content);
  scroll->setWidgetResizable(true);
  scroll->setFrameShape(QFrame::NoFrame);
  auto *outer = new QVBoxLayout(this);
  outer->setContentsMargins(0, 0, 0, 0);
  outer->addWidget(scroll);

  m_sinceHealth.start();
  m_tick.setInterval(kTickMs);
  connect(&m_tick, &QTimer::timeout, this, [this] {
    if (m_model) m_model->setSecondsSinceUpdate(static_cast<double>(m_sinceHealth.elapsed()) / 1000.0);
  });

  retranslateUi();
}

void OverviewPage::setSession(models::NodeSession *session) {
  if (m_model) disconnect(m_model, nullptr, this, nullptr);
  m_model = session ? session->nodeInfo() : nullptr;
  if (m_model) {
    connect(m_model, &QAbstractItemModel::dataChanged, this, &OverviewPage::refresh);
    connect(m_model, &QAbstractItemModel::headerDataChanged, this, &OverviewPage::refresh);
    connect(m_model, &QAbstractItemModel::modelReset, this, &OverviewPage::refresh);
    connect(m_model, &NodeInfoModel::healthReceived, this, [this] { m_sinceHealth.restart(); });
  }
  m_sinceHealth.restart();
  retranslateUi();
}

OverviewPage::Card OverviewPage::makeCard(bool withDot) {
  Card card;
  card.frame = new QFrame;
  card.frame->setObjectName(QStringLiteral("card"));
  card.frame->setMinimumHeight(92);
  auto *layout = new QVBoxLayout(card.frame);
  layout->setContentsMargins(18, 14, 18, 14);
  layout->setSpacing(6);
  card.title = new QLabel;
  card.title->setObjectName(QStringLiteral("cardTitle"));
  card.value = new QLabel;
  card.value->setObjectName(QStringLiteral("cardValue"));
  card.value->setTextInteractionFlags(Qt::TextSelectableByMouse);
  card.value->setWordWrap(true);
  layout->addWidget(card.title);
  if (withDot) {
    auto *line = new QHBoxLayout;
    line->setSpacing(10);
    card.dot = new QLabel;
    card.dot->setFixedSize(kDotSize, kDotSize);
    line->addWidget(card.dot);
    line->addWidget(card.value, 1);
    layout->addLayout(line);
  } else {
    layout->addWidget(card.value);
  }
  layout->addStretch(1);
  return card;
}

QString OverviewPage::cardValue(Row row) const { return m_cards[static_cast<size_t>(row)].value->text(); }

QString OverviewPage::endpointText() const { return m_endpoint.value->text(); }

void OverviewPage::refresh() {
  if (!m_model) {
    for (Card &card : m_cards) {
      card.value->setText(QStringLiteral("—"));
      card.value->setToolTip({});
    }
    m_endpoint.value->setText(QStringLiteral("—"));
    m_subtitle->setText(tr("The node this console runs, seen through its HTTP API."));
    return;
  }
  for (size_t r = 0; r < m_cards.size(); ++r) {
    const int row = static_cast<int>(r);
    Card &card = m_cards[r];
    card.title->setText(m_model->headerData(row, Qt::Vertical).toString().toUpper());
    const QModelIndex value = m_model->index(row, static_cast<int>(NodeInfoModel::Column::Value));
    card.value->setText(value.data().toString());
    card.value->setToolTip(value.data(Qt::ToolTipRole).toString());
    if (card.dot) {
      const QColor color = value.data(Qt::DecorationRole).value<QColor>();
      card.dot->setStyleSheet(QStringLiteral("background: %1; border-radius: %2px;")
                                  .arg(color.isValid() ? color.name() : QStringLiteral("#9aa3ad"))
                                  .arg(kDotSize / 2));
    }
  }
  const QString listen = m_model->health().listen;
  m_endpoint.value->setText(listen.isEmpty() ? QStringLiteral("—") : QStringLiteral("http://%1/v1").arg(listen));
  m_subtitle->setText(listen.isEmpty() ? tr("The node this console runs, seen through its HTTP API.")
                                       : tr("The node this console runs, seen through its HTTP API at %1.")
                                             .arg(QStringLiteral("http://%1").arg(listen)));
}

void OverviewPage::retranslateUi() {
  setWindowTitle(tr("Overview"));
  m_title->setText(tr("Overview"));
  m_endpoint.title->setText(tr("OpenAI-compatible endpoint").toUpper());
  m_endpointHint->setText(tr("Point any OpenAI SDK or HTTP client at this base URL."));
  if (m_model) m_model->retranslate();  // emits header/data changes, which refresh the cards
  refresh();
}

void OverviewPage::showEvent(QShowEvent *event) {
  m_tick.start();  // nothing else shows the ticking uptime: no wake-ups while hidden
  QWidget::showEvent(event);
}

void OverviewPage::hideEvent(QHideEvent *event) {
  m_tick.stop();
  QWidget::hideEvent(event);
}

void OverviewPage::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange) retranslateUi();
  QWidget::changeEvent(event);
}

}  // namespace lmfront::widgets
