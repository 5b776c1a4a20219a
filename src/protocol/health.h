// GET /api/health: {"status":"ok","version":"0.1.0","timestamp":"…"}.
#pragma once

#include <string>

#include "protocol/json.h"

namespace imchat::protocol {

struct Health {
  std::string status;  // "ok" when the server can serve requests
  std::string version;
  Timestamp timestamp;

  bool operator==(const Health&) const = default;
};

Json to_json(const Health& health);
Result<Health> health_from_json(const Json& value);

}  // namespace imchat::protocol
