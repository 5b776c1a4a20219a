// protocol::parse_json and the model readers: every JSON document that comes from outside
// (REST bodies, /ws frames, the server's answers to the SDK, vendors' events) goes through
// them. Whatever the bytes, a value or an error — never a crash, a hang or a throw — and
// what is read writes back out as valid JSON.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocol/json.h"
#include "protocol/model_json.h"

using namespace imchat;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto json = protocol::parse_json(text);
  if (!json) return 0;
  // Each reader on the document, and on each member of an object or an array.
  auto read_all = [](const protocol::Json& value) {
    if (auto m = protocol::message_from_json(value))
      (void)protocol::dump_json(protocol::to_json(*m));
    if (auto c = protocol::conversation_from_json(value))
      (void)protocol::dump_json(protocol::to_json(*c));
    if (auto u = protocol::user_from_json(value)) (void)protocol::dump_json(protocol::to_json(*u));
    if (auto meta = protocol::metadata_from_json(value))
      (void)protocol::dump_json(protocol::to_json(*meta));
    (void)protocol::usage_from_json(value);
    (void)protocol::model_info_from_json(value);
    (void)protocol::json_text(value, "type");
  };
  read_all(*json);
  if (json->is_object() || json->is_array()) {
    for (const auto& item : *json)
      read_all(item);
  }
  (void)protocol::dump_json(*json);
  return 0;
}
