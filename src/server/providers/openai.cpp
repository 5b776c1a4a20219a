// OpenAI Chat Completions, streamed: POST {base}/chat/completions with stream:true; the
// answer is "data: {chunk}" events and a final "data: [DONE]". The same dialect serves
// every OpenAI-compatible server (Ollama, llama.cpp server, vLLM) through OPENAI_BASE_URL.
#include "protocol/json.h"
#include "server/providers/vendor.h"

namespace imchat::server {
namespace {

using protocol::Json;

const char* role_name(MessageRole role) {
  switch (role) {
    case MessageRole::kAssistant:
      return "assistant";
    case MessageRole::kSystem:
      return "system";
    default:
      return "user";
  }
}

class OpenAiDialect final : public VendorDialect {
 public:
  std::string name() const override { return "openai"; }

  VendorRequest build(const CompletionRequest& request, const std::string& api_key) const override {
    Json messages = Json::array();
    if (request.system_prompt && !request.system_prompt->empty())
      messages.push_back({{"role", "system"}, {"content", *request.system_prompt}});
    for (const auto& turn : request.messages)
      messages.push_back({{"role", role_name(turn.role)}, {"content", turn.content}});
    Json body = {{"model", request.model},
                 {"messages", std::move(messages)},
                 {"stream", true},
                 {"stream_options", {{"include_usage", true}}}};
    if (request.temperature) body["temperature"] = *request.temperature;
    VendorRequest out;
    out.target = "/chat/completions";
    // Local servers need no key; sending an empty bearer would only confuse them.
    if (!api_key.empty()) out.headers.emplace_back("Authorization", "Bearer " + api_key);
    out.body = protocol::dump_json(body);
    return out;
  }

  void on_event(const std::string&, const Json& chunk, VendorProgress& progress) const override {
    if (auto error = vendor_error_message(chunk); !error.empty()) {
      progress.error = error;
      return;
    }
    if (chunk.contains("choices") && chunk["choices"].is_array()) {
      for (const Json& choice : chunk["choices"]) {
        if (const Json* delta = json_object(choice, "delta")) {
          if (const auto* text = json_string(*delta, "content")) progress.emit(*text);
        }
        if (const auto* reason = json_string(choice, "finish_reason"))
          progress.finish_reason = *reason;
      }
    }
    progress.take_usage(json_object(chunk, "usage"), "prompt_tokens", "completion_tokens");
  }
};

}  // namespace

std::unique_ptr<VendorDialect> make_openai_dialect() {
  return std::make_unique<OpenAiDialect>();
}

}  // namespace imchat::server
