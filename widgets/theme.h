// The console's look: Fusion with a restrained light palette and one style sheet, applied once
// at start. Colours used by code (status dots) come from here so every view agrees.
#pragma once

#include <QColor>

class QApplication;

namespace lmfront::widgets {

struct Theme {
  static QColor healthy() { return {0x2e, 0x9e, 0x5b}; }
  static QColor degraded() { return {0xd9, 0x8e, 0x04}; }
  static QColor down() { return {0xd1, 0x43, 0x43}; }
  static QColor unknown() { return {0x9a, 0xa3, 0xad}; }
  static QColor accent() { return {0x25, 0x63, 0xa8}; }

  // Sets the Fusion style, the palette and the style sheet on the application.
  static void apply(QApplication &app);
  static QString styleSheet();
};

}  // namespace lmfront::widgets
