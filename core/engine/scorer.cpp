#include "scorer.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

namespace lmfront::engine {

double ScoreTotals::perplexity() const {
  return tokens ? std::pow(10.0, -log10Prob / static_cast<double>(tokens)) : 0.0;
}

double ScoreTotals::perplexityExclOov() const {
  const std::uint64_t n = tokens - oov;
  return n ? std::pow(10.0, -(log10Prob - log10ProbOov) / static_cast<double>(n)) : 0.0;
}

void ScoreTotals::add(const ScoreTotals &o) {
  tokens += o.tokens;
  sentences += o.sentences;
  oov += o.oov;
  log10Prob += o.log10Prob;
  log10ProbOov += o.log10ProbOov;
}

double Scorer::scoreIds(std::span<const WordId> ids, ScoreTotals &totals, std::vector<TokenScore> *perToken) const {
  State state = m_model.beginSentenceState();
  State next;
  double sum = 0, oovSum = 0;
  std::uint64_t oov = 0;
  auto one = [&](WordId w) {
    int len = 0;
    const float pf = m_model.score(state, w, next, perToken ? &len : nullptr);
    const auto p = static_cast<double>(pf);
    state = next;
    sum += p;
    if (w == kUnk) {
      ++oov;
      oovSum += p;
    }
    if (perToken) perToken->push_back({w, pf, len});
  };
  for (WordId w : ids) one(w);
  one(m_model.eos());
  totals.tokens += ids.size() + 1;
  totals.sentences += 1;
  totals.oov += oov;
  totals.log10Prob += sum;
  totals.log10ProbOov += oovSum;
  return sum;
}

void Scorer::scoreBatch(std::span<const std::vector<WordId>> sentences, std::span<ScoreTotals> perSentence) const {
  constexpr std::size_t kMax = 32;
  for (std::size_t base = 0; base < sentences.size(); base += kMax) {
    const std::size_t n = std::min(kMax, sentences.size() - base);
    State states[kMax];
    std::size_t pos[kMax];
    const State bos = m_model.beginSentenceState();
    for (std::size_t i = 0; i < n; ++i) {
      states[i] = bos;
      pos[i] = 0;
    }
    for (std::size_t active = n; active > 0;) {
      for (std::size_t i = 0; i < n; ++i) {
        const std::vector<WordId> &ids = sentences[base + i];
        if (pos[i] <= ids.size()) m_model.prefetch(states[i], pos[i] < ids.size() ? ids[pos[i]] : m_model.eos());
      }
      for (std::size_t i = 0; i < n; ++i) {
        const std::vector<WordId> &ids = sentences[base + i];
        if (pos[i] > ids.size()) continue;
        const WordId w = pos[i] < ids.size() ? ids[pos[i]] : m_model.eos();
        State next;
        const auto p = static_cast<double>(m_model.score(states[i], w, next));
        states[i] = next;
        ScoreTotals &t = perSentence[base + i];
        t.log10Prob += p;
        t.tokens += 1;
        if (w == kUnk) {
          ++t.oov;
          t.log10ProbOov += p;
        }
        if (++pos[i] > ids.size()) {
          t.sentences += 1;
          --active;
        }
      }
    }
  }
}

void Scorer::scoreRun(std::span<const WordId> ids, std::span<const std::size_t> ends,
                      std::span<ScoreTotals> perSentence) const {
  struct Lane {
    State states[2];  // the context, and where the next one is written: score() is fastest
    int cur;          // when its output is not its input
    Model::Lookahead ahead;
    const WordId *p;  // next word of the sentence; == end: </s> is next
    const WordId *end;
    std::size_t sentence;
    double sum;
    double oovSum;
    std::uint32_t oov;
  };
  constexpr std::size_t kLanes = 8;
  const std::size_t count = ends.size();
  const WordId eos = m_model.eos();
  const State bos = m_model.beginSentenceState();
  Lane lanes[kLanes];
  std::size_t next = 0, active = 0;
  auto assign = [&](Lane &l) {
    const std::size_t i = next++;
    l.states[0] = bos;
    l.cur = 0;
    l.p = ids.data() + (i == 0 ? 0 : ends[i - 1]);
    l.end = ids.data() + ends[i];
    l.sentence = i;
    l.sum = 0;
    l.oovSum = 0;
    l.oov = 0;
    m_model.prepare(l.states[0], l.p < l.end ? *l.p : eos, l.ahead);
  };
  while (active < kLanes && next < count) assign(lanes[active++]);
  while (active > 0) {
    for (std::size_t i = 0; i < active; ++i) {
      Lane &l = lanes[i];
      const bool last = l.p == l.end;
      const WordId w = last ? eos : *l.p;
      const auto prob = static_cast<double>(m_model.score(l.states[l.cur], w, l.ahead, l.states[l.cur ^ 1]));
      l.cur ^= 1;
      l.sum += prob;
      if (w == kUnk) {
        ++l.oov;
        l.oovSum += prob;
      }
      if (!last) {
        ++l.p;
        m_model.prepare(l.states[l.cur], l.p < l.end ? *l.p : eos, l.ahead);
        continue;
      }
      ScoreTotals &t = perSentence[l.sentence];
      t.tokens += static_cast<std::uint64_t>(l.end - (ids.data() + (l.sentence == 0 ? 0 : ends[l.sentence - 1]))) + 1;
      t.sentences += 1;
      t.oov += l.oov;
      t.log10Prob += l.sum;
      t.log10ProbOov += l.oovSum;
      if (next < count) {
        assign(l);
      } else {
        // No sentence left for this lane: the last active lane takes its place (it has not
        // been scored this round yet, so it is scored at this index now).
        l = lanes[--active];
        --i;
      }
    }
  }
}

double Scorer::scoreSentence(std::span<const std::string_view> words, ScoreTotals &totals,
                             std::vector<TokenScore> *perToken) const {
  WordId small[256];
  std::vector<WordId> big;
  WordId *ids = small;
  if (words.size() > std::size(small)) {
    big.resize(words.size());
    ids = big.data();
  }
  const Vocabulary &v = m_model.vocab();
  for (std::size_t i = 0; i < words.size(); ++i) ids[i] = v.index(words[i]);
  return scoreIds({ids, words.size()}, totals, perToken);
}

Status forEachLine(const std::string &path, const std::function<Status(std::string_view line)> &onLine) {
  std::FILE *f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) return Status::fromErrno(errno, "cannot open " + path);
  std::unique_ptr<std::FILE, int (*)(std::FILE *)> guard(f, path == "-" ? [](std::FILE *) { return 0; } : &std::fclose);
  std::vector<char> buf(1 << 20);
  std::size_t begin = 0, end = 0;
  std::uint64_t lineNo = 0;
  bool eof = false;
  for (;;) {
    const void *nl = std::memchr(buf.data() + begin, '\n', end - begin);
    std::string_view line;
    if (nl) {
      const auto *e = static_cast<const char *>(nl);
      line = std::string_view(buf.data() + begin, static_cast<std::size_t>(e - (buf.data() + begin)));
      begin += line.size() + 1;
    } else if (!eof) {
      std::memmove(buf.data(), buf.data() + begin, end - begin);
      end -= begin;
      begin = 0;
      if (end == buf.size()) buf.resize(buf.size() * 2);
      std::size_t got = std::fread(buf.data() + end, 1, buf.size() - end, f);
      if (got == 0) {
        if (std::ferror(f)) return Status::fromErrno(errno, "read failed: " + path);
        eof = true;
      }
      end += got;
      continue;
    } else if (begin < end) {
      line = std::string_view(buf.data() + begin, end - begin);
      begin = end;
    } else {
      return Status::ok();
    }
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    Status st = onLine(line);
    if (!st.isOk()) return st.withContext(path + ":" + std::to_string(lineNo));
  }
}

namespace {

// scoreFile's work on one block of complete lines: tokenise, look every word up, score the
// sentences through Scorer::scoreRun, report them in order. Buffers are reused across blocks.
class BlockScorer {
public:
  BlockScorer(const Model &model, const TokenizerOptions &options,
              const std::function<void(const ScoreTotals &)> &onSentence)
      : m_model(model), m_scorer(model), m_tokenizer(options), m_onSentence(onSentence) {}

  // `firstLine` is the 1-based number of the block's first line, for error messages.
  Status score(std::string_view text, const std::string &path, std::uint64_t firstLine, ScoreTotals &totals) {
    m_words.clear();
    m_ends.clear();
    const Vocabulary &vocab = m_model.vocab();
    bool fast = false;
    if (m_tokenizer.options().mode == TokenizerMode::Whitespace) {
      // The fast path: one pass over the block's bytes (which also tells whether it is all
      // ASCII, hence valid UTF-8), one batched lookup of all its words.
      bool ascii = false;
      splitWhitespaceLines(text, m_words, m_ends, &ascii);
      fast = ascii || findInvalidUtf8(text) == 0;
      if (!fast) {
        m_words.clear();
        m_ends.clear();
      }
    }
    if (fast) {
      m_ids.resize(m_words.size());
      vocab.indexBatch(m_words, m_ids.data());
    } else {
      // Line by line (the default tokenizer's views last until its next call), which also
      // names the line and byte of invalid UTF-8.
      m_ids.clear();
      std::uint64_t lineNo = firstLine;
      while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        m_words.clear();
        if (Status st = m_tokenizer.tokenize(line, m_words); !st.isOk())
          return st.withContext(path + ":" + std::to_string(lineNo));
        const std::size_t at = m_ids.size();
        m_ids.resize(at + m_words.size());
        vocab.indexBatch(m_words, m_ids.data() + at);
        m_ends.push_back(m_ids.size());
        ++lineNo;
      }
    }
    m_results.assign(m_ends.size(), ScoreTotals{});
    m_scorer.scoreRun(m_ids, m_ends, m_results);
    for (const ScoreTotals &r : m_results) {
      if (m_onSentence) m_onSentence(r);
      totals.add(r);
    }
    return Status::ok();
  }
  std::uint64_t lines() const { return m_ends.size(); }

private:
  const Model &m_model;
  Scorer m_scorer;
  Tokenizer m_tokenizer;
  const std::function<void(const ScoreTotals &)> &m_onSentence;
  std::vector<std::string_view> m_words;
  std::vector<std::size_t> m_ends;
  std::vector<WordId> m_ids;
  std::vector<ScoreTotals> m_results;
};

}  // namespace

Result<ScoreTotals> scoreFile(const Model &model, const std::string &path, const TokenizerOptions &tokenizerOptions,
                              const std::function<void(const ScoreTotals &)> &onSentence) {
  std::FILE *f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) return Status::fromErrno(errno, "cannot open " + path);
  std::unique_ptr<std::FILE, int (*)(std::FILE *)> guard(f, path == "-" ? [](std::FILE *) { return 0; } : &std::fclose);
  BlockScorer block(model, tokenizerOptions, onSentence);
  ScoreTotals totals;
  // Blocks small enough that a block's words, ids and results stay in the L2 cache, large
  // enough that the scorer's lanes stay full.
  std::vector<char> buf(std::size_t{64} << 10);
  std::size_t have = 0;
  std::uint64_t lineNo = 1;
  bool eof = false;
  while (!eof || have > 0) {
    while (!eof && have < buf.size()) {
      const std::size_t got = std::fread(buf.data() + have, 1, buf.size() - have, f);
      if (got == 0) {
        if (std::ferror(f)) return Status::fromErrno(errno, "read failed: " + path);
        eof = true;
      }
      have += got;
    }
    // Score the complete lines; a partial last line waits for the next read (or is the last).
    std::size_t usable = have;
    if (!eof) {
      const void *nl = memrchr(buf.data(), '\n', have);
      if (!nl) {  // a line longer than the buffer
        buf.resize(buf.size() * 2);
        continue;
      }
      usable = static_cast<std::size_t>(static_cast<const char *>(nl) - buf.data()) + 1;
    }
    if (usable > 0) {
      LMFRONT_RETURN_IF_ERROR(block.score(std::string_view(buf.data(), usable), path, lineNo, totals));
      lineNo += block.lines();
    }
    std::memmove(buf.data(), buf.data() + usable, have - usable);
    have -= usable;
  }
  return totals;
}

}  // namespace lmfront::engine
