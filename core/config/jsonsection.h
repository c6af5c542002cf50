// JsonSection: one object of a JSON configuration, together with the key path it sits at
// ("cache", "pools.english.backends[1]"), read through typed getters whose errors name the full
// key path and what was expected:
//   cache.ttl_s: expected an integer from 1 to 604800, got "fast"
//   auth: unknown key 'require_key' (valid: require_keys, allowed_hosts, trusted_origins)
//
// Contract:
// - A getter takes the key and an out-parameter holding the default. An absent key leaves `out`
//   unchanged and is ok; a present key of the wrong type or out of range is InvalidArgument
//   naming path.key, what was expected and what was found. JSON null is a wrong type, not absent.
// - Strict by construction: every getter (and section()/sections()/array()/value()) marks its key
//   as valid, present or not. finish() then fails on the first key of the object that no getter
//   asked for, listing the valid ones. So a section reader asks for each of its keys
//   unconditionally, then returns finish(). A map with free keys ({"name": "path"}) is read with
//   entries(), which accepts every key.
// - section("redis") is the child object as a JsonSection (an empty one when absent, so the same
//   reader runs and leaves defaults alone); a present non-object is an error.
// - A KeyCatalog passed to the root collects every leaf key path the readers ask for (and each
//   entries() map), which is how tests compare the documented keys with the code.
// - The file name is not part of the message: the caller adds it with Status::withContext().
// A value type used while parsing on one thread. Qt Core only.
#pragma once

#include "common/status.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <QtGlobal>
#include <utility>
#include <vector>

namespace lmfront::config {

// Every key path the readers asked for, in first-asked order (no duplicates).
class KeyCatalog {
public:
  void add(const QString &path) {
    if (!m_paths.contains(path)) m_paths << path;
  }
  const QStringList &paths() const { return m_paths; }

private:
  QStringList m_paths;
};

class JsonSection {
public:
  // The root of a document has an empty path.
  explicit JsonSection(QJsonObject object, QString path = {}, KeyCatalog *catalog = nullptr);

  const QString &path() const { return m_path; }
  // "path.key", or "key" at the root.
  QString pathOf(QStringView key) const;
  bool contains(QStringView key) const { return m_object.contains(key); }
  bool isEmpty() const { return m_object.isEmpty(); }

  Status string(QStringView key, QString &out);
  // A string that must not be empty.
  Status nonEmptyString(QStringView key, QString &out);
  Status boolean(QStringView key, bool &out);
  // A whole number in [min, max] (a JSON number with no fraction).
  Status integer(QStringView key, qint64 min, qint64 max, qint64 &out);
  Status integer(QStringView key, int min, int max, int &out);
  // Any number in [min, max].
  Status number(QStringView key, double min, double max, double &out);
  Status stringList(QStringView key, QStringList &out);
  Status array(QStringView key, QJsonArray &out);
  // The raw value (undefined when absent), for a reader that validates a shape of its own; use
  // invalid() for its errors.
  QJsonValue value(QStringView key);

  // The child object at `key` (see the contract above).
  Result<JsonSection> section(QStringView key);
  // An array of objects, each a section with path "key[i]". Absent: `out` is left unchanged.
  Status sections(QStringView key, std::vector<JsonSection> &out);
  // Every member of this object as (key, value): a map whose keys are names, not settings.
  std::vector<std::pair<QString, QJsonValue>> entries();

  // Fails on the first key no getter asked for: "PATH: unknown key 'x' (valid: a, b)".
  Status finish() const;

  // "PATH.KEY: expected WHAT, got VALUE" (VALUE rendered from the object).
  Status invalid(QStringView key, const QString &expected) const;
  // "PATH.KEY: MESSAGE", for errors that are not a type mismatch.
  Status error(QStringView key, const QString &message) const;

  // A JSON value as an error message shows it: strings quoted, objects and arrays by kind.
  static QString describe(const QJsonValue &value);

private:
  // Marks `key` as valid and reports it to the catalog as a leaf.
  void know(QStringView key, bool leaf = true);

  QJsonObject m_object;
  QString m_path;
  KeyCatalog *m_catalog = nullptr;
  QStringList m_known;
};

}  // namespace lmfront::config
