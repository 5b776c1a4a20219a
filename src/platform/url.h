// Splits "http://host:port/path?query" for the native transports.
#pragma once

#include <string>
#include <string_view>

#include "model/result.h"

namespace imchat::platform {

struct Url {
  std::string scheme;  // "http" or "ws"
  std::string host;
  std::string port;    // always set: the scheme's default when the URL has none
  std::string target;  // path and query, "/" at least
};

Result<Url> parse_url(std::string_view text);

}  // namespace imchat::platform
