// OpsCodec: the ops protocol's framing as a pure function pair (docs/ops-protocol.md):
// one text frame's bytes → an OpsMessage or the OpsError to answer with, and a message → bytes.
//
//   OpsCodec codec(OpsCodec::Side::Node);
//   const OpsDecoded in = codec.decode(frame);
//   if (!in) send(OpsCodec::encode(OpsMessage::error(in.error())));  // the error names the field
//
// Contract: decode() accepts any bytes — oversized, truncated, invalid UTF-8, hostile — and never
// asserts, throws or reads beyond them; the checks run in the order the doc lists, so a given bad
// frame always gets the same error. Unknown fields are ignored; fields a type does not use are
// ignored whatever they hold; `null` counts as absent. No sockets, no event loop, no state:
// const methods, thread-safe. Qt Core JSON only.
#pragma once

#include "client/opsmessage.h"

#include <QByteArray>
#include <QByteArrayView>
#include <variant>

namespace lmfront::client {

// A decoded frame: the message, or the error to answer it with.
class OpsDecoded {
public:
  OpsDecoded(OpsMessage message) : m_value(std::move(message)) {}  // NOLINT(google-explicit-constructor)
  OpsDecoded(OpsError error) : m_value(std::move(error)) {}        // NOLINT(google-explicit-constructor)

  bool isOk() const { return std::holds_alternative<OpsMessage>(m_value); }
  explicit operator bool() const { return isOk(); }
  // Only when isOk().
  const OpsMessage &message() const { return std::get<OpsMessage>(m_value); }
  // Only when !isOk().
  const OpsError &error() const { return std::get<OpsError>(m_value); }

private:
  std::variant<OpsMessage, OpsError> m_value;
};

class OpsCodec {
public:
  // Which end decodes: a node accepts only client types (auth, subscribe, unsubscribe, command,
  // ping), a client only node types; the other end's types are bad_request.
  enum class Side { Node, Client };

  static constexpr qsizetype kDefaultMaxFrameBytes = 1 << 20;  // 1 MiB, as the doc promises
  static constexpr qsizetype kMaxIdLength = 128;

  explicit OpsCodec(Side side, qsizetype maxFrameBytes = kDefaultMaxFrameBytes)
      : m_side(side), m_maxFrameBytes(maxFrameBytes) {}

  OpsDecoded decode(QByteArrayView frame) const;
  // Compact JSON (UTF-8). Empty id/topic/name, an absent or null payload and a negative seq are
  // left out. Never fails.
  static QByteArray encode(const OpsMessage &message);

  Side side() const { return m_side; }
  qsizetype maxFrameBytes() const { return m_maxFrameBytes; }

private:
  Side m_side;
  qsizetype m_maxFrameBytes;
};

}  // namespace lmfront::client
