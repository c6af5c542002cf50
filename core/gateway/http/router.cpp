#include "gateway/http/httpserver.h"

namespace lmfront::gateway {

Router &Router::route(std::string method, std::string path, Handler handler) {
  m_entries.push_back(Entry{std::move(method), std::move(path), false, std::move(handler)});
  return *this;
}

Router &Router::prefix(std::string method, std::string pathPrefix, Handler handler) {
  m_entries.push_back(Entry{std::move(method), std::move(pathPrefix), true, std::move(handler)});
  return *this;
}

Router &Router::fallback(Handler handler) {
  m_fallback = std::move(handler);
  return *this;
}

const Handler *Router::find(std::string_view method, std::string_view path, bool *pathKnown) const {
  bool known = false;
  const Handler *best = nullptr;
  std::size_t bestLength = 0;
  bool bestExact = false;
  // HEAD is answered by the GET handler when no HEAD route exists; the server drops the body.
  const bool isHead = method == "HEAD";
  const Handler *headViaGet = nullptr;
  std::size_t headLength = 0;
  bool headExact = false;
  for (const Entry &e : m_entries) {
    const bool matches = e.isPrefix ? path.substr(0, e.path.size()) == e.path : path == e.path;
    if (!matches) continue;
    known = true;
    // Exact beats prefix; among prefixes the longest wins; the first registered wins ties.
    const bool exact = !e.isPrefix;
    auto better = [&](bool curExact, std::size_t curLength) {
      if (exact != curExact) return exact;
      return e.path.size() > curLength;
    };
    if (e.method == method) {
      if (best == nullptr || better(bestExact, bestLength)) {
        best = &e.handler;
        bestLength = e.path.size();
        bestExact = exact;
      }
    } else if (isHead && e.method == "GET") {
      if (headViaGet == nullptr || better(headExact, headLength)) {
        headViaGet = &e.handler;
        headLength = e.path.size();
        headExact = exact;
      }
    }
  }
  if (best == nullptr) best = headViaGet;
  // A known path with another method is a 405, not the fallback's business.
  if (best == nullptr && !known && m_fallback) best = &m_fallback;
  if (pathKnown != nullptr) *pathKnown = known;
  return best;
}

}  // namespace lmfront::gateway
