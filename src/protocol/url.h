// Splits "http://host:port/path?query": for the native client transports and the server's
// calls to AI vendors.
#pragma once

#include <string>
#include <string_view>

#include "model/result.h"

namespace imchat::protocol {

struct Url {
  std::string scheme;  // "http", "https", "ws" or "wss"
  std::string host;
  std::string port;    // always set: the scheme's default when the URL has none
  std::string target;  // path and query, "/" at least

  bool tls() const { return scheme == "https" || scheme == "wss"; }
};

Result<Url> parse_url(std::string_view text);

}  // namespace imchat::protocol
