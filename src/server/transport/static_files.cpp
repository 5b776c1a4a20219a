// StaticFiles (static_files.h): the web build, with types, revalidation and .gz twins.
#include "server/transport/static_files.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace imchat::server {
namespace {

struct FileInfo {
  uint64_t size = 0;
  time_t mtime = 0;
};

std::optional<FileInfo> stat_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return FileInfo{static_cast<uint64_t>(st.st_size), st.st_mtime};
}

std::string http_date(time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool accepts_gzip(std::string_view accept_encoding) {
  // Good enough for real browsers: "gzip, deflate, br". A "gzip;q=0" opt-out is honoured.
  const size_t at = accept_encoding.find("gzip");
  if (at == std::string_view::npos) return false;
  const std::string_view rest = accept_encoding.substr(at + 4);
  return !(rest.rfind(";q=0", 0) == 0 && rest.rfind(";q=0.", 0) != 0);
}

bool etag_matches(std::string_view if_none_match, const std::string& etag) {
  if (if_none_match == "*") return true;
  return if_none_match.find(etag) != std::string_view::npos;
}

}  // namespace

std::string_view mime_type(std::string_view path) {
  const size_t dot = path.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : path.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "js" || ext == "mjs") return "text/javascript; charset=utf-8";
  if (ext == "wasm") return "application/wasm";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "json") return "application/json";
  if (ext == "data") return "application/octet-stream";
  if (ext == "png") return "image/png";
  if (ext == "svg") return "image/svg+xml";
  if (ext == "ico") return "image/x-icon";
  if (ext == "txt") return "text/plain; charset=utf-8";
  if (ext == "woff2") return "font/woff2";
  if (ext == "otf") return "font/otf";
  if (ext == "ttf") return "font/ttf";
  return "application/octet-stream";
}

std::string safe_relative_path(std::string_view target) {
  target = target.substr(0, target.find_first_of("?#"));
  if (target.empty() || target.front() != '/') return {};
  std::string decoded;
  for (size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    if (c == '%') {
      if (i + 2 >= target.size()) return {};
      const int hi = hex_value(target[i + 1]), lo = hex_value(target[i + 2]);
      if (hi < 0 || lo < 0) return {};
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0' || c == '\\') return {};
    decoded += c;
  }
  // Every segment must be a plain name: no "", ".", ".." or dot-files.
  std::string out;
  size_t start = 1;
  while (start <= decoded.size()) {
    size_t slash = decoded.find('/', start);
    if (slash == std::string::npos) slash = decoded.size();
    const std::string segment = decoded.substr(start, slash - start);
    if (segment.empty()) {
      if (slash != decoded.size()) return {};  // "//"
    } else {
      if (segment.front() == '.') return {};
      if (!out.empty()) out += '/';
      out += segment;
    }
    start = slash + 1;
  }
  if (out.empty() || decoded.back() == '/') out += out.empty() ? "index.html" : "/index.html";
  return out;
}

StaticFiles::StaticFiles(std::string root) : root_(std::move(root)) {
  if (root_.empty()) return;
  if (char* real = ::realpath(root_.c_str(), nullptr)) {
    real_root_ = real;
    std::free(real);
  }
}

bool StaticFiles::inside_root(const std::string& path) const {
  if (real_root_.empty()) return false;
  char* real = ::realpath(path.c_str(), nullptr);
  if (!real) return false;
  const std::string resolved = real;
  std::free(real);
  return resolved.size() > real_root_.size() &&
         resolved.compare(0, real_root_.size(), real_root_) == 0 &&
         resolved[real_root_.size()] == '/';
}

std::optional<Response> StaticFiles::serve(const Request& request) const {
  const std::string relative = safe_relative_path(request.target());
  if (relative.empty()) return std::nullopt;
  const std::string path = root_ + "/" + relative;
  const auto info = stat_file(path);
  // A link out of the root (to /etc/passwd, to the data directory) is no file of ours.
  if (!info || !inside_root(path)) return std::nullopt;

  std::string send_path = path;
  bool gzipped = false;
  if (accepts_gzip(request[http::field::accept_encoding])) {
    const auto gz = stat_file(path + ".gz");
    if (gz && gz->mtime >= info->mtime && inside_root(path + ".gz")) {
      send_path += ".gz";
      gzipped = true;
    }
  }
  // Weak validator from size and mtime: cheap, and it changes with every rebuild.
  char etag_buf[64];
  std::snprintf(etag_buf, sizeof etag_buf, "W/\"%llx-%llx\"",
                static_cast<unsigned long long>(info->size),
                static_cast<unsigned long long>(info->mtime));
  const std::string etag = etag_buf;

  auto set_common = [&](auto& res) {
    res.set(http::field::content_type, mime_type(relative));
    res.set(http::field::etag, etag);
    res.set(http::field::last_modified, http_date(info->mtime));
    // Names are not content-hashed, so always revalidate (a cheap 304 when unchanged).
    res.set(http::field::cache_control, "no-cache");
    res.set(http::field::vary, "Accept-Encoding");
    if (gzipped) res.set(http::field::content_encoding, "gzip");
    res.keep_alive(request.keep_alive());
  };

  const auto if_none_match = request[http::field::if_none_match];
  if (!if_none_match.empty() && etag_matches(if_none_match, etag)) {
    EmptyResponse res{http::status::not_modified, request.version()};
    set_common(res);
    res.erase(http::field::content_encoding);
    return res;
  }
  if (request.method() == http::verb::head) {
    const auto sent = stat_file(send_path);
    EmptyResponse res{http::status::ok, request.version()};
    set_common(res);
    res.content_length(sent ? sent->size : info->size);
    return res;
  }
  boost::beast::error_code ec;
  http::file_body::value_type body;
  body.open(send_path.c_str(), boost::beast::file_mode::scan, ec);
  if (ec) return std::nullopt;
  const uint64_t size = body.size();
  FileResponse res{std::piecewise_construct, std::make_tuple(std::move(body)),
                   std::make_tuple(http::status::ok, request.version())};
  set_common(res);
  res.content_length(size);
  return res;
}

}  // namespace imchat::server
