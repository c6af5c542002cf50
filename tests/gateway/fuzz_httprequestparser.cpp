// libFuzzer target for RequestParser: arbitrary bytes, split at fuzzer-chosen points,
// with small limits so the 413/431 paths are reached too. Built only with clang and
// -DLMFRONT_FUZZ=ON; run: build-fuzz/tests/fuzz_httprequestparser -max_total_time=60
#include "gateway/http/httprequestparser.h"

#include <cstddef>
#include <cstdint>
#include <string>

using lmfront::gateway::RequestParser;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t step = 1 + data[0] % 64;  // first byte: how the input is split
  RequestParser::Limits limits;
  limits.maxHeaderBytes = 256 + data[1] * 16;
  limits.maxBodyBytes = 1024;
  RequestParser parser(limits);
  const char *p = reinterpret_cast<const char *>(data + 2);
  std::string pending;
  std::size_t pos = 0;
  const std::size_t n = size - 2;
  while (pos < n) {
    const std::size_t take = step < n - pos ? step : n - pos;
    pending.append(p + pos, take);
    pos += take;
    for (;;) {
      std::size_t used = 0;
      const auto st = parser.feed(pending.data(), pending.size(), &used);
      if (used > pending.size()) __builtin_trap();
      pending.erase(0, used);
      if (st == RequestParser::Status::Request) {
        auto r = parser.takeRequest();
        if (r.body.size() > limits.maxBodyBytes) __builtin_trap();
        continue;
      }
      if (st == RequestParser::Status::Error) {
        const int e = parser.errorStatus();
        if (e != 400 && e != 413 && e != 431) __builtin_trap();
        return 0;
      }
      break;
    }
  }
  return 0;
}
