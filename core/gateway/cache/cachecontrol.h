// parseCacheControl: what a client's `Cache-Control` request header asks of the response cache.
//
// Contract (RFC 9111 §5.2.1, request directives; names case-insensitive, unknown ones ignored,
// quoted arguments skipped correctly, malformed input never fails — it just asks for nothing):
// - bypass:  `no-cache`, or `max-age=0` — do not answer from the cache (nor join an in-flight
//            identical request); generate fresh. The fresh result may still be stored.
// - noStore: `no-store` — store nothing from this request or its response.
// Whether to honour them is the caller's decision (e.g. per-key policy); this only parses.
#pragma once

#include <string_view>

namespace lmfront::gateway::cache {

struct CacheControl {
  bool bypass = false;
  bool noStore = false;
};

CacheControl parseCacheControl(std::string_view headerValue);

}  // namespace lmfront::gateway::cache
