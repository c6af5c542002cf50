// sha256 over a byte range through OpenSSL's EVP interface (libcrypto is the engine's one
// crypto dependency). Thread-safe: each call uses its own context.
#pragma once

#include "common/status.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace lmfront::engine {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(const void *data, std::size_t size);
std::string toHex(const Sha256Digest &digest);
// The sha256 of a file's bytes (what `sha256sum` prints), read in 1 MiB chunks.
Result<Sha256Digest> sha256File(const std::string &path);

}  // namespace lmfront::engine
