// lmfront-bench-catalog: wall milliseconds of the catalog's operations over a catalog of MODELS
// models × VERSIONS versions in a fresh SQLite file (WAL, as a node keeps it): the full listing
// (what `lmfront models` and the console's Models tree read), one model with its versions, the
// newest 200 audit rows of one model, and one lifecycle transition (state + review + audit in one
// transaction). Each is timed REPEAT times; the median is printed as "CASE VALUE ms".
//
// Usage: lmfront-bench-catalog [MODELS] [VERSIONS] [REPEAT] [DIR]   (default 1000 20 15 /tmp)
#include "registry/catalogdb.h"

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

using namespace lmfront::registry;

namespace {

double medianMs(int repeat, const std::function<bool()> &run) {
  std::vector<double> ms;
  for (int i = 0; i < repeat; ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (!run()) {
      std::fprintf(stderr, "operation failed\n");
      std::exit(1);
    }
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

int main(int argc, char **argv) {
  const int models = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int versions = argc > 2 ? std::atoi(argv[2]) : 20;
  const int repeat = argc > 3 ? std::atoi(argv[3]) : 15;
  const std::filesystem::path dir = argc > 4 ? argv[4] : "/tmp";
  if (models < 1 || versions < 1 || repeat < 1) {
    std::fprintf(stderr, "usage: lmfront-bench-catalog [MODELS] [VERSIONS] [REPEAT] [DIR]\n");
    return 2;
  }
  const std::filesystem::path file = dir / ("lmfront-bench-catalog-" + std::to_string(::getpid()) + ".db");
  std::int64_t now = 1'800'000'000'000;
  auto db = CatalogDb::open(file.string(), CatalogOptions{[&now] { return now += 10; }, false});
  if (!db) {
    std::fprintf(stderr, "%s\n", db.status().message().c_str());
    return 1;
  }
  const auto fillStart = std::chrono::steady_clock::now();
  for (int m = 0; m < models; ++m) {
    const std::string name = "model-" + std::to_string(m);
    if (!(*db)->createModel({name, "a model", "bench", "MIT"}, "bench").isOk()) return 1;
    for (int v = 0; v < versions; ++v) {
      NewVersion nv;
      nv.sha256 = std::string(60, 'a') + std::to_string(1000 + v);
      nv.bytes = 1 << 20;
      nv.order = 3;
      nv.vocabularySize = 5000;
      nv.submitter = "bench";
      nv.card = "# " + name;
      if (!(*db)->addVersion(name, nv, "bench")) return 1;
    }
  }
  const double fillS = std::chrono::duration<double>(std::chrono::steady_clock::now() - fillStart).count();
  std::printf("fill models=%d versions=%d %.1f s\n", models, versions, fillS);

  std::size_t listed = 0;
  std::printf("list_models models=%d versions=%d %.2f ms\n", models, versions, medianMs(repeat, [&] {
                auto all = (*db)->listModels();
                listed = all ? all->size() : 0;
                return all.isOk() && listed == static_cast<std::size_t>(models);
              }));
  const std::string middle = "model-" + std::to_string(models / 2);
  std::printf("one_model_with_versions %.3f ms\n", medianMs(repeat, [&] { return (*db)->model(middle).isOk(); }));
  std::printf("audit_newest_200_of_one_model %.3f ms\n", medianMs(repeat, [&] {
                auto rows = (*db)->audit().query(AuditQuery{middle, 0, 200, 0});
                return rows.isOk() && !rows->empty();
              }));
  // validate then reject: two transitions per round, every round on a fresh submitted version.
  int next = 0;
  std::printf("transition %.3f ms\n", medianMs(repeat, [&] {
                const std::string name = "model-" + std::to_string(next++ % models);
                const std::int64_t v = (next - 1) / models + 1;
                return (*db)->transition(name, v, LifecycleAction::Validate, "bench", "").isOk();
              }));
  db->reset();
  for (const char *suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file.string() + suffix);
  return 0;
}
