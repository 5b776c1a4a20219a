// The query part of a request target, decoded: "where%5Btitle%5D%5Bcontains%5D=a+b" becomes
// {"where[title][contains]", "a b"}. Malformed escapes make the whole query invalid.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imchat::server {

class QueryString {
 public:
  // nullopt when a %-escape is malformed or decodes to NUL.
  static std::optional<QueryString> parse(std::string_view target);

  // The last value given for the key (later ones win, like most frameworks).
  std::optional<std::string> get(std::string_view key) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// Percent-decoding with '+' as space; nullopt on a malformed escape or a NUL byte.
std::optional<std::string> url_decode(std::string_view text);

}  // namespace imchat::server
