// ModelCatalog (model_catalog.h): assets/models.json — names, vendors, prices.
#include "server/providers/model_catalog.h"

#include <fstream>
#include <sstream>

#include "protocol/json.h"

namespace imchat::server {

Result<ModelCatalog> ModelCatalog::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorCode::kStorage, "cannot read the model catalogue " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto catalog = parse(text.str());
  if (!catalog) return make_error(catalog.error().code, path + ": " + catalog.error().message);
  return catalog;
}

Result<ModelCatalog> ModelCatalog::parse(std::string_view json_text) {
  auto json = protocol::parse_json(json_text);
  if (!json) return json.error();
  protocol::ObjectReader root(*json, "catalogue");
  const protocol::Json* list = root.optional_array("models");
  if (!root.ok()) return root.take_error();
  if (!list) return make_error(ErrorCode::kValidation, "catalogue.models: missing");
  ModelCatalog catalog;
  for (const auto& item : *list) {
    protocol::ObjectReader r(item, "model");
    ModelInfo info;
    info.id = r.required_string("id");
    info.provider = r.required_string("provider");
    info.context_window = r.required_int("contextWindow");
    info.input_price = r.required_number("inputPrice");
    info.output_price = r.required_number("outputPrice");
    if (!r.ok()) return r.take_error();
    if (info.id.empty() || info.input_price < 0 || info.output_price < 0) {
      return make_error(ErrorCode::kValidation, "model " + info.id + ": bad id or price");
    }
    catalog.models_.push_back(std::move(info));
  }
  return catalog;
}

std::optional<ModelInfo> ModelCatalog::lookup(const std::string& model_id) const {
  const ModelInfo* best = nullptr;
  for (const auto& info : models_) {
    if (model_id.rfind(info.id, 0) == 0 && (!best || info.id.size() > best->id.size())) {
      best = &info;
    }
  }
  if (!best) return std::nullopt;
  return *best;
}

double ModelCatalog::estimate_cost(const std::string& model_id, const Usage& usage) const {
  auto info = lookup(model_id);
  if (!info) return 0;
  return (static_cast<double>(usage.prompt_tokens) * info->input_price +
          static_cast<double>(usage.completion_tokens) * info->output_price) /
         1e6;
}

}  // namespace imchat::server
