#include "common/csv.h"

namespace lmfront {

namespace {
void appendCsvCell(std::string &out, std::string_view cell) {
  if (cell.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(cell);
    return;
  }
  out += '"';
  for (const char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}
}  // namespace

void appendCsvRow(std::string &out, std::span<const std::string> cells) {
  bool first = true;
  for (const std::string &cell : cells) {
    if (!first) out += ',';
    first = false;
    appendCsvCell(out, cell);
  }
  out += "\r\n";
}

}  // namespace lmfront
