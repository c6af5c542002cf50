#include "registry/artifactstore.h"

#include "engine/sha256.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

namespace lmfront::registry {
namespace {

constexpr const char *kIncoming = "/incoming";
constexpr const char *kObjects = "/sha256";
constexpr const char *kPartial = ".partial";
constexpr std::size_t kChunk = 1 << 20;

// errno -> the common vocabulary: a full disk (or a file-size limit) is a resource running out.
Status errnoStatus(int e, const std::string &what) {
  const Status s = Status::fromErrno(e, what);
  switch (e) {
  case ENOSPC:
  case EDQUOT:
  case EFBIG: return Status::resourceExhausted(s.message());
  case ENOENT: return Status::notFound(s.message());
  case EACCES:
  case EPERM: return Status::permissionDenied(s.message());
  default: return s;
  }
}

Status makeDir(const std::string &path) {
  if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) return Status::ok();
  return errnoStatus(errno, "cannot create " + path);
}

// Makes a directory entry (a new name, a removed one) durable.
Status syncDir(const std::string &path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errnoStatus(errno, "cannot open " + path);
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  return rc == 0 ? Status::ok() : errnoStatus(e, "cannot sync " + path);
}

std::vector<std::string> entries(const std::string &dir) {
  std::vector<std::string> out;
  if (DIR *d = ::opendir(dir.c_str())) {
    while (const dirent *e = ::readdir(d))
      if (e->d_name[0] != '.') out.emplace_back(e->d_name);
    ::closedir(d);
  }
  return out;
}

// "PID.N.partial" -> PID, or 0 when the name is not one of ours.
pid_t partialOwner(const std::string &name) {
  if (name.size() <= std::strlen(kPartial) ||
      name.compare(name.size() - std::strlen(kPartial), std::string::npos, kPartial) != 0)
    return 0;
  pid_t pid = 0;
  for (char c : name) {
    if (c == '.') break;
    if (c < '0' || c > '9' || pid > 100000000) return 0;
    pid = pid * 10 + (c - '0');
  }
  return pid;
}

std::atomic<std::uint64_t> g_putCounter{0};

}  // namespace

// One temporary file being written and hashed; removed by the destructor unless linked.
class ArtifactStore::Writer {
public:
  explicit Writer(const ArtifactStore &store) {
    m_path =
        store.m_root + kIncoming + "/" + std::to_string(::getpid()) + "." + std::to_string(++g_putCounter) + kPartial;
    m_fd = ::open(m_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (m_fd < 0) m_status = errnoStatus(errno, "cannot create " + m_path);
  }
  ~Writer() {
    if (m_fd >= 0) ::close(m_fd);
    if (!m_path.empty()) ::unlink(m_path.c_str());
  }
  Writer(const Writer &) = delete;
  Writer &operator=(const Writer &) = delete;

  const Status &status() const { return m_status; }
  const std::string &path() const { return m_path; }
  std::uint64_t bytes() const { return m_bytes; }

  Status write(const char *data, std::size_t size) {
    m_hash.update(data, size);
    m_bytes += size;
    while (size > 0) {
      const ssize_t n = ::write(m_fd, data, size);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return errnoStatus(n < 0 ? errno : ENOSPC, "cannot write " + m_path);
      data += n;
      size -= static_cast<std::size_t>(n);
    }
    return Status::ok();
  }
  // fsync, read-only, closed: ready to be linked under its name.
  Result<std::string> seal() {
    if (::fsync(m_fd) != 0 || ::fchmod(m_fd, 0444) != 0) return errnoStatus(errno, "cannot sync " + m_path);
    const int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0) return errnoStatus(errno, "cannot write " + m_path);
    return engine::toHex(m_hash.finish());
  }

private:
  std::string m_path;
  int m_fd = -1;
  Status m_status;
  engine::Sha256Stream m_hash;
  std::uint64_t m_bytes = 0;
};

Result<std::unique_ptr<ArtifactStore>> ArtifactStore::open(const std::string &root) {
  if (root.empty()) return Status::invalidArgument("the artifact store needs a directory");
  LMFRONT_RETURN_IF_ERROR(makeDir(root));
  LMFRONT_RETURN_IF_ERROR(makeDir(root + kIncoming));
  LMFRONT_RETURN_IF_ERROR(makeDir(root + kObjects));
  std::unique_ptr<ArtifactStore> store(new ArtifactStore(root));
  // A temporary file whose process is gone was a put cut short: nothing refers to it.
  const std::string incoming = root + kIncoming;
  for (const std::string &name : entries(incoming)) {
    const pid_t owner = partialOwner(name);
    if (owner == 0 || owner == ::getpid() || (::kill(owner, 0) != 0 && errno == ESRCH)) {
      const std::string path = incoming + "/" + name;
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errnoStatus(errno, "cannot remove " + path);
    }
  }
  return store;
}

bool ArtifactStore::isSha256(std::string_view name) {
  if (name.size() != 64) return false;
  for (char c : name)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string ArtifactStore::path(std::string_view sha256) const {
  if (!isSha256(sha256)) return {};
  return m_root + kObjects + "/" + std::string(sha256.substr(0, 2)) + "/" + std::string(sha256);
}

bool ArtifactStore::contains(std::string_view sha256) const {
  const std::string p = path(sha256);
  struct stat st {};
  return !p.empty() && ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<ArtifactStore::Stored> ArtifactStore::put(const std::string &sourcePath) const {
  const int in = ::open(sourcePath.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return errnoStatus(errno, "cannot open " + sourcePath);
  Writer writer(*this);
  Status st = writer.status();
  std::vector<char> buf(kChunk);
  while (st.isOk()) {
    const ssize_t n = ::read(in, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) st = errnoStatus(errno, "cannot read " + sourcePath);
    if (n <= 0) break;
    st = writer.write(buf.data(), static_cast<std::size_t>(n));
  }
  ::close(in);
  if (!st.isOk()) return st;
  return finish(writer);
}

Result<ArtifactStore::Stored> ArtifactStore::putBytes(std::string_view bytes) const {
  Writer writer(*this);
  LMFRONT_RETURN_IF_ERROR(writer.status());
  LMFRONT_RETURN_IF_ERROR(writer.write(bytes.data(), bytes.size()));
  return finish(writer);
}

Result<ArtifactStore::Stored> ArtifactStore::finish(Writer &writer) const {
  Result<std::string> sha = writer.seal();
  if (!sha.isOk()) return sha.status();
  Stored out{*sha, writer.bytes(), false};
  const std::string objects = m_root + kObjects;
  const std::string dir = objects + "/" + sha->substr(0, 2);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    LMFRONT_RETURN_IF_ERROR(makeDir(dir));
    LMFRONT_RETURN_IF_ERROR(syncDir(objects));
  }
  const std::string final = path(*sha);
  // link(2), not rename(2): an existing artifact keeps its inode (readers may have it mapped)
  // and is never replaced; EEXIST means the content is already stored.
  if (::link(writer.path().c_str(), final.c_str()) != 0) {
    if (errno != EEXIST) return errnoStatus(errno, "cannot store " + final);
    return out;
  }
  LMFRONT_RETURN_IF_ERROR(syncDir(dir));
  out.stored = true;
  return out;  // the Writer removes the temporary name
}

Status ArtifactStore::verify(std::string_view sha256) const {
  const std::string p = path(sha256);
  if (p.empty()) return Status::invalidArgument("not a sha256: '" + std::string(sha256) + "'");
  Result<engine::Sha256Digest> digest = engine::sha256File(p);
  if (!digest.isOk()) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return Status::notFound("no artifact " + std::string(sha256) + " (" + p + ")");
    return digest.status();
  }
  const std::string actual = engine::toHex(*digest);
  if (actual != sha256)
    return Status::dataLoss(p + ": the content does not match its name (its sha256 is " + actual + ")");
  return Status::ok();
}

Result<std::vector<ArtifactStore::Artifact>> ArtifactStore::list() const {
  std::vector<Artifact> out;
  const std::string objects = m_root + kObjects;
  for (const std::string &prefix : entries(objects))
    for (const std::string &name : entries(objects + "/" + prefix)) {
      if (!isSha256(name) || name.compare(0, 2, prefix) != 0) continue;
      struct stat st {};
      const std::string p = objects + "/" + prefix + "/" + name;
      if (::stat(p.c_str(), &st) != 0) {
        if (errno == ENOENT) continue;  // collected meanwhile
        return errnoStatus(errno, "cannot stat " + p);
      }
      out.push_back({name, static_cast<std::uint64_t>(st.st_size)});
    }
  std::sort(out.begin(), out.end(), [](const Artifact &a, const Artifact &b) { return a.sha256 < b.sha256; });
  return out;
}

Result<ArtifactStore::Collected> ArtifactStore::collect(const std::set<std::string, std::less<>> &referenced) const {
  Result<std::vector<Artifact>> all = list();
  if (!all.isOk()) return all.status();
  Collected out;
  std::set<std::string> dirs;
  for (const Artifact &a : *all) {
    if (referenced.count(a.sha256)) continue;
    const std::string p = path(a.sha256);
    if (::unlink(p.c_str()) != 0) {
      if (errno == ENOENT) continue;
      return errnoStatus(errno, "cannot remove " + p);
    }
    dirs.insert(p.substr(0, p.rfind('/')));
    out.bytesFreed += a.bytes;
    out.removed.push_back(a);
  }
  for (const std::string &d : dirs) LMFRONT_RETURN_IF_ERROR(syncDir(d));
  return out;
}

std::vector<std::string> ArtifactStore::pendingTemporaryFiles() const {
  std::vector<std::string> out;
  for (const std::string &name : entries(m_root + kIncoming)) out.push_back(m_root + kIncoming + "/" + name);
  return out;
}

}  // namespace lmfront::registry
