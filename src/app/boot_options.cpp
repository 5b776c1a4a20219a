#include "app/boot_options.h"

#include <algorithm>
#include <cctype>

#include "protocol/json.h"
#include "protocol/url.h"

namespace imchat::app {

using protocol::Json;

std::string origin_of(std::string_view url) {
  auto parsed = protocol::parse_url(url);
  if (!parsed || (parsed->scheme != "http" && parsed->scheme != "https") || parsed->host.empty())
    return {};
  std::string host = parsed->host;
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (host.find_first_of("/?#@\\ []") != std::string::npos) return {};
  if (host.find(':') != std::string::npos) host = "[" + host + "]";  // an IPv6 literal
  const std::string port = std::to_string(std::stoi(parsed->port));  // "08080" is 8080
  const bool default_port =
      (parsed->scheme == "http" && port == "80") || (parsed->scheme == "https" && port == "443");
  return parsed->scheme + "://" + host + (default_port ? "" : ":" + port);
}

namespace {

std::string string_at(const Json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string without_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url;
}

}  // namespace

Result<AppOptions> read_boot_options(std::string_view boot_json) {
  AppOptions options{.server_url = "", .font_dir = "/fonts"};
  auto boot = protocol::parse_json(boot_json);
  if (!boot || !boot->is_object()) return options;  // nothing from the page: the defaults
  const Json config = boot->contains("config") ? (*boot)["config"] : Json::object();
  const std::string page_origin = origin_of(string_at(*boot, "origin"));

  // The configured server: config.json's, or the page's own origin.
  const std::string configured = without_trailing_slashes(string_at(config, "server"));
  if (!configured.empty() && origin_of(configured).empty()) {
    return make_error(ErrorCode::kValidation,
                      "config.json \"server\" must be an http(s) address, not \"" +
                          configured.substr(0, 80) + "\"");
  }
  const std::string configured_origin = configured.empty() ? page_origin : origin_of(configured);
  options.server_url = configured;

  const std::string requested = without_trailing_slashes(
      string_at(boot->contains("query") ? (*boot)["query"] : Json(), "server"));
  if (!requested.empty()) {
    const std::string origin = origin_of(requested);
    if (origin.empty()) {
      return make_error(ErrorCode::kValidation, "?server= must be an http(s) address, not \"" +
                                                    requested.substr(0, 80) + "\"");
    }
    bool allowed = origin == configured_origin || (!page_origin.empty() && origin == page_origin);
    if (const auto servers = config.is_object() ? config.find("servers") : config.end();
        config.is_object() && servers != config.end() && servers->is_array()) {
      for (const Json& listed : *servers)
        allowed = allowed || (listed.is_string() && origin_of(listed.get<std::string>()) == origin);
    }
    if (!allowed) {
      return make_error(ErrorCode::kForbidden,
                        "this link would connect to " + origin +
                            ", a server this site does not use. Open the chat without "
                            "?server=, or list the server in config.json \"servers\".");
    }
    options.server_url = requested;
    // Another server than the configured one: its own session, drafts and outbox.
    if (origin != configured_origin) options.store_scope = origin;
  }

  options.theme = string_at(*boot, "theme");
  options.conversation = string_at(*boot, "conversation");
  options.token_from_host = string_at(*boot, "auth") == "host";
  if (const auto touch = boot->find("touch"); touch != boot->end() && touch->is_boolean())
    options.touch = touch->get<bool>();
  return options;
}

}  // namespace imchat::app
