#include "gateway/auth/apikey.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace lmfront::gateway::auth {

namespace {

constexpr std::string_view kBase62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kMissing = "missing API key: send Authorization: Bearer lmf_…";

bool isBase62(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

bool isSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

// EVP_sha256() does an implicit provider fetch on every use in OpenSSL 3; fetching once and
// reusing one context per thread keeps hashKey() at a few hundred nanoseconds.
struct MdDeleter {
  void operator()(EVP_MD *md) const { EVP_MD_free(md); }
};
struct CtxDeleter {
  void operator()(EVP_MD_CTX *ctx) const { EVP_MD_CTX_free(ctx); }
};

const EVP_MD *sha256() {
  static const std::unique_ptr<EVP_MD, MdDeleter> md(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  return md.get();
}

}  // namespace

Result<std::string> generateKey() {
  std::string key(kKeyPrefix);
  key.reserve(kKeyPrefix.size() + kKeyRandomChars);
  unsigned char buf[64];
  while (key.size() < kKeyPrefix.size() + kKeyRandomChars) {
    if (RAND_bytes(buf, sizeof buf) != 1) return Status::internal("the system random generator failed");
    for (unsigned char b : buf) {
      // 248 = 4 * 62: bytes above it are dropped so every character is equally likely.
      if (b >= 248) continue;
      key += kBase62[b % 62];
      if (key.size() == kKeyPrefix.size() + kKeyRandomChars) break;
    }
  }
  return key;
}

Result<Salt> generateSalt() {
  Salt salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1)
    return Status::internal("the system random generator failed");
  return salt;
}

KeyHash hashKey(const Salt &salt, std::string_view key) {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
  KeyHash out{};
  unsigned int len = 0;
  const EVP_MD *md = sha256();
  // Allocation failures here leave `out` zeroed, which matches no stored hash (a salt-prefixed
  // SHA-256 of zero is not reachable), so a failure can only deny, never admit.
  if (!ctx || !md || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), salt.data(), salt.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), key.data(), key.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size())
    out.fill(0);
  return out;
}

bool hashesEqual(const KeyHash &a, const KeyHash &b) { return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0; }

Result<KeyToken> parseKey(std::string_view token) {
  if (token.substr(0, kKeyPrefix.size()) != kKeyPrefix)
    return Status::unauthenticated("malformed API key: lmfront keys start with lmf_");
  std::string_view random = token.substr(kKeyPrefix.size());
  if (random.size() < kMinKeyRandomChars || random.size() > kMaxKeyRandomChars)
    return Status::unauthenticated("malformed API key: wrong length");
  for (char c : random)
    if (!isBase62(c)) return Status::unauthenticated("malformed API key: unexpected character");
  return KeyToken{token, random.substr(0, kKeyIdChars)};
}

Result<KeyToken> parseAuthorizationHeader(std::string_view header) {
  header = trim(header);
  if (header.empty()) return Status::unauthenticated(std::string(kMissing));
  constexpr std::string_view kScheme = "bearer";
  bool bearer = header.size() > kScheme.size() && isSpace(header[kScheme.size()]);
  for (std::size_t i = 0; bearer && i < kScheme.size(); ++i) bearer = (header[i] | 0x20) == kScheme[i];
  if (!bearer) return Status::unauthenticated("unsupported authorization scheme: send Authorization: Bearer lmf_…");
  return parseKey(trim(header.substr(kScheme.size())));
}

std::uint64_t packKeyId(std::string_view keyId) {
  std::uint64_t packed = 0;
  std::memcpy(&packed, keyId.data(), std::min(keyId.size(), sizeof packed));
  return packed;
}

}  // namespace lmfront::gateway::auth
