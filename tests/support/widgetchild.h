// Test helper for widget tests: the child of `parent` with this object name, found the way a user
// would point at it; a missing one ends the test at once, naming it, instead of a null deref.
#pragma once

#include <QString>
#include <QWidget>
#include <QtGlobal>

namespace lmfront::testing {

template <typename T>
T *child(const QWidget *parent, const char *name) {
  T *w = parent->findChild<T *>(QString::fromLatin1(name));
  if (!w) qFatal("no child %s", name);
  return w;
}

}  // namespace lmfront::testing
