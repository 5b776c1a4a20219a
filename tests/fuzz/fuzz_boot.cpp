// What the web page hands the app at start (window.imchatBoot: config.json, the address's
// ?server=, the page's origin) and the URL parser under it. Whatever the page holds, the
// app starts with options or stops with a reason — and never with a server the rule did
// not allow: the configured one, the page's own origin, or one config.json lists.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "app/boot_options.h"
#include "protocol/json.h"
#include "protocol/url.h"

using namespace imchat;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)protocol::parse_url(text);
  (void)app::origin_of(text);
  auto options = app::read_boot_options(text);
  if (!options || options->server_url.empty()) return 0;
  // The server chosen must be one the configuration allows.
  auto boot = protocol::parse_json(text);
  if (!boot || !boot->is_object()) std::abort();
  const std::string chosen = app::origin_of(options->server_url);
  if (chosen.empty()) std::abort();
  auto text_at = [](const protocol::Json& o, const char* key) {
    return o.is_object() && o.contains(key) && o[key].is_string() ? o[key].get<std::string>()
                                                                  : std::string();
  };
  const protocol::Json config = boot->contains("config") ? (*boot)["config"] : protocol::Json();
  bool allowed = chosen == app::origin_of(text_at(config, "server")) ||
                 chosen == app::origin_of(text_at(*boot, "origin"));
  if (config.is_object() && config.contains("servers") && config["servers"].is_array()) {
    for (const auto& s : config["servers"])
      allowed = allowed || (s.is_string() && app::origin_of(s.get<std::string>()) == chosen);
  }
  if (!allowed) std::abort();
  return 0;
}
