// Serves the web client's files from --web-root: safe path mapping (no escape from the
// root, by name or by a symbolic link that points out of it), MIME types
// (application/wasm for streaming compilation), ETag + Last-Modified with 304
// revalidation, and precompressed .gz siblings when the client accepts gzip.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "server/api/http_types.h"

namespace imchat::server {

std::string_view mime_type(std::string_view path);

// The file a request target names, relative to the root ("" for a bad target).
// "/" and "/index.html" map to "index.html"; query strings are ignored; %XX is decoded;
// "..", backslashes, NUL and hidden files are refused.
std::string safe_relative_path(std::string_view target);

class StaticFiles {
 public:
  explicit StaticFiles(std::string root);

  bool enabled() const { return !root_.empty(); }

  // nullopt when there is no such file (the caller answers 404).
  std::optional<Response> serve(const Request& request) const;

 private:
  // Whether the file, once every link in its path is followed, is still under the root.
  bool inside_root(const std::string& path) const;

  std::string root_;
  std::string real_root_;  // the root with its own links resolved
};

}  // namespace imchat::server
