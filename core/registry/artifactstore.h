// ArtifactStore: immutable files addressed by the sha256 of their bytes, under
// ROOT/sha256/ab/abcdef… (ROOT is normally DATA_DIR/artifacts; the name is the 64 lower-case hex
// digits of the content's sha256, the directory its first two).
//
// Contract:
// - put() streams a file into ROOT/incoming/PID.N.partial while hashing it, fsyncs it, makes it
//   read-only, links it under its final name (link(2): never replaces an existing name), fsyncs
//   the directory, then drops the temporary name. So an artifact is either complete under its
//   final name or not there at all, whatever moment the process dies; an artifact that is
//   already stored is not rewritten (the put reports stored = false).
// - open() creates the directories and removes the temporary files of processes that no longer
//   run (a put interrupted by a crash); puts of live processes sharing the store are kept.
// - verify() re-hashes a stored file: a mismatch is DataLoss naming the file.
// - collect(referenced) removes every artifact whose sha256 is not in `referenced` and reports
//   what it removed. It must not race a put whose artifact is not referenced yet: the caller
//   (garbage collection with the catalog) serialises them.
// Errors use the common vocabulary: a full disk or a file-size limit (ENOSPC, EDQUOT, EFBIG)
// is ResourceExhausted naming the path; a missing artifact NotFound; a malformed sha256
// InvalidArgument; other refusals of the operating system IoError. Thread-safe: the object holds
// only its root; concurrent puts (threads or processes) of the same content are safe.
#pragma once

#include "common/status.h"

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace lmfront::registry {

class ArtifactStore {
public:
  static Result<std::unique_ptr<ArtifactStore>> open(const std::string &root);

  struct Stored {
    std::string sha256;  // 64 lower-case hex digits
    std::uint64_t bytes = 0;
    bool stored = false;  // false: the artifact was already there (nothing written)
  };
  Result<Stored> put(const std::string &sourcePath) const;
  Result<Stored> putBytes(std::string_view bytes) const;  // small artifacts (manifests, reports)

  // Where the artifact `sha256` lives (whether or not it is stored); empty for a malformed name.
  std::string path(std::string_view sha256) const;
  bool contains(std::string_view sha256) const;
  Status verify(std::string_view sha256) const;

  struct Artifact {
    std::string sha256;
    std::uint64_t bytes = 0;
  };
  Result<std::vector<Artifact>> list() const;  // every stored artifact, by name

  struct Collected {
    std::vector<Artifact> removed;
    std::uint64_t bytesFreed = 0;
  };
  Result<Collected> collect(const std::set<std::string, std::less<>> &referenced) const;

  const std::string &root() const { return m_root; }
  // Temporary files currently in ROOT/incoming (puts in progress, or left by a crash before the
  // next open()).
  std::vector<std::string> pendingTemporaryFiles() const;

  static bool isSha256(std::string_view name);

private:
  explicit ArtifactStore(std::string root) : m_root(std::move(root)) {}
  class Writer;
  Result<Stored> finish(Writer &writer) const;

  std::string m_root;
};

}  // namespace lmfront::registry
