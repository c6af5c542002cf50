// ArtifactStore on real files: put / verify / dedupe / collect, a corrupted artifact detected, a
// real child process killed with SIGKILL in the middle of a put (nothing visible under a final
// name, its temporary file removed at the next open), and a write refused for lack of space
// (RLIMIT_FSIZE with SIGXFSZ ignored: EFBIG, the unprivileged stand-in for a full disk).
#include "engine/sha256.h"
#include "registry/artifactstore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <fstream>

using namespace lmfront;
using namespace lmfront::registry;

namespace {

std::string writeFile(const QTemporaryDir &dir, const char *name, const std::string &bytes) {
  const std::string path = dir.filePath(QString::fromUtf8(name)).toStdString();
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  return path;
}

std::string shaOf(const std::string &bytes) { return engine::toHex(engine::sha256(bytes.data(), bytes.size())); }

std::string pattern(std::size_t size, unsigned seed) {
  std::string s(size, '\0');
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL + 1;
  for (char &c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return s;
}

std::unique_ptr<ArtifactStore> openStore(const std::string &root) {
  auto store = ArtifactStore::open(root);
  if (!store.isOk()) qFatal("%s", store.status().message().c_str());
  return std::move(*store);
}

}  // namespace

class TestArtifactStore : public QObject {
  Q_OBJECT
private Q_SLOTS:
  void putVerifyAndDedupe() {
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("artifacts")).toStdString());
    const std::string content = pattern(3 * 1024 * 1024 + 17, 1);  // several read chunks
    const std::string source = writeFile(dir, "model.lmb", content);
    auto put = store->put(source);
    QVERIFY2(put.isOk(), put.status().message().c_str());
    QCOMPARE(put->sha256, shaOf(content));
    QCOMPARE(put->bytes, std::uint64_t{content.size()});
    QVERIFY(put->stored);
    const std::string path = store->path(put->sha256);
    QCOMPARE(path, store->root() + "/sha256/" + put->sha256.substr(0, 2) + "/" + put->sha256);
    QVERIFY(store->contains(put->sha256));
    QVERIFY(store->verify(put->sha256).isOk());
    struct stat st {};
    QCOMPARE(::stat(path.c_str(), &st), 0);
    QCOMPARE(st.st_mode & 0777, 0444u);  // immutable
    QCOMPARE(static_cast<std::size_t>(st.st_size), content.size());
    // The same content again, from a file or from memory: not rewritten (same inode).
    auto again = store->put(source);
    QVERIFY(again.isOk());
    QCOMPARE(again->sha256, put->sha256);
    QVERIFY(!again->stored);
    auto bytes = store->putBytes(content);
    QVERIFY(bytes.isOk() && !bytes->stored);
    struct stat st2 {};
    QCOMPARE(::stat(path.c_str(), &st2), 0);
    QCOMPARE(st2.st_ino, st.st_ino);
    // Small artifacts; the empty one too.
    auto small = store->putBytes(R"({"name":"english"})");
    QVERIFY(small.isOk() && small->stored);
    QCOMPARE(small->sha256, shaOf(R"({"name":"english"})"));
    auto empty = store->putBytes("");
    QVERIFY(empty.isOk());
    QCOMPARE(empty->sha256, std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    auto all = store->list();
    QVERIFY(all.isOk());
    QCOMPARE(all->size(), std::size_t{3});
    QVERIFY(store->pendingTemporaryFiles().empty());  // no temporary left behind
    // Names that are not sha256s.
    QVERIFY(store->path("../../etc/passwd").empty());
    QVERIFY(!store->contains(std::string(64, 'A')));
    QCOMPARE(store->verify("abc").code(), StatusCode::InvalidArgument);
    QCOMPARE(store->verify(std::string(64, '0')).code(), StatusCode::NotFound);
    QCOMPARE(store->put(dir.filePath(QStringLiteral("missing")).toStdString()).status().code(), StatusCode::NotFound);
  }

  void corruptedArtifactIsDetected() {
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("artifacts")).toStdString());
    const std::string content = pattern(100000, 2);
    auto put = store->putBytes(content);
    QVERIFY(put.isOk());
    const std::string path = store->path(put->sha256);
    QCOMPARE(::chmod(path.c_str(), 0644), 0);
    {
      std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(54321);
      f.put(static_cast<char>(content[54321] ^ 1));
    }
    Status st = store->verify(put->sha256);
    QCOMPARE(st.code(), StatusCode::DataLoss);
    QVERIFY2(st.message().find(path) != std::string::npos, st.message().c_str());
    QCOMPARE(::truncate(path.c_str(), 10), 0);
    QCOMPARE(store->verify(put->sha256).code(), StatusCode::DataLoss);
  }

  void collectRemovesWhatIsNotReferenced() {
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("artifacts")).toStdString());
    auto a = store->putBytes(pattern(1000, 3));
    auto b = store->putBytes(pattern(2000, 4));
    auto c = store->putBytes(pattern(4000, 5));
    QVERIFY(a.isOk() && b.isOk() && c.isOk());
    auto collected = store->collect({a->sha256});
    QVERIFY(collected.isOk());
    QCOMPARE(collected->removed.size(), std::size_t{2});
    QCOMPARE(collected->bytesFreed, std::uint64_t{6000});
    std::set<std::string> removed;
    for (const auto &r : collected->removed) removed.insert(r.sha256);
    QCOMPARE(removed, (std::set<std::string>{b->sha256, c->sha256}));
    QVERIFY(store->contains(a->sha256) && store->verify(a->sha256).isOk());
    QVERIFY(!store->contains(b->sha256) && !store->contains(c->sha256));
    auto none = store->collect({a->sha256});
    QVERIFY(none.isOk() && none->removed.empty() && none->bytesFreed == 0);
    // A collected artifact can be stored again.
    auto back = store->putBytes(pattern(2000, 4));
    QVERIFY(back.isOk() && back->stored && back->sha256 == b->sha256);
  }

  // A real process is killed (SIGKILL) while its put is streaming: its source is a FIFO this
  // test feeds and then holds open, so the kill always lands in the middle of the put.
  void killedPutLeavesNothingVisible() {
    QTemporaryDir dir;
    const std::string root = dir.filePath(QStringLiteral("artifacts")).toStdString();
    const std::string fifo = dir.filePath(QStringLiteral("upload")).toStdString();
    QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
    QProcess helper;
    helper.start(QCoreApplication::applicationDirPath() + u"/tst_artifactstore_put"_qs,
                 {QString::fromStdString(root), QString::fromStdString(fifo)});
    QVERIFY(helper.waitForStarted());
    int fd = -1;
    QElapsedTimer timer;
    timer.start();
    // Opening a FIFO's write end without a reader fails (ENXIO) rather than blocking.
    while (fd < 0 && timer.elapsed() < 20000 && helper.state() == QProcess::Running) {
      fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
      if (fd < 0) QTest::qWait(5);
    }
    QVERIFY2(fd >= 0, helper.readAllStandardError().constData());
    QCOMPARE(::fcntl(fd, F_SETFL, 0), 0);  // blocking writes from here
    const std::string content = pattern(8 * 1024 * 1024, 6);
    for (std::size_t done = 0; done < content.size();) {
      const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
      QVERIFY(n > 0);
      done += static_cast<std::size_t>(n);
    }
    // Wait until the helper wrote all of it to its temporary file, then kill it mid-put (the
    // FIFO stays open: the put is waiting for more).
    auto observer = openStore(root);  // open() keeps a live process's temporary file
    std::vector<std::string> pending;
    for (timer.restart(); timer.elapsed() < 20000; QTest::qWait(5)) {
      pending = observer->pendingTemporaryFiles();
      struct stat st {};
      if (pending.size() == 1 && ::stat(pending[0].c_str(), &st) == 0 &&
          static_cast<std::size_t>(st.st_size) == content.size())
        break;
    }
    QCOMPARE(pending.size(), std::size_t{1});
    QCOMPARE(::kill(static_cast<pid_t>(helper.processId()), SIGKILL), 0);
    QVERIFY(helper.waitForFinished());
    QCOMPARE(helper.exitStatus(), QProcess::CrashExit);
    ::close(fd);
    // What the crash left: the temporary file, and no artifact under any final name.
    QVERIFY(QFileInfo::exists(QString::fromStdString(pending[0])));
    auto reopened = openStore(root);
    QVERIFY(reopened->pendingTemporaryFiles().empty());
    QVERIFY(!QFileInfo::exists(QString::fromStdString(pending[0])));
    auto listed = reopened->list();
    QVERIFY(listed.isOk() && listed->empty());
    QVERIFY(!reopened->contains(shaOf(content)));
    // The upload can simply be done again.
    auto put = reopened->putBytes(content);
    QVERIFY(put.isOk() && put->stored && put->sha256 == shaOf(content));
  }

  // A temporary file is removed at open when its process is gone (or the name is not a put's),
  // kept while its process runs.
  void openRemovesOnlyDeadProcessesTemporaries() {
    QTemporaryDir dir;
    const std::string root = dir.filePath(QStringLiteral("artifacts")).toStdString();
    openStore(root);
    QProcess done;
    done.start(QStringLiteral("true"), {});
    QVERIFY(done.waitForFinished());
    const auto dead = std::to_string(done.processId());
    const auto live = std::to_string(::getppid());
    for (const std::string &name : {dead + ".1.partial", live + ".1.partial", std::string("junk")})
      std::ofstream(root + "/incoming/" + name) << "x";
    auto store = openStore(root);
    QCOMPARE(store->pendingTemporaryFiles(), std::vector<std::string>{root + "/incoming/" + live + ".1.partial"});
  }

  // The unprivileged stand-in for a full disk: RLIMIT_FSIZE with SIGXFSZ ignored makes write(2)
  // fail with EFBIG, as ENOSPC would. ResourceExhausted naming the file; nothing stored or left.
  void writeRefusedForSpaceIsResourceExhausted() {
    QTemporaryDir dir;
    auto store = openStore(dir.filePath(QStringLiteral("artifacts")).toStdString());
    const std::string content = pattern(3 * 1024 * 1024, 7);
    const std::string source = writeFile(dir, "big.lmb", content);
    struct rlimit old {};
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &old), 0);
    auto previous = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old;
    small.rlim_cur = 1024 * 1024;
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
    auto put = store->put(source);
    auto bytes = store->putBytes(content);
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, previous);
    QCOMPARE(put.status().code(), StatusCode::ResourceExhausted);
    QVERIFY2(put.status().message().find(store->root() + "/incoming/") != std::string::npos,
             put.status().message().c_str());
    QCOMPARE(bytes.status().code(), StatusCode::ResourceExhausted);
    QVERIFY(!store->contains(shaOf(content)));
    QVERIFY(store->pendingTemporaryFiles().empty());
    auto listed = store->list();
    QVERIFY(listed.isOk() && listed->empty());
  }
};

QTEST_GUILESS_MAIN(TestArtifactStore)
#include "tst_artifactstore.moc"
