// CatalogDb::mirrorVersion: the catalog rows of a version published on another node of the cluster
// (docs/cluster.md, "Desired state"), kept under the same number so every node names it alike.
#include "registry/catalogdb.h"
#include "storage/sqlitedb.h"

namespace lmfront::registry {

Result<bool> CatalogDb::mirrorVersion(const NewModel &m, std::int64_t number, VersionState state, const NewVersion &v,
                                      const std::string &actor) {
  if (m.name.empty() || number < 1) return Status::invalidArgument("a mirrored version needs a model and a number");
  return m_db->transaction([&]() -> Result<bool> {
    if (auto existing = version(m.name, number)) {
      if (existing->sha256 == v.sha256) return false;
      return Status::alreadyExists(m.name + " v" + std::to_string(number) + " is " + existing->sha256 + " here, not " +
                                   v.sha256);
    }
    if (!model(m.name)) {
      auto insert =
          m_db->prepare("INSERT INTO models (name, description, owner, license, created_ms) VALUES (?, ?, ?, ?, ?)");
      if (!insert) return insert.status();
      LMFRONT_RETURN_IF_ERROR(
          insert->bind(1, m.name).bind(2, m.description).bind(3, m.owner).bind(4, m.license).bind(5, now()).run());
    }
    // Numbers taken here later come after the mirrored one.
    auto bump = m_db->prepare("UPDATE models SET next_version = MAX(next_version, ?) WHERE name = ?");
    if (!bump) return bump.status();
    LMFRONT_RETURN_IF_ERROR(bump->bind(1, number + 1).bind(2, m.name).run());
    NewVersion row = v;
    row.dependsOn.clear();
    LMFRONT_RETURN_IF_ERROR(insertVersion(m.name, number, state, row));
    LMFRONT_RETURN_IF_ERROR(
        m_audit->append({now(), actor, "mirror", m.name, number, "", std::string(versionStateName(state)),
                         "sha256 " + v.sha256, AuditOutcome::Ok}));
    return true;
  });
}

}  // namespace lmfront::registry
