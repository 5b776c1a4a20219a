// SseParser (sse_parser.h): server-sent events from bytes in any chunking.
#include "server/providers/sse_parser.h"

namespace imchat::server {

Status SseParser::feed(std::string_view bytes, const OnEvent& on_event) {
  size_t start = 0;
  if (skip_lf_ && !bytes.empty() && bytes.front() == '\n') start = 1;
  skip_lf_ = false;
  for (size_t i = start; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c != '\n' && c != '\r') continue;
    if (partial_line_.empty()) {
      line(bytes.substr(start, i - start), on_event);
    } else {
      partial_line_.append(bytes.substr(start, i - start));
      line(partial_line_, on_event);
      partial_line_.clear();
    }
    if (c == '\r') {  // CRLF counts once; a CR at the very end may have its LF in the next read
      if (i + 1 < bytes.size()) {
        if (bytes[i + 1] == '\n') ++i;
      } else {
        skip_lf_ = true;
      }
    }
    start = i + 1;
  }
  partial_line_.append(bytes.substr(start));
  if (partial_line_.size() + current_.data.size() > max_event_bytes_) {
    partial_line_.clear();
    current_ = {};
    has_data_ = false;
    return make_error(ErrorCode::kTooLarge, "an event in the stream is over " +
                                                std::to_string(max_event_bytes_) + " bytes");
  }
  return Ok{};
}

void SseParser::finish(const OnEvent& on_event) {
  if (!partial_line_.empty()) {
    line(partial_line_, on_event);
    partial_line_.clear();
  }
  dispatch(on_event);
}

void SseParser::line(std::string_view text, const OnEvent& on_event) {
  if (text.empty()) return dispatch(on_event);
  if (text.front() == ':') return;  // a comment (keep-alive)
  const size_t colon = text.find(':');
  std::string_view field = text.substr(0, colon);
  std::string_view value =
      colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "data") {
    if (has_data_) current_.data += '\n';
    current_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    current_.event = std::string(value);
  }
  // "id" and "retry" matter to browsers reconnecting, not to a single request.
}

void SseParser::dispatch(const OnEvent& on_event) {
  if (has_data_) on_event(current_);
  current_ = {};
  has_data_ = false;
}

}  // namespace imchat::server
