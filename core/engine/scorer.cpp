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

Result<ScoreTotals> scoreFile(const Model &model, const std::string &path, const TokenizerOptions &tokenizerOptions,
                              const std::function<void(const ScoreTotals &)> &onSentence) {
  Tokenizer tokenizer(tokenizerOptions);
  Scorer scorer(model);
  ScoreTotals totals;
  std::vector<std::string_view> words;
  // Sentences are scored in batches so their lookups overlap (Scorer::scoreBatch).
  constexpr std::size_t kBatch = 16;
  std::vector<std::vector<WordId>> batch(kBatch);
  std::vector<ScoreTotals> results(kBatch);
  std::size_t filled = 0;
  auto flush = [&] {
    std::fill(results.begin(), results.begin() + static_cast<std::ptrdiff_t>(filled), ScoreTotals{});
    scorer.scoreBatch({batch.data(), filled}, {results.data(), filled});
    for (std::size_t i = 0; i < filled; ++i) {
      if (onSentence) onSentence(results[i]);
      totals.add(results[i]);
    }
    filled = 0;
  };
  const Vocabulary &vocab = model.vocab();
  Status st = forEachLine(path, [&](std::string_view line) -> Status {
    words.clear();
    LMFRONT_RETURN_IF_ERROR(tokenizer.tokenize(line, words));
    std::vector<WordId> &ids = batch[filled++];
    ids.resize(words.size());
    vocab.indexBatch(words, ids.data());
    if (filled == kBatch) flush();
    return Status::ok();
  });
  if (!st.isOk()) return st;
  flush();
  return totals;
}

}  // namespace lmfront::engine
