// Test helper: an HTTP server on 127.0.0.1 port 0 that plays a scripted event stream, for what a
// good node never does on cue (an endless stream to stop, a cut stream, an error event, one byte
// per packet). GET /v1/models answers a one-model list ("scripted"); every other request gets
// `head`, then one entry of `events` per tick; `endless` repeats the last entry forever;
// otherwise the connection closes after the events. `lastRequest` keeps the last request's bytes as
// far as they had arrived when it was answered (the body comes with the headers for small ones).
#pragma once

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>
#include <memory>

namespace lmfront::testing {

class ScriptedSse : public QObject {
public:
  QByteArray head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nx-lmfront-backend: fake:1\r\n"
      "x-lmfront-cache: bypass\r\nx-lmfront-overhead-ms: 0.25\r\nConnection: close\r\n\r\n";
  QList<QByteArray> events;
  bool endless = false;
  int tickMs = 10;
  int disconnects = 0;
  QByteArray lastRequest;
  QTcpServer server;

  ScriptedSse() {
    connect(&server, &QTcpServer::newConnection, this, [this] {
      while (QTcpSocket *s = server.nextPendingConnection()) {
        s->setParent(this);
        connect(s, &QTcpSocket::disconnected, this, [this] { ++disconnects; });
        connect(s, &QTcpSocket::readyRead, this, [this, s] { onRead(s); });
      }
    });
    if (!server.listen(QHostAddress::LocalHost, 0)) qFatal("listen failed");
  }
  QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort())); }

private:
  void onRead(QTcpSocket *s) {
    const QByteArray buf = s->property("buf").toByteArray() + s->readAll();
    s->setProperty("buf", buf);
    lastRequest = buf;
    if (!buf.contains("\r\n\r\n") || s->property("answered").toBool()) return;
    s->setProperty("answered", true);
    if (buf.startsWith("GET /v1/models")) {
      const QByteArray body = R"({"object":"list","data":[{"id":"scripted","object":"model","backends":1}]})";
      s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
               QByteArray::number(body.size()) + "\r\n\r\n" + body);
      s->disconnectFromHost();
      return;
    }
    s->write(head);
    auto *timer = new QTimer(s);
    auto next = std::make_shared<qsizetype>(0);
    connect(timer, &QTimer::timeout, s, [this, s, timer, next] {
      if (*next < events.size() || (endless && !events.isEmpty())) {
        s->write(events[std::min<qsizetype>(*next, events.size() - 1)]);
        ++*next;
        return;
      }
      timer->stop();
      s->disconnectFromHost();
    });
    timer->start(tickMs);
  }
};

inline QByteArray textEvent(const char *text) {
  return QByteArray("data: {\"choices\":[{\"index\":0,\"text\":\"") + text + "\",\"finish_reason\":null}]}\n\n";
}

}  // namespace lmfront::testing
