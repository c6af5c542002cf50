#include "engine/arpawriter.h"

#include <unistd.h>
#include <cerrno>
#include <charconv>
#include <cstdio>

namespace lmfront::engine {

namespace {
// Shortest text that reads back as the same float, like lmplz's output.
void appendFloat(std::string &out, float v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}
}  // namespace

Result<std::unique_ptr<ArpaWriter>> ArpaWriter::open(const std::string &path) {
  if (path == "-") return std::unique_ptr<ArpaWriter>(new ArpaWriter(path, {}, stdout));
  std::string tmp = path + ".tmp";
  std::FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f) return Status::fromErrno(errno, "cannot create " + tmp);
  return std::unique_ptr<ArpaWriter>(new ArpaWriter(path, std::move(tmp), f));
}

ArpaWriter::ArpaWriter(std::string path, std::string tmpPath, std::FILE *file)
    : m_path(std::move(path)), m_tmpPath(std::move(tmpPath)), m_file(file) {}

ArpaWriter::~ArpaWriter() {
  if (m_file && m_file != stdout) {
    std::fclose(m_file);
    if (!m_finished) ::unlink(m_tmpPath.c_str());  // never leave a half-written model behind
  }
}

Status ArpaWriter::writeFailed() const {
  return Status::fromErrno(errno, "write to " + (m_tmpPath.empty() ? std::string("stdout") : m_tmpPath));
}

Status ArpaWriter::writeHeader(const std::vector<std::uint64_t> &countsPerOrder) {
  if (!m_counts.empty()) return Status::invalidArgument("ARPA header written twice");
  if (countsPerOrder.empty()) return Status::invalidArgument("ARPA model needs at least one order");
  m_counts = countsPerOrder;
  std::string header = "\\data\\\n";
  for (size_t i = 0; i < m_counts.size(); ++i)
    header += "ngram " + std::to_string(i + 1) + "=" + std::to_string(m_counts[i]) + "\n";
  if (std::fwrite(header.data(), 1, header.size(), m_file) != header.size()) return writeFailed();
  return Status::ok();
}

Status ArpaWriter::beginOrder(int order) {
  if (m_counts.empty()) return Status::invalidArgument("ARPA order begun before the header");
  if (order != m_order + 1 || order > static_cast<int>(m_counts.size()))
    return Status::invalidArgument("ARPA orders must be written 1.." + std::to_string(m_counts.size()) + " in turn");
  if (m_order > 0 && m_writtenInOrder != m_counts[m_order - 1])
    return Status::invalidArgument("order " + std::to_string(m_order) + ": wrote " + std::to_string(m_writtenInOrder) +
                                   " entries, header says " + std::to_string(m_counts[m_order - 1]));
  LMFRONT_RETURN_IF_ERROR(flushLines());
  m_order = order;
  m_writtenInOrder = 0;
  std::string line = "\n\\" + std::to_string(order) + "-grams:\n";
  if (std::fwrite(line.data(), 1, line.size(), m_file) != line.size()) return writeFailed();
  return Status::ok();
}

Status ArpaWriter::writeEntry(float log10Prob, std::span<const std::string_view> words, std::optional<float> backoff) {
  if (m_order == 0) return Status::invalidArgument("ARPA entry written before beginOrder()");
  if (static_cast<int>(words.size()) != m_order)
    return Status::invalidArgument("entry of " + std::to_string(words.size()) + " words in the " +
                                   std::to_string(m_order) + "-grams");
  if (++m_writtenInOrder > m_counts[m_order - 1])
    return Status::invalidArgument("more " + std::to_string(m_order) + "-grams than the header's " +
                                   std::to_string(m_counts[m_order - 1]));
  appendFloat(m_line, log10Prob);
  // ARPA separates the n-gram from its numbers by tabs and the words by single spaces.
  for (std::size_t i = 0; i < words.size(); ++i) {
    m_line += i == 0 ? '\t' : ' ';
    m_line += words[i];
  }
  if (backoff) {
    m_line += '\t';
    appendFloat(m_line, *backoff);
  }
  m_line += '\n';
  // Lines are batched: one fwrite per ~1 MB keeps writing a large model cheap.
  if (m_line.size() >= kFlushBytes) return flushLines();
  return Status::ok();
}

Status ArpaWriter::flushLines() {
  if (!m_line.empty() && std::fwrite(m_line.data(), 1, m_line.size(), m_file) != m_line.size()) return writeFailed();
  m_line.clear();
  return Status::ok();
}

Status ArpaWriter::finish() {
  if (m_finished) return Status::invalidArgument("ARPA writer finished twice");
  if (m_order != static_cast<int>(m_counts.size()) || m_writtenInOrder != m_counts.back())
    return Status::invalidArgument("ARPA model ended before all orders were written");
  LMFRONT_RETURN_IF_ERROR(flushLines());
  const char end[] = "\n\\end\\\n";
  if (std::fwrite(end, 1, sizeof end - 1, m_file) != sizeof end - 1) return writeFailed();
  if (std::fflush(m_file) != 0) return writeFailed();
  if (m_file != stdout) {
    if (::fsync(fileno(m_file)) != 0) return writeFailed();
    if (std::fclose(m_file) != 0) {
      m_file = nullptr;
      return writeFailed();
    }
    m_file = nullptr;
    if (std::rename(m_tmpPath.c_str(), m_path.c_str()) != 0)
      return Status::fromErrno(errno, "rename " + m_tmpPath + " to " + m_path);
  }
  m_finished = true;
  return Status::ok();
}

}  // namespace lmfront::engine
