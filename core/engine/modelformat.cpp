#include "modelformat.h"

#include <vector>

namespace lmfront::engine::format {
namespace {
constexpr std::uint64_t kP1 = 0x9E3779B185EBCA87ULL;
constexpr std::uint64_t kP2 = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t kP3 = 0x165667B19E3779F9ULL;

inline std::uint64_t rotl(std::uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
// acc -> rotl(acc + w * P2, 31) * P1: a bijection of w for a fixed acc (P1, P2 odd).
inline std::uint64_t round(std::uint64_t acc, std::uint64_t w) { return rotl(acc + w * kP2, 31) * kP1; }
inline std::uint64_t load(const unsigned char *p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
}  // namespace

std::uint64_t fastChecksum(const void *data, std::size_t size) {
  const auto *p = static_cast<const unsigned char *>(data);
  std::uint64_t a = kP1 + kP2, b = kP2, c = 0, d = ~kP1;
  std::size_t i = 0;
  for (; i + 32 <= size; i += 32) {
    a = round(a, load(p + i));
    b = round(b, load(p + i + 8));
    c = round(c, load(p + i + 16));
    d = round(d, load(p + i + 24));
  }
  std::uint64_t h = rotl(a, 1) + rotl(b, 7) + rotl(c, 12) + rotl(d, 18) + size * kP3;
  for (; i + 8 <= size; i += 8) h = round(h, load(p + i));
  if (i < size) {
    unsigned char tail[8] = {};
    std::memcpy(tail, p + i, size - i);
    h = round(h, load(tail) ^ 0xA5);
  }
  h ^= h >> 29;
  h *= kP3;
  return h ^ (h >> 32);
}

std::uint64_t headerChecksum(const void *image, std::size_t headerSize) {
  if (headerSize < kHeaderV4Size) return 0;
  std::vector<unsigned char> copy(static_cast<const unsigned char *>(image),
                                  static_cast<const unsigned char *>(image) + headerSize);
  const std::uint64_t zero = 0;
  std::memcpy(&copy.at(offsetof(Header, headerChecksum)), &zero, sizeof zero);
  return fastChecksum(copy.data(), copy.size());
}

}  // namespace lmfront::engine::format
