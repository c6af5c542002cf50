// SseDecoder: the server-sent-events wire format (WHATWG HTML, "Parsing an event stream") as a
// pure class: bytes in, events out, no I/O. The network code feeds it whatever chunks arrive.
//
// Contract: feed() accepts any split of the stream, down to one byte at a time, and yields the
// same events as one feed() of the whole: a CR at the end of one chunk followed by an LF at the
// start of the next is one line end. Lines end with LF, CRLF or CR; a leading UTF-8 BOM is
// dropped; lines starting with ':' are comments; "data" lines of one event are joined with LF;
// "event", "id" and "retry" are kept; other fields are ignored; an event is dispatched at a blank
// line only when it has data (as the spec says), and a trailing event without its blank line is
// dropped at the end of the stream. A line longer than the limit (default 8 MiB) puts the decoder
// into a sticky error state instead of growing without bound: a broken or hostile server cannot
// exhaust memory. Not thread-safe; one decoder per stream.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace lmfront::client {

struct SseEvent {
  QByteArray type = "message";  // the "event" field, "message" when absent
  QByteArray data;              // data lines joined by LF, without the final LF
  QByteArray id;                // the last "id" seen on the stream (spec: it persists across events)
  friend bool operator==(const SseEvent &, const SseEvent &) = default;
};

class SseDecoder {
public:
  static constexpr qsizetype kDefaultMaxLineBytes = 8 * 1024 * 1024;

  explicit SseDecoder(qsizetype maxLineBytes = kDefaultMaxLineBytes) : m_maxLine(maxLineBytes) {}

  // Consumes a chunk; complete events are queued for takeEvents(). Returns false once in error.
  bool feed(QByteArrayView chunk);
  // The events completed so far, oldest first; the queue is emptied.
  QList<SseEvent> takeEvents();
  bool hasError() const { return !m_error.isEmpty(); }
  QString errorString() const { return m_error; }
  // Milliseconds from the last valid "retry" field, -1 when none was sent.
  int retryMs() const { return m_retryMs; }
  void reset();

private:
  void processLine(QByteArrayView line);
  void dispatch();

  qsizetype m_maxLine;
  QByteArray m_line;  // the unfinished line carried between chunks
  bool m_afterCr = false;
  bool m_started = false;  // past the optional BOM
  QByteArray m_type;
  QByteArray m_data;
  bool m_hasData = false;
  QByteArray m_lastId;
  int m_retryMs = -1;
  QList<SseEvent> m_ready;
  QString m_error;
};

}  // namespace lmfront::client
