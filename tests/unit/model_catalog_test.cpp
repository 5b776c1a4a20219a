#include <gtest/gtest.h>

#include "server/providers/model_catalog.h"

namespace imchat::server {
namespace {

const char* kCatalog = R"({"models":[
  {"id":"gpt-4o","provider":"openai","contextWindow":128000,"inputPrice":2.5,"outputPrice":10},
  {"id":"gpt-4o-mini","provider":"openai","contextWindow":128000,"inputPrice":0.15,"outputPrice":0.6},
  {"id":"builtin","provider":"builtin","contextWindow":8192,"inputPrice":0,"outputPrice":0}]})";

TEST(ModelCatalog, MatchesTheLongestPrefix) {
  auto catalog = ModelCatalog::parse(kCatalog);
  ASSERT_TRUE(catalog) << catalog.error().describe();
  EXPECT_EQ(catalog->lookup("gpt-4o-mini-2024-07-18")->id, "gpt-4o-mini");
  EXPECT_EQ(catalog->lookup("gpt-4o-2024-08-06")->id, "gpt-4o");
  EXPECT_EQ(catalog->lookup("builtin")->provider, "builtin");
  EXPECT_FALSE(catalog->lookup("claude-3-opus"));
}

TEST(ModelCatalog, EstimatesCostPerMillionTokens) {
  auto catalog = ModelCatalog::parse(kCatalog);
  ASSERT_TRUE(catalog);
  const Usage usage{1'000'000, 500'000, 1'500'000, 0};
  EXPECT_DOUBLE_EQ(catalog->estimate_cost("gpt-4o-mini", usage), 0.15 + 0.3);
  EXPECT_DOUBLE_EQ(catalog->estimate_cost("unknown-model", usage), 0);
  EXPECT_DOUBLE_EQ(catalog->estimate_cost("builtin", usage), 0);
}

TEST(ModelCatalog, RejectsMalformedCatalogues) {
  for (
      const char* bad :
      {"", "[]", R"({"models":{}})", R"({"models":[{"id":"x"}]})",
       R"({"models":[{"id":"x","provider":"p","contextWindow":1,"inputPrice":-1,"outputPrice":0}]})"}) {
    EXPECT_FALSE(ModelCatalog::parse(bad)) << bad;
  }
}

TEST(ModelCatalog, TheShippedCatalogueLoads) {
  auto catalog = ModelCatalog::load(IMCHAT_DEFAULT_MODELS_FILE);
  ASSERT_TRUE(catalog) << catalog.error().describe();
  EXPECT_TRUE(catalog->lookup("builtin"));
  EXPECT_TRUE(catalog->lookup("gpt-4o-mini"));
  EXPECT_TRUE(catalog->lookup("claude-3-5-sonnet-20241022"));
  EXPECT_TRUE(catalog->lookup("gemini-2.0-flash"));
}

}  // namespace
}  // namespace imchat::server
