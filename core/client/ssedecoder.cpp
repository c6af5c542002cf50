#include "client/ssedecoder.h"

namespace lmfront::client {

namespace {
constexpr char kBom[] = "\xEF\xBB\xBF";
}  // namespace

bool SseDecoder::feed(QByteArrayView chunk) {
  if (hasError()) return false;
  qsizetype i = 0;
  if (!m_started) {
    // The BOM may itself arrive split; hold back a prefix of it until it is decided.
    m_line.append(chunk.data(), chunk.size());
    if (m_line.size() < 3 && QByteArrayView(kBom).startsWith(m_line)) return true;
    m_started = true;
    if (m_line.startsWith(kBom)) m_line.remove(0, 3);
    const QByteArray pending = std::exchange(m_line, {});
    return feed(pending);
  }
  const char *p = chunk.data();
  const qsizetype n = chunk.size();
  while (i < n) {
    if (m_afterCr) {
      m_afterCr = false;
      if (p[i] == '\n') {  // the LF of a CRLF split across two chunks
        ++i;
        continue;
      }
    }
    // Find the next line end in this chunk; bytes before it extend the current line.
    qsizetype j = i;
    while (j < n && p[j] != '\n' && p[j] != '\r') ++j;
    if (m_line.size() + (j - i) > m_maxLine) {
      m_error = QStringLiteral("event stream line longer than %1 bytes").arg(m_maxLine);
      m_line.clear();
      return false;
    }
    if (j == n) {
      m_line.append(p + i, j - i);
      break;
    }
    if (m_line.isEmpty()) {
      processLine(QByteArrayView(p + i, j - i));
    } else {
      m_line.append(p + i, j - i);
      processLine(m_line);
      m_line.clear();
    }
    if (p[j] == '\r') {
      if (j + 1 < n) {
        if (p[j + 1] == '\n') ++j;
      } else {
        m_afterCr = true;
      }
    }
    i = j + 1;
  }
  return true;
}

void SseDecoder::processLine(QByteArrayView line) {
  if (line.isEmpty()) {
    dispatch();
    return;
  }
  if (line.front() == ':') return;  // comment (servers use them as keep-alives)
  QByteArrayView field = line;
  QByteArrayView value;
  if (const qsizetype colon = line.indexOf(':'); colon >= 0) {
    field = line.first(colon);
    value = line.sliced(colon + 1);
    if (value.startsWith(' ')) value = value.sliced(1);
  }
  if (field == "data") {
    m_data.append(value.data(), value.size());
    m_data.append('\n');
    m_hasData = true;
  } else if (field == "event") {
    m_type = value.toByteArray();
  } else if (field == "id") {
    if (value.indexOf('\0') < 0) m_lastId = value.toByteArray();
  } else if (field == "retry") {
    bool digits = !value.isEmpty() && value.size() <= 9;
    for (char c : value) digits = digits && c >= '0' && c <= '9';
    if (digits) m_retryMs = value.toByteArray().toInt();
  }
}

void SseDecoder::dispatch() {
  if (m_hasData) {
    SseEvent e;
    if (!m_type.isEmpty()) e.type = m_type;
    e.data = std::move(m_data);
    e.data.chop(1);  // the LF after the last data line
    e.id = m_lastId;
    m_ready.append(std::move(e));
  }
  m_data.clear();
  m_type.clear();
  m_hasData = false;
}

QList<SseEvent> SseDecoder::takeEvents() { return std::exchange(m_ready, {}); }

void SseDecoder::reset() { *this = SseDecoder(m_maxLine); }

}  // namespace lmfront::client
