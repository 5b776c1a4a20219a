// LocalStore: a small key-value store that survives a reload — localStorage on the web,
// a directory of files natively (or memory, for tests and when no directory is given).
// Used for what must not be lost with the page: the outbox of unsent messages, drafts,
// preferences. Values are small strings (JSON); writes are synchronous and cheap.
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace imchat::platform {

class LocalStore {
 public:
  virtual ~LocalStore() = default;
  virtual std::optional<std::string> get(const std::string& key) const = 0;
  virtual void set(const std::string& key, const std::string& value) = 0;
  virtual void remove(const std::string& key) = 0;
};

// In memory only: forgotten when the process ends.
std::unique_ptr<LocalStore> make_memory_store();
// The platform's persistent store. Natively: files under directory ("" = memory only).
std::unique_ptr<LocalStore> make_local_store(const std::string& directory = "");

}  // namespace imchat::platform
