// ProviderSet (provider_set.h): which provider serves a model, from settings and the catalogue.
#include "server/providers/provider_set.h"

#include "server/providers/builtin.h"
#include "server/providers/http_stream.h"
#include "server/providers/model_catalog.h"
#include "server/providers/vendor.h"

namespace imchat::server {
namespace {

const char* key_variable(const std::string& provider) {
  if (provider == "openai") return "OPENAI_API_KEY (or OPENAI_BASE_URL)";
  if (provider == "anthropic") return "ANTHROPIC_API_KEY";
  if (provider == "gemini") return "GEMINI_API_KEY";
  return "its API key";
}

}  // namespace

Result<std::unique_ptr<ProviderSet>> ProviderSet::create(boost::asio::any_io_executor executor,
                                                         const ProviderSettings& settings,
                                                         const ModelCatalog& catalog) {
  std::unique_ptr<ProviderSet> set(new ProviderSet(catalog));
  set->providers_["builtin"] =
      make_builtin_provider(executor, BuiltinOptions{settings.builtin_token_interval});

  auto tls = make_client_tls_context(settings.ca_file);
  if (!tls) return tls.error();

  auto add = [&](const std::string& name, const std::string& key, const std::string& base_url,
                 const char* default_url, std::unique_ptr<VendorDialect> dialect) -> Status {
    auto url = protocol::parse_url(base_url.empty() ? default_url : base_url);
    if (!url) return make_error(ErrorCode::kValidation, name + " base URL: " + url.error().message);
    VendorOptions options;
    options.base_url = *url;
    options.api_key = key;
    options.connect_timeout = settings.connect_timeout;
    options.idle_timeout = settings.idle_timeout;
    options.max_retries = settings.max_retries;
    options.retry_base = settings.retry_base;
    set->providers_[name] = make_vendor_provider(executor, *tls, std::move(dialect), options);
    return Ok{};
  };
  if (!settings.openai_api_key.empty() || !settings.openai_base_url.empty()) {
    if (auto s = add("openai", settings.openai_api_key, settings.openai_base_url,
                     "https://api.openai.com/v1", make_openai_dialect());
        !s)
      return s.error();
    set->openai_is_custom_ = !settings.openai_base_url.empty();
  }
  if (!settings.anthropic_api_key.empty()) {
    if (auto s = add("anthropic", settings.anthropic_api_key, settings.anthropic_base_url,
                     "https://api.anthropic.com", make_anthropic_dialect());
        !s)
      return s.error();
  }
  if (!settings.gemini_api_key.empty()) {
    if (auto s = add("gemini", settings.gemini_api_key, settings.gemini_base_url,
                     "https://generativelanguage.googleapis.com", make_gemini_dialect());
        !s)
      return s.error();
  }
  return set;
}

Result<Provider*> ProviderSet::for_model(const std::string& model) const {
  if (auto info = catalog_.lookup(model)) {
    auto it = providers_.find(info->provider);
    if (it != providers_.end()) return it->second.get();
    // A local OpenAI-compatible server may well serve "llama…" although the catalogue
    // files such ids under openai; any other vendor's model needs that vendor's key.
    return make_error(ErrorCode::kValidation, "the model " + model + " is served by " +
                                                  info->provider + ", which needs " +
                                                  key_variable(info->provider) + " on the server");
  }
  if (openai_is_custom_) return providers_.at("openai").get();
  return make_error(ErrorCode::kValidation,
                    "unknown model " + model + " (GET /api/models lists the known ones)");
}

std::vector<std::string> ProviderSet::available() const {
  std::vector<std::string> names;
  for (const auto& [name, provider] : providers_)
    names.push_back(name);
  return names;
}

std::string ProviderSet::default_model() const {
  if (providers_.count("openai")) return openai_is_custom_ ? "llama3.2" : "gpt-4o-mini";
  if (providers_.count("anthropic")) return "claude-3-5-haiku-latest";
  if (providers_.count("gemini")) return "gemini-2.0-flash";
  return "builtin";
}

}  // namespace imchat::server
