// The console's --screenshot mode: once the local node is healthy (a couple of seconds up, so the
// picture tells more than "0 s") the main window is saved as PNG and the application exits 0; on
// the Overview and Traffic, only once the live charts hold 20 s of samples with requests in them (whoever
// takes the picture sends traffic to the node meanwhile); on Alerts, once an alert
// fires (the same traffic makes a rule the caller installed fire); with the Playground open, a short seeded (so
// reproducible) generation runs first and the window is saved once it finished. Exits 1 when the file cannot be written
// or the node is not healthy within kScreenshotTimeoutMs.
#pragma once

#include <QString>

namespace lmfront::console {

class ConsoleComposition;

inline constexpr int kScreenshotTimeoutMs = 30'000;

void armScreenshot(ConsoleComposition &console, const QString &file);

}  // namespace lmfront::console
