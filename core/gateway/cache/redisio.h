// Helpers the cache's hiredis threads share (rediscache.cpp, cachepush.cpp): timeouts as hiredis
// wants them, and SIGPIPE handling for threads that write to a socket Redis may close.
#pragma once

#include <sys/time.h>

#include <chrono>

namespace lmfront::gateway::cache::redisio {

timeval toTimeval(std::chrono::milliseconds ms);

// A write to a socket Redis closed raises SIGPIPE; blocked on the calling thread, write() returns
// EPIPE instead. Call once at the start of each thread that talks to Redis.
void blockSigpipe();
// The blocked signal stays pending on the thread: clear it after dropping a connection, so it never
// surprises anyone.
void clearPendingSigpipe();

}  // namespace lmfront::gateway::cache::redisio
