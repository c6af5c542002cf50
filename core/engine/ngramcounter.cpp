#include "engine/ngramcounter.h"

#include "engine/progress.h"

#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <queue>
#include <string_view>
#include <unordered_map>

namespace lmfront::engine {

namespace {

struct FileCloser {
  void operator()(std::FILE *f) const {
    if (f && f != stdin) std::fclose(f);
  }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// Interns words as dense ids. Views in the map point into m_words, a deque, so they never move.
class CorpusVocab {
public:
  CorpusVocab() {
    for (const char *w : {"<unk>", "<s>", "</s>"}) intern(w);
  }
  std::uint32_t intern(std::string_view word) {
    auto it = m_ids.find(word);
    if (it != m_ids.end()) return it->second;
    m_words.emplace_back(word);
    const auto id = static_cast<std::uint32_t>(m_words.size() - 1);
    m_ids.emplace(std::string_view(m_words.back()), id);
    return id;
  }
  std::size_t size() const { return m_words.size(); }
  std::vector<std::string> release() {
    std::vector<std::string> out(std::make_move_iterator(m_words.begin()), std::make_move_iterator(m_words.end()));
    m_ids.clear();
    m_words.clear();
    return out;
  }

private:
  std::deque<std::string> m_words;
  std::unordered_map<std::string_view, std::uint32_t> m_ids;
};

// Sorts v and merges records with equal keys, summing their counts.
void sortAndCombine(std::vector<NgramRecord> &v) {
  std::sort(v.begin(), v.end());
  std::size_t out = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (out > 0 && v[out - 1].sameKey(v[i]))
      v[out - 1].count += v[i].count;
    else
      v[out++] = v[i];
  }
  v.resize(out);
}

class RunReader {
public:
  RunReader(FilePtr file, std::size_t bufferRecords) : m_file(std::move(file)), m_buffer(bufferRecords) {}
  // Returns false at the end of the run; an IoError status is left in error().
  bool next(NgramRecord &out) {
    if (m_pos == m_size) {
      m_size = std::fread(m_buffer.data(), sizeof(NgramRecord), m_buffer.size(), m_file.get());
      m_pos = 0;
      if (m_size == 0) {
        if (std::ferror(m_file.get())) m_error = Status::fromErrno(errno, "read temporary run");
        return false;
      }
    }
    out = m_buffer[m_pos++];
    return true;
  }
  const Status &error() const { return m_error; }

private:
  FilePtr m_file;
  std::vector<NgramRecord> m_buffer;
  std::size_t m_pos = 0;
  std::size_t m_size = 0;
  Status m_error;
};

class Counter {
public:
  explicit Counter(const CountOptions &options)
      : m_options(options),
        m_bits(bitsPerWord(options.order)),
        m_tokenizer(options.tokenizer),
        m_capacity(std::max<std::uint64_t>(256, options.memoryBytes / 2 / sizeof(NgramRecord))) {
    m_tempDir = options.tempDir;
    if (m_tempDir.empty()) {
      const char *env = std::getenv("TMPDIR");
      m_tempDir = env && *env ? env : "/tmp";
    }
  }

  Result<CountResult> run(const std::string &path);

private:
  Status processLine(std::string_view line, std::uint64_t lineNo, const std::string &name);
  void emit(U128 key) {
    if (m_buffer.size() == m_buffer.capacity()) grow();
    m_buffer.push_back(NgramRecord{static_cast<std::uint64_t>(key), static_cast<std::uint64_t>(key >> 64), 1});
  }
  void grow();
  Status spill();
  Status merge(CountResult &result);

  const CountOptions &m_options;
  const int m_bits;
  Tokenizer m_tokenizer;
  CorpusVocab m_vocab;
  const std::uint64_t m_capacity;  // records the buffer may hold
  std::string m_tempDir;
  std::vector<NgramRecord> m_buffer;
  std::vector<FilePtr> m_runs;
  std::vector<std::string_view> m_tokens;
  std::uint64_t m_lines = 0, m_tokenCount = 0, m_invalid = 0;
  Status m_deferred;  // an error from grow()'s spill, reported by the next processLine()
};

void Counter::grow() {
  if (m_buffer.capacity() < m_capacity) {
    m_buffer.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(
        m_capacity, std::max<std::uint64_t>(4096, 2 * static_cast<std::uint64_t>(m_buffer.capacity())))));
    return;
  }
  sortAndCombine(m_buffer);
  // Spill once combining stops paying: keep at least half of the buffer free for new records.
  if (m_buffer.size() > m_capacity / 2) {
    Status s = spill();
    if (!s.isOk() && m_deferred.isOk()) m_deferred = s;
  }
}

Status Counter::spill() {
  std::string pattern = m_tempDir + "/lmfront-count-XXXXXX";
  int fd = ::mkstemp(pattern.data());
  if (fd < 0) return Status::fromErrno(errno, "cannot create a temporary file in " + m_tempDir);
  ::unlink(pattern.c_str());  // the open descriptor keeps it; nothing is left behind on any exit
  FilePtr f(::fdopen(fd, "w+b"));
  if (!f) {
    ::close(fd);
    return Status::fromErrno(errno, "cannot open temporary run");
  }
  if (std::fwrite(m_buffer.data(), sizeof(NgramRecord), m_buffer.size(), f.get()) != m_buffer.size() ||
      std::fflush(f.get()) != 0)
    return Status::fromErrno(errno, "cannot write temporary run in " + m_tempDir);
  std::rewind(f.get());
  m_runs.push_back(std::move(f));
  m_buffer.clear();
  return Status::ok();
}

Status Counter::processLine(std::string_view line, std::uint64_t lineNo, const std::string &name) {
  LMFRONT_RETURN_IF_ERROR(m_deferred);
  m_tokens.clear();
  Status s = m_tokenizer.tokenize(line, m_tokens);
  if (!s.isOk()) {
    if (m_options.skipInvalid) {
      ++m_invalid;
      return Status::ok();
    }
    return s.withContext(name + ":" + std::to_string(lineNo));
  }
  const int order = m_options.order;
  const int top = (order - 1) * m_bits;
  U128 key = 0;
  for (int i = 0; i < order; ++i) key |= static_cast<U128>(kBosId) << (i * m_bits);
  const std::uint64_t limit = m_bits >= 32 ? 0xFFFFFFFFULL : (1ULL << m_bits) - 1;
  for (std::string_view t : m_tokens) {
    const std::uint32_t id = m_vocab.intern(t);
    if (id >= limit)
      return Status::resourceExhausted("vocabulary exceeds " + std::to_string(limit) + " types, the most an order-" +
                                       std::to_string(order) + " model can index");
    key = (key >> m_bits) | (static_cast<U128>(id) << top);
    emit(key);
  }
  key = (key >> m_bits) | (static_cast<U128>(kEosId) << top);
  emit(key);
  m_tokenCount += m_tokens.size();
  ++m_lines;
  return Status::ok();
}

Status Counter::merge(CountResult &result) {
  LMFRONT_RETURN_IF_ERROR(spill());
  m_buffer = std::vector<NgramRecord>();
  const std::size_t perRun = static_cast<std::size_t>(
      std::clamp<std::uint64_t>(m_options.memoryBytes / 4 / sizeof(NgramRecord) / m_runs.size(), 64, 1 << 16));
  std::vector<std::unique_ptr<RunReader>> readers;
  for (auto &f : m_runs) readers.push_back(std::make_unique<RunReader>(std::move(f), perRun));
  m_runs.clear();
  using Item = std::pair<NgramRecord, std::size_t>;
  auto greater = [](const Item &a, const Item &b) { return b.first < a.first; };
  std::priority_queue<Item, std::vector<Item>, decltype(greater)> heap(greater);
  NgramRecord rec;
  for (std::size_t i = 0; i < readers.size(); ++i)
    if (readers[i]->next(rec)) heap.emplace(rec, i);
  auto &out = result.grams;
  while (!heap.empty()) {
    auto [top, idx] = heap.top();
    heap.pop();
    if (!out.empty() && out.back().sameKey(top))
      out.back().count += top.count;
    else
      out.push_back(top);
    if (readers[idx]->next(rec)) heap.emplace(rec, idx);
  }
  for (auto &r : readers) LMFRONT_RETURN_IF_ERROR(r->error());
  return Status::ok();
}

Result<CountResult> Counter::run(const std::string &path) {
  const std::string name = path == "-" ? std::string("stdin") : path;
  FilePtr file(path == "-" ? stdin : std::fopen(path.c_str(), "rb"));
  if (!file) return Status::fromErrno(errno, "cannot open " + path);
  std::uint64_t total = 0;
  struct stat st {};
  if (::fstat(fileno(file.get()), &st) == 0 && S_ISREG(st.st_mode)) total = static_cast<std::uint64_t>(st.st_size);
  Progress progress("counting", total, m_options.progress);

  std::size_t chunk = static_cast<std::size_t>(std::clamp<std::uint64_t>(m_options.memoryBytes / 16, 1 << 16, 8 << 20));
  std::vector<char> buf(chunk);
  std::size_t have = 0;
  std::uint64_t consumed = 0, lineNo = 0;
  bool eof = false;
  while (!eof) {
    if (have == buf.size()) buf.resize(buf.size() * 2);  // a line longer than the buffer
    std::size_t got = std::fread(buf.data() + have, 1, buf.size() - have, file.get());
    if (got == 0) {
      if (std::ferror(file.get())) return Status::fromErrno(errno, "read " + name);
      eof = true;
    }
    have += got;
    std::size_t start = 0;
    while (true) {
      const void *nl = std::memchr(buf.data() + start, '\n', have - start);
      std::size_t end;
      if (nl)
        end = static_cast<std::size_t>(static_cast<const char *>(nl) - buf.data());
      else if (eof && start < have)
        end = have;  // last line without a newline
      else
        break;
      LMFRONT_RETURN_IF_ERROR(processLine(std::string_view(buf.data() + start, end - start), ++lineNo, name));
      start = std::min(end + 1, have);
    }
    consumed += start;
    std::memmove(buf.data(), buf.data() + start, have - start);
    have -= start;
    progress.update(consumed);
  }
  progress.finish();
  LMFRONT_RETURN_IF_ERROR(m_deferred);
  if (m_tokenCount == 0)
    return Status::invalidArgument(name + ": the corpus has no words" +
                                   (m_invalid ? " (" + std::to_string(m_invalid) + " invalid lines skipped)" : ""));

  CountResult result;
  result.order = m_options.order;
  result.lines = m_lines;
  result.tokens = m_tokenCount;
  result.invalidLines = m_invalid;
  result.skippedSpecials = m_tokenizer.skippedSpecials();
  result.inputBytes = consumed;
  sortAndCombine(m_buffer);
  if (m_runs.empty()) {
    result.grams = std::move(m_buffer);
    result.grams.shrink_to_fit();
  } else {
    result.spilledRuns = m_runs.size() + 1;
    LMFRONT_RETURN_IF_ERROR(merge(result));
  }
  result.vocab = m_vocab.release();
  return result;
}

}  // namespace

Result<CountResult> countNgrams(const std::string &path, const CountOptions &options) {
  if (options.order < 1 || options.order > kMaxOrder)
    return Status::invalidArgument("order must be between 1 and " + std::to_string(kMaxOrder) + ", got " +
                                   std::to_string(options.order));
  Counter counter(options);
  return counter.run(path);
}

}  // namespace lmfront::engine
