// sha256 over a byte range through OpenSSL's EVP interface (libcrypto is the engine's one
// crypto dependency). Thread-safe: each call uses its own context.
#pragma once

#include "common/status.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lmfront::engine {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(const void *data, std::size_t size);

// Incremental sha256 of a stream (update() any number of times, then finish() once).
class Sha256Stream {
public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream &) = delete;
  Sha256Stream &operator=(const Sha256Stream &) = delete;
  void update(const void *data, std::size_t size);
  Sha256Digest finish();

private:
  void *m_ctx;  // EVP_MD_CTX, kept out of the header
};

std::string toHex(const Sha256Digest &digest);
// 64 hex digits (either case) -> digest; nullopt for anything else.
std::optional<Sha256Digest> fromHex(std::string_view hex);
// The sha256 of a file's bytes (what `sha256sum` prints), read in 1 MiB chunks.
Result<Sha256Digest> sha256File(const std::string &path);

}  // namespace lmfront::engine
