// Web LocalStore: window.localStorage. Private modes and full quotas throw in JS; those
// calls fail quietly here (the value stays in memory for this page's life via the SDK).
#include <emscripten/em_js.h>
#include <emscripten/emscripten.h>

#include <cstdlib>

#include "platform/local_store.h"

namespace imchat::platform {
namespace {

// JavaScript below: clang-format would split the strict-equality operator in two.
// clang-format off
EM_JS(char*, imchat_storage_get, (const char* key), {
  try {
    const value = window.localStorage.getItem(UTF8ToString(key));
    if (value === null) return 0;
    const size = lengthBytesUTF8(value) + 1;
    const out = _malloc(size);
    stringToUTF8(value, out, size);
    return out;
  } catch (e) {
    return 0;
  }
});

EM_JS(void, imchat_storage_set, (const char* key, const char* value), {
  try {
    window.localStorage.setItem(UTF8ToString(key), UTF8ToString(value));
  } catch (e) {
  }
});

EM_JS(void, imchat_storage_remove, (const char* key), {
  try {
    window.localStorage.removeItem(UTF8ToString(key));
  } catch (e) {
  }
});
// clang-format on

class WebStore final : public LocalStore {
 public:
  std::optional<std::string> get(const std::string& key) const override {
    char* value = imchat_storage_get(key.c_str());
    if (!value) return std::nullopt;
    std::string out(value);
    std::free(value);
    return out;
  }
  void set(const std::string& key, const std::string& value) override {
    imchat_storage_set(key.c_str(), value.c_str());
  }
  void remove(const std::string& key) override { imchat_storage_remove(key.c_str()); }
};

}  // namespace

std::unique_ptr<LocalStore> make_local_store(const std::string&) {
  return std::make_unique<WebStore>();
}

}  // namespace imchat::platform
