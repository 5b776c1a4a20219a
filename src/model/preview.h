// A message's first line for a preview — a sidebar row, a chat's title: Markdown marks and
// newlines become spaces, at most max_bytes, never cut inside a UTF-8 sequence.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace imchat {

std::string preview_line(std::string_view content, size_t max_bytes = 160);

}  // namespace imchat
