// A vendor's event stream as the server reads it: SseParser over the bytes cut into reads
// at places the input chooses, each event's data parsed as JSON, and every vendor
// dialect's event reader (OpenAI, Anthropic, Gemini) on top. The first byte picks the
// read size; a broken stream is an error, never a crash or unbounded memory.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/json.h"
#include "server/providers/sse_parser.h"
#include "server/providers/vendor.h"

using namespace imchat;
using namespace imchat::server;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const auto dialects = [] {
    std::vector<std::unique_ptr<VendorDialect>> all;
    all.push_back(make_openai_dialect());
    all.push_back(make_anthropic_dialect());
    all.push_back(make_gemini_dialect());
    return all;
  }();
  const size_t chunk = 1 + data[0] % 64;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string text;
  VendorProgress progress[3];
  for (auto& p : progress)
    p.emit = [&text](std::string_view piece) { text.append(piece.substr(0, 16)); };
  auto on_event = [&](const SseEvent& event) {
    auto json = protocol::parse_json(event.data);
    if (!json || !json->is_object()) {
      (void)vendor_error_message(json ? *json : protocol::Json());
      return;
    }
    (void)vendor_error_message(*json);
    for (size_t i = 0; i < dialects.size(); ++i)
      dialects[i]->on_event(event.event, *json, progress[i]);
  };
  SseParser parser(64 * 1024);
  while (!rest.empty()) {
    const size_t n = std::min(chunk, rest.size());
    if (!parser.feed(rest.substr(0, n), on_event)) return 0;  // an error ends the stream
    rest.remove_prefix(n);
  }
  parser.finish(on_event);
  return 0;
}
