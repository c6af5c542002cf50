// NodeContext: the composition root's hand-out — what a node's services share (time, the
// upstream HTTP client, metrics, where events go, the data dir, threads). The Node builds one at
// start from what its creator passed in (clock, event sink) and what it owns (HTTP client,
// metrics registry, thread pool, node thread), and hands it to every service explicitly.
//
// Contract: every member is a reference or a value set before the first service starts and
// never reseated; all referents outlive every service (the Node owns or borrows them for its
// whole life). Nothing here has a default: a test builds a node on a ManualClock with a
// RecordingEventSink, a binary on Clock::steady() with a StderrEventSink.
//
// Threads: `clock`, `http`, `metrics`, `events` and `ops` are thread-safe. `inference` runs engine
// work (never on data-plane workers). `nodeThread` is the thread the node owns: services start,
// drain and stop there, and maintenance timers and SQLite work live there, never on the thread
// that created the Node (the console's GUI thread).
#pragma once

#include <QString>

class QThread;
class QThreadPool;

namespace lmfront {
class Clock;
class EventSink;
namespace gateway::upstream {
class HttpClient;
}
namespace observe {
class MetricsRegistry;
}
namespace cluster {
class OpsRegistry;
}
}  // namespace lmfront

namespace lmfront::node {

struct NodeContext {
  const Clock &clock;                   // every time-based policy and the data plane's timeouts
  gateway::upstream::HttpClient &http;  // upstream backends and health probes
  observe::MetricsRegistry &metrics;    // every metric family the node exposes on /metrics
  EventSink &events;                    // what an operator should hear about (never stderr directly)
  QString dataDir;                      // absolute; exists and is writable once start() got this far
  QThreadPool &inference;               // engine inference
  QThread &nodeThread;                  // the node's own thread with its event loop
  cluster::OpsRegistry &ops;            // the ops API's topics and commands: services register theirs
};

}  // namespace lmfront::node
