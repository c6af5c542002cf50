#include "registry/catalogmetrics.h"

namespace lmfront::registry {

Result<CatalogMetrics> registerCatalogMetrics(observe::MetricsRegistry &registry) {
  CatalogMetrics m;
  auto loaded = registry.gauge(kModelsLoaded, "Models of the catalog loaded and served.");
  if (!loaded) return loaded.status();
  m.modelsLoaded = *loaded;
  auto failures = registry.counter(
      kModelLoadFailuresTotal, "Models that failed to load (unreadable or corrupt file, broken manifest).", {"model"});
  if (!failures) return failures.status();
  m.loadFailures = *failures;
  return m;
}

}  // namespace lmfront::registry
