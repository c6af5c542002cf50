#include "widgets/theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyleFactory>

namespace lmfront::widgets {

void Theme::apply(QApplication &app) {
  app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  QPalette p;
  const QColor window(0xf4, 0xf5, 0xf7), text(0x1f, 0x29, 0x33), mid(0xd5, 0xd9, 0xde);
  p.setColor(QPalette::Window, window);
  p.setColor(QPalette::WindowText, text);
  p.setColor(QPalette::Base, Qt::white);
  p.setColor(QPalette::AlternateBase, QColor(0xf8, 0xf9, 0xfa));
  p.setColor(QPalette::Text, text);
  p.setColor(QPalette::Button, QColor(0xfb, 0xfb, 0xfc));
  p.setColor(QPalette::ButtonText, text);
  p.setColor(QPalette::Highlight, accent());
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::ToolTipBase, Qt::white);
  p.setColor(QPalette::ToolTipText, text);
  p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x94, 0x9e));
  p.setColor(QPalette::Mid, mid);
  p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x9a, 0xa3, 0xad));
  p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x9a, 0xa3, 0xad));
  app.setPalette(p);
  app.setStyleSheet(styleSheet());
}

QString Theme::styleSheet() {
  // Object names, not classes, so pages added later keep Qt's defaults unless they opt in.
  return QStringLiteral(R"(
#sidebar { background: #e9ecf0; border: none; border-right: 1px solid #d5d9de; outline: 0; }
#sidebar::item { padding: 9px 12px; margin: 2px 8px; border-radius: 6px; color: #2d3a48; }
#sidebar::item:hover { background: #dde2e8; }
#sidebar::item:selected { background: #d3e0f0; color: #15406e; }
#sidebarHeader { background: #e9ecf0; border-right: 1px solid #d5d9de; }
#appName { font-size: 15pt; font-weight: 600; color: #1f2933; }
#pageTitle { font-size: 18pt; font-weight: 600; color: #1f2933; }
#pageSubtitle { color: #5b6875; }
#card { background: #ffffff; border: 1px solid #dfe3e8; border-radius: 10px; }
#cardTitle { color: #6b7785; font-size: 9pt; font-weight: 600; }
#cardValue { color: #1f2933; font-size: 15pt; }
#cardValue:disabled { color: #9aa3ad; }
#sectionTitle { font-size: 12pt; font-weight: 600; color: #1f2933; }
#cardDetail { color: #6b7785; }
#hint { color: #6b7785; }
#error { color: #b42318; }
QStatusBar { background: #eceef1; border-top: 1px solid #d5d9de; }
QStatusBar::item { border: none; }
QGroupBox { background: #ffffff; border: 1px solid #dfe3e8; border-radius: 10px; margin-top: 14px;
            padding: 14px 12px 10px 12px; font-weight: 600; }
QGroupBox::title { subcontrol-origin: margin; left: 12px; padding: 0 4px; color: #2d3a48; }
)");
}

}  // namespace lmfront::widgets
