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
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX *)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return Status::internal("sha256 init failed");
  std::vector<unsigned char> buf(1 << 20);
  for (;;) {
    std::size_t n = std::fread(buf.data(), 1, buf.size(), f.get());
    if (n > 0) EVP_DigestUpdate(ctx.get(), buf.data(), n);
    if (n < buf.size()) {
      if (std::ferror(f.get())) return Status::fromErrno(errno, "cannot read " + path);
      break;
    }
  }
  Sha256Digest out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), out.data(), &len);
  return out;
}

}  // namespace lmfront::engine
