// RegistryService: the model catalog as a node service (docs/models.md). It owns
// DATA_DIR/catalog.db (registry/catalogdb.h) on the node thread, and at every start imports what
// the node serves today — the `--model` files and DATA_DIR/models/*.lmb the gateway's scan found —
// so that nothing a user had before the catalog existed changes: a model not yet in the catalog
// gets a model row and a version in state `deployed` with the file's payload sha256 (actor
// "local", action "import"); the same file again changes nothing; a changed file (another sha256)
// becomes a new deployed version and the old one is retired. A model whose manifest is broken, or
// whose file cannot be read, is not imported (the gateway reports it).
//
// Ops commands (docs/ops-protocol.md) — the node's HTTP endpoints (docs/http-api.md) run the same
// ones: `catalog` and `versions` (viewer), `audit` (viewer), and the lifecycle actions `approve`,
// `reject`, `publish` and `retire` (operator; the caller's key name is the audited actor, "local"
// for a keyless loopback caller). Topics: `catalog` (the catalog, then each changed model) and
// `audit` (recent rows, then every new row).
//
// Order: after the gateway (whose scan it imports) and before the ops service (its topics and
// commands are in the table before the first connection).
//
// Threads: start/stop and every command run on the node thread; catalog() too.
#pragma once

#include "node/nodecontext.h"
#include "node/service.h"

#include <QJsonArray>
#include <QJsonObject>
#include <cstdint>
#include <map>
#include <memory>

namespace lmfront::registry {
class CatalogDb;
struct VersionInfo;
struct ModelInfo;
struct AuditEntry;
}  // namespace lmfront::registry

namespace lmfront::node {

class GatewayService;

struct RegistryOptions {
  bool forbidSelfApproval = false;  // approve refused for the version's own submitter
};

class RegistryService final : public Service {
public:
  // `context` and `gateway` must outlive the service.
  RegistryService(const NodeContext &context, const GatewayService &gateway, RegistryOptions options);
  ~RegistryService() override;

  std::string_view name() const override { return "catalog"; }
  Status start() override;
  bool drain(std::chrono::milliseconds timeout) override;
  void stop() override;
  Health health() const override;

  // The open catalog (node thread only), for the parts that record into it (deployments, jobs,
  // artifacts); null when stopped. After writing audit rows through it, call publishChanges().
  registry::CatalogDb *catalog();
  // Publishes the audit rows written since the last call, and `model`'s entry when not empty.
  void publishChanges(const std::string &model);
  // The catalog version of each model the node serves from its own file (what the last start
  // imported): model name → version.
  const std::map<std::string, std::int64_t, std::less<>> &servedFiles() const;

  struct Impl;

private:
  std::unique_ptr<Impl> d;
};

// The JSON shapes of the catalog's endpoints, commands and topics (docs/http-api.md).
QJsonObject versionJson(const registry::VersionInfo &v);
QJsonObject modelJson(const registry::ModelInfo &m, bool withCards);
QJsonObject auditJson(const registry::AuditEntry &e);

}  // namespace lmfront::node
