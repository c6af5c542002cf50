#include "engine/trainer.h"

#include "engine/arpawriter.h"

#include <sys/resource.h>
#include <chrono>

namespace lmfront::engine {

std::uint64_t peakRssBytes() {
  struct rusage usage {};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

Result<TrainSummary> train(const TrainOptions &options) {
  using Clock = std::chrono::steady_clock;
  auto seconds = [](Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); };
  const auto t0 = Clock::now();
  // Open the output first: a path that cannot be written fails now, not after the whole corpus.
  auto writer = ArpaWriter::open(options.arpaPath);
  if (!writer) return writer.status();
  auto counts = countNgrams(options.textPath, options.count);
  if (!counts) return counts.status();
  TrainSummary summary;
  summary.order = options.count.order;
  summary.vocabularySize = counts->vocab.size();
  summary.sentences = counts->lines;
  summary.tokens = counts->tokens;
  summary.invalidLines = counts->invalidLines;
  summary.skippedSpecials = counts->skippedSpecials;
  summary.spilledRuns = counts->spilledRuns;
  const auto t1 = Clock::now();
  KneserNeyOptions kn = options.kneserNey;
  kn.progress = kn.progress || options.count.progress;
  auto model = estimateKneserNey(std::move(*counts), kn);
  if (!model) return model.status();
  const auto t2 = Clock::now();
  LMFRONT_RETURN_IF_ERROR(writeArpa(*model, **writer, options.count.progress && options.arpaPath != "-"));
  const auto t3 = Clock::now();
  for (const auto &o : model->orders) summary.ngramCounts.push_back(o.grams.size());
  summary.discounts = model->discounts;
  summary.usedFallback = model->usedFallback;
  summary.countSeconds = seconds(t0, t1);
  summary.estimateSeconds = seconds(t1, t2);
  summary.writeSeconds = seconds(t2, t3);
  summary.totalSeconds = seconds(t0, t3);
  summary.peakRssBytes = peakRssBytes();
  return summary;
}

}  // namespace lmfront::engine
