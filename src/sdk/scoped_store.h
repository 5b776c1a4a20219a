// ScopedStore: one server's share of the browser's store. Everything that belongs to an
// account — its session token, its outbox, its drafts — is kept under keys of the server
// it came from ("imchat.token@https://b.example"), so a page pointed at another server
// starts a fresh session there and never sends it what belongs to the first. An empty
// scope (the page's own, configured server) keeps the plain keys.
#pragma once

#include <optional>
#include <string>

#include "platform/local_store.h"

namespace imchat::sdk {

class ScopedStore final : public platform::LocalStore {
 public:
  ScopedStore(platform::LocalStore& store, std::string scope)
      : store_(store), suffix_(scope.empty() ? std::string() : "@" + scope) {}

  std::optional<std::string> get(const std::string& key) const override {
    return store_.get(key + suffix_);
  }
  void set(const std::string& key, const std::string& value) override {
    store_.set(key + suffix_, value);
  }
  void remove(const std::string& key) override { store_.remove(key + suffix_); }

 private:
  platform::LocalStore& store_;
  std::string suffix_;
};

}  // namespace imchat::sdk
