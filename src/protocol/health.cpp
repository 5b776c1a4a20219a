#include "protocol/health.h"

namespace imchat::protocol {

Json to_json(const Health& health) {
  return {{"status", health.status},
          {"version", health.version},
          {"timestamp", format_iso8601(health.timestamp)}};
}

Result<Health> health_from_json(const Json& value) {
  ObjectReader r(value, "Health");
  Health health;
  health.status = r.required_string("status");
  health.version = r.required_string("version");
  health.timestamp = r.required_time("timestamp");
  if (!r.ok()) return r.take_error();
  return health;
}

}  // namespace imchat::protocol
