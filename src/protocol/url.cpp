#include "protocol/url.h"

namespace imchat::protocol {

Result<Url> parse_url(std::string_view text) {
  auto fail = [&](const char* why) {
    return make_error(ErrorCode::kValidation,
                      std::string("bad URL \"") + std::string(text.substr(0, 80)) + "\": " + why);
  };
  const size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return fail("no scheme");
  Url url;
  url.scheme = std::string(text.substr(0, scheme_end));
  std::string default_port;
  if (url.scheme == "http" || url.scheme == "ws") {
    default_port = "80";
  } else if (url.scheme == "https" || url.scheme == "wss") {
    default_port = "443";
  } else {
    return fail("scheme must be http, https, ws or wss");
  }
  std::string_view rest = text.substr(scheme_end + 3);
  const size_t path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view target =
      path_start == std::string_view::npos ? std::string_view("/") : rest.substr(path_start);
  if (authority.empty()) return fail("no host");
  if (authority.find('@') != std::string_view::npos)
    return fail("credentials in URLs are not allowed");
  size_t colon = std::string_view::npos;
  if (authority.front() == '[') {  // [::1]:8080
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("unclosed IPv6 literal");
    url.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return fail("junk after IPv6 literal");
      colon = close + 1;
    }
  } else {
    colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
  }
  if (url.host.empty()) return fail("no host");
  if (colon != std::string_view::npos) {
    url.port = std::string(authority.substr(colon + 1));
    if (url.port.empty() || url.port.size() > 5 ||
        url.port.find_first_not_of("0123456789") != std::string::npos || std::stoi(url.port) == 0 ||
        std::stoi(url.port) > 65535) {
      return fail("bad port");
    }
  } else {
    url.port = default_port;
  }
  if (const size_t hash = target.find('#'); hash != std::string_view::npos) {
    target = target.substr(0, hash);
  }
  url.target =
      target.empty() || target.front() != '/' ? "/" + std::string(target) : std::string(target);
  return url;
}

}  // namespace imchat::protocol
