// lmfront-bench-auth: CPU nanoseconds per Authenticator::authenticate() on a real auth.sqlite
// snapshot, next to its parts (header parse, SHA-256 of salt ‖ key) as the reference, on 1 and
// 2 threads, with 1 and 1000 keys. Prints one "case ns_per_op" line per measurement.
//
// Usage: lmfront-bench-auth [ITERATIONS]   (default 2000000 per thread)
#include "gateway/auth/authenticator.h"

#include <unistd.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

using namespace lmfront::gateway::auth;

namespace {

std::atomic<std::uint64_t> g_sink{0};  // keeps results observable so nothing is optimised away

// CPU time of the calling thread: on a shared, busy machine wall time mostly measures the
// scheduler; CPU time measures the work (cache-line contention between threads still shows).
double threadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <typename F>
double nsPerOp(long iterations, int threads, F &&body) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  std::vector<double> seconds(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      std::uint64_t local = 0;
      ready.fetch_add(1);
      while (!go.load()) std::this_thread::yield();
      const double start = threadCpuSeconds();
      for (long i = 0; i < iterations; ++i) local += body(t, i);
      seconds[static_cast<std::size_t>(t)] = threadCpuSeconds() - start;
      g_sink.fetch_add(local);
    });
  }
  while (ready.load() < threads) std::this_thread::yield();
  go = true;
  for (auto &th : pool) th.join();
  double worst = 0;
  for (double s : seconds) worst = std::max(worst, s);
  return worst * 1e9 / static_cast<double>(iterations);  // CPU time per op on the slowest thread
}

}  // namespace

int main(int argc, char **argv) {
  const long iterations = argc > 1 ? std::atol(argv[1]) : 2'000'000;
  const auto dir = std::filesystem::temp_directory_path() / ("lmfront-bench-auth-" + std::to_string(::getpid()));
  auto store = KeyStore::open(dir.string());
  if (!store) {
    std::fprintf(stderr, "%s\n", store.status().toString().c_str());
    return 1;
  }
  std::vector<std::string> headers;
  for (int i = 0; i < 1000; ++i) {
    std::string name = "k";  // (not "k" + to_string(): GCC 12's -Wrestrict false positive)
    name += std::to_string(i);
    auto k = (*store)->create(name, Role::User);
    if (!k) return 1;
    headers.push_back("Bearer " + k->key);
  }
  auto records = *(*store)->list();
  Authenticator one, many;
  one.setKeys({records.front()});
  if (!many.reload(**store).isOk()) return 1;
  const Salt salt = records.front().salt;
  const std::string key = headers.front().substr(7);
  std::string wrong = headers.front();
  wrong.back() = wrong.back() == 'a' ? 'b' : 'a';

  auto report = [](const char *name, double ns) { std::printf("%-34s %8.1f\n", name, ns); };
  for (int threads : {1, 2}) {
    std::printf("# threads=%d iterations=%ld\n", threads, iterations);
    report("parse_header", nsPerOp(iterations, threads,
                                   [&](int, long) { return parseAuthorizationHeader(headers.front())->keyId.size(); }));
    report("sha256_salt_key (reference)",
           nsPerOp(iterations, threads, [&](int, long) { return std::uint64_t(hashKey(salt, key)[0]); }));
    report("authenticate_1key", nsPerOp(iterations, threads, [&](int, long) {
             return std::uint64_t(one.authenticate(headers.front()).isOk());
           }));
    report("authenticate_1000keys", nsPerOp(iterations, threads, [&](int, long i) {
             return std::uint64_t(many.authenticate(headers[static_cast<std::size_t>(i) % 1000]).isOk());
           }));
    report("authenticate_wrong_secret",
           nsPerOp(iterations, threads, [&](int, long) { return std::uint64_t(many.authenticate(wrong).isOk()); }));
  }
  store->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return g_sink.load() == 42 ? 2 : 0;
}
