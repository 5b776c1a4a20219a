// preview_line (preview.h): a message's first line, as a list or a title shows it.
#include "model/preview.h"

#include <algorithm>

namespace imchat {

std::string preview_line(std::string_view content, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(content.size(), max_bytes));
  bool space = false;
  for (char c : content) {
    if (out.size() >= max_bytes) break;
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (c == '*' || c == '`' || c == '#' || c == '>' || c == '_' || c == '~') continue;
    if (space) out += ' ';
    space = false;
    out += c;
  }
  // Never end inside a UTF-8 sequence: drop an incomplete last one.
  size_t start = out.size();
  while (start > 0 && (static_cast<unsigned char>(out[start - 1]) & 0xC0) == 0x80)
    --start;
  if (start > 0) {
    const unsigned char lead = static_cast<unsigned char>(out[start - 1]);
    const size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (out.size() - (start - 1) < need) out.resize(start - 1);
  }
  return out;
}

}  // namespace imchat
