// SseParser: splits a text/event-stream body (the server-sent events every AI vendor
// streams with) into events, however the bytes were cut into network reads.
// https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "model/result.h"

namespace imchat::server {

struct SseEvent {
  std::string event;  // "" when the stream names none (the default "message")
  std::string data;   // data lines joined with '\n'
};

class SseParser {
 public:
  using OnEvent = std::function<void(const SseEvent&)>;

  explicit SseParser(size_t max_event_bytes = 1024 * 1024) : max_event_bytes_(max_event_bytes) {}

  // Calls on_event for every event completed by these bytes. An event larger than the
  // limit is an error (a broken or hostile stream must not grow memory without bound).
  Status feed(std::string_view bytes, const OnEvent& on_event);
  // The stream ended: an event still missing its blank line is delivered all the same.
  void finish(const OnEvent& on_event);

 private:
  void line(std::string_view text, const OnEvent& on_event);
  void dispatch(const OnEvent& on_event);

  size_t max_event_bytes_;
  std::string partial_line_;
  SseEvent current_;
  bool has_data_ = false;
  bool skip_lf_ = false;  // the previous chunk ended with '\r'
};

}  // namespace imchat::server
