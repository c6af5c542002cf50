// API key material: generation, the stored (salted, hashed) form, and parsing of the
// `Authorization` header. No I/O, no state beyond a per-thread digest context: thread-safe.
//
// Format: "lmf_" + 40 base62 characters (≈ 238 bits from OpenSSL's CSPRNG, RAND_bytes, with
// rejection sampling so every character is uniform). The first 8 characters after "lmf_" are the
// key id: not secret, shown by `lmfront keys list`, used to find the stored hash. Only
// SHA-256(salt ‖ key) with a per-key random 16-byte salt is ever stored; a fast hash is enough
// because the key is uniformly random (2^238 guesses), unlike a password — a slow KDF would only
// add milliseconds to every request (docs/decisions/auth.md).
#pragma once

#include "common/status.h"

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace lmfront::gateway::auth {

inline constexpr std::string_view kKeyPrefix = "lmf_";
inline constexpr std::size_t kKeyRandomChars = 40;
inline constexpr std::size_t kKeyIdChars = 8;
// Accepted lengths of the random part when parsing (room for a future longer format).
inline constexpr std::size_t kMinKeyRandomChars = 32;
inline constexpr std::size_t kMaxKeyRandomChars = 128;

using Salt = std::array<std::uint8_t, 16>;
using KeyHash = std::array<std::uint8_t, 32>;

// A fresh key ("lmf_…"). Fails only when the CSPRNG does (Internal).
Result<std::string> generateKey();
Result<Salt> generateSalt();

// SHA-256(salt ‖ key).
KeyHash hashKey(const Salt &salt, std::string_view key);
// Constant-time equality (CRYPTO_memcmp): the time taken does not depend on where they differ.
bool hashesEqual(const KeyHash &a, const KeyHash &b);

// Parsed form of a well-formed key: the whole token and its id (views into the input).
struct KeyToken {
  std::string_view key;    // "lmf_…" as sent
  std::string_view keyId;  // the 8 characters after "lmf_"
};

// Checks the shape of a key (prefix, base62, length); the message never echoes the secret.
Result<KeyToken> parseKey(std::string_view token);
// "Bearer lmf_…" (scheme case-insensitive, surrounding spaces/tabs ignored) → the key.
// Empty header → Unauthenticated "missing API key: …"; other schemes or shapes → Unauthenticated.
Result<KeyToken> parseAuthorizationHeader(std::string_view header);

// The key id packed into 8 bytes, for allocation-free lookups on the hot path.
std::uint64_t packKeyId(std::string_view keyId);

}  // namespace lmfront::gateway::auth
