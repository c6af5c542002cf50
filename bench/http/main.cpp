// lmfront-bench-http: HttpServer with one trivial route, the data plane alone under wrk.
// Usage: lmfront-bench-http [--port N] [--workers N] [--host ADDR] [--stream-probe CHUNKS]
//                           [--tls-cert FILE --tls-key FILE]
// Every path answers 200 with the same 50-byte JSON body nginx returns in bench/http/run.sh.
// --stream-probe: serve on a free port, measure chunk latency (streamprobe.h) and exit.
// --tls-cert/--tls-key: HTTPS instead of HTTP (bench/tls/run.sh).
#include "gateway/http/httpserver.h"
#include "gateway/http/tlscontext.h"
#include "streamprobe.h"

#include <QCoreApplication>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

using namespace lmfront::gateway;

int main(int argc, char **argv) {
  QCoreApplication app(argc, argv);
  HttpServerOptions options;
  options.port = 18080;
  int probeChunks = 0;
  std::string tlsCert, tlsKey;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--port") {
      options.port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
    } else if (flag == "--workers") {
      options.workers = std::atoi(argv[i + 1]);
    } else if (flag == "--stream-probe") {
      probeChunks = std::atoi(argv[i + 1]);
      options.port = 0;
    } else if (flag == "--host") {
      options.host = argv[i + 1];
    } else if (flag == "--tls-cert") {
      tlsCert = argv[i + 1];
    } else if (flag == "--tls-key") {
      tlsKey = argv[i + 1];
    } else {
      std::fprintf(stderr, "lmfront-bench-http: unknown flag %s\n", argv[i]);
      return 2;
    }
  }
  if (!tlsCert.empty() || !tlsKey.empty()) {
    auto tls = TlsContext::load(tlsCert, tlsKey);
    if (!tls) {
      std::fprintf(stderr, "lmfront-bench-http: %s\n", tls.status().message().c_str());
      return 1;
    }
    options.tls = *tls;
  }
  static const std::string kBody = R"({"object":"bench","status":"ok","padding":"xxxxx"})";
  auto router = std::make_shared<Router>();
  lmfront::bench::addStreamProbeRoute(*router);
  router->fallback([](HttpRequest &&, ResponderPtr responder) { responder->respond(HttpResponse::json(200, kBody)); });
  HttpServer server(lmfront::Clock::steady());
  const lmfront::Status st = server.start(options, router);
  if (!st.isOk()) {
    std::fprintf(stderr, "lmfront-bench-http: %s\n", st.message().c_str());
    return 1;
  }
  if (probeChunks > 0) return lmfront::bench::runStreamProbe(server.port(), probeChunks);
  std::printf("lmfront-bench-http listening on %s://%s:%u with %d workers\n", options.tls ? "https" : "http",
              options.host.c_str(), server.port(), server.options().workers);
  std::fflush(stdout);
  return app.exec();
}
