// Pool builder: composes the served ModelTable from the catalog's loaded engines and the
// configured pool specs (poolspec.h): the catalog's one-engine pools, replaced by a configured
// pool of the same name, plus the other configured pools. A pool naming an engine that is not
// loaded (yet), a duplicate backend or a backup pool that does not exist is InvalidArgument
// naming the key path. Builds values only: upstream backends connect lazily, so building does
// no I/O and may run on any thread.
#pragma once

#include "common/clock.h"
#include "common/status.h"
#include "gateway/pool/modeltable.h"
#include "gateway/pool/poolmetrics.h"
#include "gateway/pool/poolspec.h"
#include "gateway/upstream/httpclient.h"

#include <memory>
#include <vector>

namespace lmfront::gateway::pool {

// engines: the catalog's loaded one-engine pools by model name. clock: what the pools' balancers,
// breakers and queues read; http: what their URL backends send through (both outlive the table).
// metrics may be null. previous (optional): the table in service; a pool whose spec and engines
// did not change is carried over as is, keeping its breakers, ejections and health history.
Result<std::shared_ptr<ModelTable>> buildModelTable(const ModelTable &engines, const std::vector<PoolSpec> &pools,
                                                    const Clock &clock, upstream::HttpClient &http,
                                                    const PoolMetrics *metrics, const ModelTable *previous = nullptr);

}  // namespace lmfront::gateway::pool
