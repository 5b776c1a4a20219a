// The model catalogue (assets/models.json): which provider serves a model id, its context
// window and its price, matched by the longest id prefix ("gpt-4o-mini-2024-07-18" →
// "gpt-4o-mini"). Used for GET /api/models and to estimate the cost of every reply.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/result.h"
#include "model/types.h"

namespace imchat::server {

class ModelCatalog {
 public:
  static Result<ModelCatalog> load(const std::string& path);
  static Result<ModelCatalog> parse(std::string_view json_text);

  std::optional<ModelInfo> lookup(const std::string& model_id) const;
  double estimate_cost(const std::string& model_id, const Usage& usage) const;
  const std::vector<ModelInfo>& models() const { return models_; }

 private:
  std::vector<ModelInfo> models_;
};

}  // namespace imchat::server
