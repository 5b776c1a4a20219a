// Gemini generateContent, streamed: POST {base}/v1beta/models/{model}:streamGenerateContent
// ?alt=sse. Each event is a whole GenerateContentResponse (candidates with text parts,
// finishReason on the last, usageMetadata); the stream simply ends, with no closing event.
#include "protocol/json.h"
#include "server/providers/vendor.h"

namespace imchat::server {
namespace {

using protocol::Json;

std::string normalise_finish(const std::string& reason) {
  if (reason == "STOP") return "stop";
  if (reason == "MAX_TOKENS") return "length";
  if (reason == "SAFETY" || reason == "RECITATION" || reason == "BLOCKLIST" ||
      reason == "PROHIBITED_CONTENT")
    return "content_filter";
  std::string lower = reason;
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// Model ids go into the URL path: keep them to the characters model ids use.
std::string path_safe(const std::string& model) {
  std::string out;
  for (char c : model) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_') out += c;
  }
  return out;
}

class GeminiDialect final : public VendorDialect {
 public:
  std::string name() const override { return "gemini"; }

  VendorRequest build(const CompletionRequest& request, const std::string& api_key) const override {
    Json contents = Json::array();
    for (const auto& turn : request.messages) {
      const char* role = turn.role == MessageRole::kAssistant ? "model" : "user";
      contents.push_back({{"role", role}, {"parts", Json::array({{{"text", turn.content}}})}});
    }
    Json body = {{"contents", std::move(contents)}};
    if (request.system_prompt && !request.system_prompt->empty())
      body["systemInstruction"] = {{"parts", Json::array({{{"text", *request.system_prompt}}})}};
    if (request.temperature) body["generationConfig"] = {{"temperature", *request.temperature}};
    VendorRequest out;
    out.target = "/v1beta/models/" + path_safe(request.model) + ":streamGenerateContent?alt=sse";
    out.headers = {{"x-goog-api-key", api_key}};
    out.body = protocol::dump_json(body);
    return out;
  }

  void on_event(const std::string&, const Json& chunk, VendorProgress& progress) const override {
    if (auto error = vendor_error_message(chunk); !error.empty()) {
      progress.error = error;
      return;
    }
    if (chunk.contains("candidates") && chunk["candidates"].is_array() &&
        !chunk["candidates"].empty()) {
      const Json& candidate = chunk["candidates"].front();
      const Json* content = json_object(candidate, "content");
      if (content && content->contains("parts") && (*content)["parts"].is_array()) {
        for (const Json& part : (*content)["parts"]) {
          if (const auto* text = json_string(part, "text")) progress.emit(*text);
        }
      }
      if (const auto* reason = json_string(candidate, "finishReason"))
        progress.finish_reason = normalise_finish(*reason);
    }
    progress.take_usage(json_object(chunk, "usageMetadata"), "promptTokenCount",
                        "candidatesTokenCount");
  }
};

}  // namespace

std::unique_ptr<VendorDialect> make_gemini_dialect() {
  return std::make_unique<GeminiDialect>();
}

}  // namespace imchat::server
