// In-memory LocalStore, on every platform (tests, and native runs without a data folder).
#include <map>

#include "platform/local_store.h"

namespace imchat::platform {
namespace {

class MemoryStore final : public LocalStore {
 public:
  std::optional<std::string> get(const std::string& key) const override {
    auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  void set(const std::string& key, const std::string& value) override { values_[key] = value; }
  void remove(const std::string& key) override { values_.erase(key); }

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace

std::unique_ptr<LocalStore> make_memory_store() {
  return std::make_unique<MemoryStore>();
}

}  // namespace imchat::platform
