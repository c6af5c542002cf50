// NodeParts: a node's real parts for a test of one service, on a ManualClock — HTTP client,
// metrics registry, recording event sink, threads, a temporary data dir and an ops table — and the
// NodeContext over them, as the Node hands it to its services.
#pragma once

#include "cluster/opsregistry.h"
#include "common/clock.h"
#include "common/eventsink.h"
#include "gateway/upstream/httpclient.h"
#include "node/nodecontext.h"
#include "observe/metricsregistry.h"

#include <QTemporaryDir>
#include <QThread>
#include <QThreadPool>

namespace lmfront::testing {

// What every node has besides its ops table.
struct NodeBasics {
  ManualClock clock;
  gateway::upstream::HttpClient http{1};
  observe::MetricsRegistry metrics;
  RecordingEventSink events;
  QThreadPool inference;
  QThread thread;
  QTemporaryDir dir;

  // A context over these parts and `ops`: a restarted node's, with a fresh table.
  node::NodeContext contextWith(cluster::OpsRegistry &ops) {
    return {clock, http, metrics, events, dir.path(), inference, thread, ops};
  }
};

struct NodeParts : NodeBasics {
  cluster::OpsRegistry ops;
  node::NodeContext context = contextWith(ops);
};

}  // namespace lmfront::testing
