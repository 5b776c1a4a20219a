// Timestamps: milliseconds since the Unix epoch, UTC, written as ISO-8601
// ("2026-11-23T21:06:56.123Z") on the wire.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "model/result.h"

namespace imchat {

struct Timestamp {
  int64_t ms = 0;  // since 1970-01-01T00:00:00Z
  auto operator<=>(const Timestamp&) const = default;
};

Timestamp now_utc();

// Always UTC with milliseconds: "YYYY-MM-DDTHH:MM:SS.sssZ".
std::string format_iso8601(Timestamp t);

// Accepts "YYYY-MM-DDTHH:MM:SS", optional fraction (1-9 digits) and a "Z" or "+HH:MM" /
// "-HH:MM" offset. Anything else is a parse error, never a guess.
Result<Timestamp> parse_iso8601(std::string_view text);

}  // namespace imchat
