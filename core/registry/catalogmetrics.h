// CatalogMetrics: the catalog's own metric families (documented in docs/metrics.md).
//   lmfront_models_loaded                       gauge    models of the catalog served now
//   lmfront_model_load_failures_total{model}    counter  models that failed to load (file or manifest)
// Registering twice on one registry returns the same families (metricsregistry.h).
#pragma once

#include "common/status.h"
#include "observe/metricsregistry.h"

#include <string_view>

namespace lmfront::registry {

inline constexpr std::string_view kModelsLoaded = "lmfront_models_loaded";
inline constexpr std::string_view kModelLoadFailuresTotal = "lmfront_model_load_failures_total";

struct CatalogMetrics {
  observe::GaugeFamily *modelsLoaded = nullptr;
  observe::CounterFamily *loadFailures = nullptr;  // {model}
};

Result<CatalogMetrics> registerCatalogMetrics(observe::MetricsRegistry &registry);

}  // namespace lmfront::registry
