#include "sha256.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cstdio>
#include <memory>
#include <vector>

namespace lmfront::engine {

Sha256Digest sha256(const void *data, std::size_t size) {
  Sha256Digest out{};
  unsigned int len = 0;
  // EVP_Digest cannot fail for sha256 on valid memory; an all-zero digest would then show up as a
  // mismatch at load, never as a false match.
  EVP_Digest(data, size, out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

Sha256Stream::Sha256Stream() : m_ctx(EVP_MD_CTX_new()) {
  // Init cannot fail for sha256 with a context; a failed allocation leaves m_ctx null and the
  // digest all zero, which shows up as a mismatch, never as a false match.
  if (m_ctx) EVP_DigestInit_ex(static_cast<EVP_MD_CTX *>(m_ctx), EVP_sha256(), nullptr);
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX *>(m_ctx)); }

void Sha256Stream::update(const void *data, std::size_t size) {
  if (m_ctx) EVP_DigestUpdate(static_cast<EVP_MD_CTX *>(m_ctx), data, size);
}

Sha256Digest Sha256Stream::finish() {
  Sha256Digest out{};
  unsigned int len = 0;
  if (m_ctx) EVP_DigestFinal_ex(static_cast<EVP_MD_CTX *>(m_ctx), out.data(), &len);
  return out;
}

std::optional<Sha256Digest> fromHex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Sha256Digest d{};
  for (std::size_t i = 0; i < d.size(); ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    d[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return d;
}

std::string toHex(const Sha256Digest &digest) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(64);
  for (std::uint8_t b : digest) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

Result<Sha256Digest> sha256File(const std::string &path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE *)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return Status::fromErrno(errno, "cannot open " + path);
  Sha256Stream hash;
  std::vector<unsigned char> buf(1 << 20);
  for (;;) {
    std::size_t n = std::fread(buf.data(), 1, buf.size(), f.get());
    if (n > 0) hash.update(buf.data(), n);
    if (n < buf.size()) {
      if (std::ferror(f.get())) return Status::fromErrno(errno, "cannot read " + path);
      break;
    }
  }
  return hash.finish();
}

}  // namespace lmfront::engine
