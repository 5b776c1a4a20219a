// Native LocalStore: one file per key under a directory, written to a temporary file and
// renamed, so a crash mid-write leaves the old value rather than half of the new one.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "platform/local_store.h"

namespace imchat::platform {
namespace {

namespace fs = std::filesystem;

class FileStore final : public LocalStore {
 public:
  explicit FileStore(fs::path directory) : directory_(std::move(directory)) {
    std::error_code ignored;
    fs::create_directories(directory_, ignored);
  }

  std::optional<std::string> get(const std::string& key) const override {
    std::ifstream in(path(key), std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  void set(const std::string& key, const std::string& value) override {
    const fs::path target = path(key);
    const fs::path temporary = target.string() + ".tmp";
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out << value;
      if (!out) return;  // a full disk keeps the previous value
    }
    std::error_code ignored;
    fs::rename(temporary, target, ignored);
  }

  void remove(const std::string& key) override {
    std::error_code ignored;
    fs::remove(path(key), ignored);
  }

 private:
  // Keys are ours ("imchat.outbox"), but keep them to one safe file name anyway.
  fs::path path(const std::string& key) const {
    std::string name;
    for (char c : key)
      name += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') ? c : '_';
    return directory_ / name;
  }

  fs::path directory_;
};

}  // namespace

std::unique_ptr<LocalStore> make_local_store(const std::string& directory) {
  if (directory.empty()) return make_memory_store();
  return std::make_unique<FileStore>(directory);
}

}  // namespace imchat::platform
