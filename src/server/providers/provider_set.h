// ProviderSet: every provider this server can use, and which one serves a model. The model
// catalogue names each model's vendor; a vendor is available when its key is set (OpenAI
// also when OPENAI_BASE_URL points at a compatible local server, which needs no key).
// builtin is always there.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "model/result.h"
#include "server/providers/provider.h"

namespace imchat::server {

class ModelCatalog;

struct ProviderSettings {
  std::string openai_api_key;
  std::string openai_base_url;  // empty: https://api.openai.com/v1
  std::string anthropic_api_key;
  std::string anthropic_base_url;  // empty: https://api.anthropic.com
  std::string gemini_api_key;
  std::string gemini_base_url;  // empty: https://generativelanguage.googleapis.com
  std::string ca_file;          // extra trusted CA certificates (PEM) for vendor TLS
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds idle_timeout{60'000};
  int max_retries = 3;
  std::chrono::milliseconds retry_base{500};
  std::chrono::milliseconds builtin_token_interval{20};
};

class ProviderSet {
 public:
  static Result<std::unique_ptr<ProviderSet>> create(boost::asio::any_io_executor executor,
                                                     const ProviderSettings& settings,
                                                     const ModelCatalog& catalog);

  // The provider that serves the model, or a reason a user can act on.
  Result<Provider*> for_model(const std::string& model) const;
  std::vector<std::string> available() const;
  // What a conversation without a model uses: the first vendor with a key, else builtin.
  std::string default_model() const;

 private:
  ProviderSet(const ModelCatalog& catalog) : catalog_(catalog) {}

  const ModelCatalog& catalog_;
  std::map<std::string, std::unique_ptr<Provider>> providers_;
  bool openai_is_custom_ = false;  // OPENAI_BASE_URL set: unknown model ids go there
};

}  // namespace imchat::server
