// ArpaWriter: streams an ARPA back-off language model to a file.
//
// Contract: call writeHeader() once with the count of n-grams per order, then for each order
// 1..N call beginOrder(n) and writeEntry() exactly counts[n-1] times, then finish(). Any other
// sequence is an InvalidArgument. The file appears atomically: the text goes to "PATH.tmp",
// which finish() flushes, fsyncs and renames over PATH, so a reader never sees half a model
// (path "-" writes to stdout instead). Not thread-safe; one writer per file.
#pragma once

#include "common/status.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::engine {

class ArpaWriter {
public:
  static Result<std::unique_ptr<ArpaWriter>> open(const std::string &path);
  ~ArpaWriter();
  ArpaWriter(const ArpaWriter &) = delete;
  ArpaWriter &operator=(const ArpaWriter &) = delete;

  Status writeHeader(const std::vector<std::uint64_t> &countsPerOrder);
  Status beginOrder(int order);
  // words are in text order (history first). backoff is omitted from the line when absent.
  Status writeEntry(float log10Prob, std::span<const std::string_view> words, std::optional<float> backoff);
  Status finish();

private:
  ArpaWriter(std::string path, std::string tmpPath, std::FILE *file);
  Status writeFailed() const;
  Status flushLines();
  static constexpr std::size_t kFlushBytes = 1 << 20;

  std::string m_path;
  std::string m_tmpPath;  // empty for stdout
  std::FILE *m_file = nullptr;
  std::vector<std::uint64_t> m_counts;
  int m_order = 0;
  std::uint64_t m_writtenInOrder = 0;
  bool m_finished = false;
  std::string m_line;  // pending entry lines, written in batches
};

}  // namespace lmfront::engine
