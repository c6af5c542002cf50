// Stream latency probe for lmfront-bench-http --stream-probe N: a handler's generator thread
// writes N chunks 1 ms apart, each carrying its steady_clock send time; a raw loopback client
// reports how long each took from writeChunk() to the client's read (p50/p99/max, microseconds).
#pragma once

#include "gateway/http/httpserver.h"

namespace lmfront::bench {

// Adds GET /stream-probe?N to the router.
void addStreamProbeRoute(gateway::Router &router);
// Runs the client against 127.0.0.1:port; prints the figures; returns a process exit code.
int runStreamProbe(std::uint16_t port, int chunks);

}  // namespace lmfront::bench
