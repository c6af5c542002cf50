// CSV as RFC 4180 writes it, shared by every CSV export (alert history, audit log): a cell with a
// comma, a quote, CR or LF is quoted with its quotes doubled; every other cell is written as it
// is; lines end with CRLF. Plain C++, thread-compatible.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace lmfront {

// Appends `cells` as one line, CRLF included.
void appendCsvRow(std::string &out, std::span<const std::string> cells);

}  // namespace lmfront
