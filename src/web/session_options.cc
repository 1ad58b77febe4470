// A tiny parser for wc_session_create's options object (see session_options.h). It accepts exactly one
// flat object of string and boolean values; anything else is a usage error that says what was found.
#include "web/session_options.h"

#include <cstring>

namespace webconv::web {
namespace {

class Reader {
 public:
  explicit Reader(const char* text) : s_(text) {}
  void SkipSpace() {
    while (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t') ++pos_;
  }
  bool Take(char c) {
    SkipSpace();
    if (s_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  bool TakeWord(const char* w) {
    SkipSpace();
    const size_t n = std::strlen(w);
    if (std::strncmp(s_ + pos_, w, n) != 0) return false;
    pos_ += n;
    return true;
  }
  // A JSON string without escapes other than \" and \\ (option names and values are plain words).
  Result<std::string> String() {
    if (!Take('"')) return Bad("a string");
    std::string out;
    while (s_[pos_] != '"') {
      if (s_[pos_] == '\0') return Bad("the end of a string");
      if (s_[pos_] == '\\' && (s_[pos_ + 1] == '"' || s_[pos_ + 1] == '\\')) ++pos_;
      out += s_[pos_++];
    }
    ++pos_;
    return out;
  }
  bool AtEnd() {
    SkipSpace();
    return s_[pos_] == '\0';
  }
  Status Bad(const char* expected) const {
    return UsageError("session options: expected ", expected, " at offset ", pos_, " of '", s_, "'");
  }

 private:
  const char* s_;
  size_t pos_ = 0;
};

}  // namespace

Result<WebSessionOptions> ParseSessionOptions(const char* json) {
  WebSessionOptions o;
  if (!json) return o;
  Reader r(json);
  if (r.AtEnd()) return o;
  if (!r.Take('{')) return r.Bad("'{'");
  if (r.Take('}')) {
    if (!r.AtEnd()) return r.Bad("the end after '}'");
    return o;
  }
  do {
    WC_ASSIGN_OR_RETURN(std::string key, r.String());
    if (!r.Take(':')) return r.Bad("':'");
    if (key == "backend") {
      WC_ASSIGN_OR_RETURN(std::string v, r.String());
      if (v == "cpu")
        o.backend = runtime::Backend::kCpu;
      else if (v == "ref")
        o.backend = runtime::Backend::kReference;
      else if (v == "webgpu")
        o.backend = runtime::Backend::kWebGpu;
      else
        return UsageError("session options: \"backend\" must be \"webgpu\", \"cpu\" or \"ref\", got \"", v, "\"");
    } else if (key == "profile") {
      if (r.TakeWord("true"))
        o.profile = true;
      else if (r.TakeWord("false"))
        o.profile = false;
      else
        return UsageError("session options: \"profile\" must be true or false");
    } else if (key == "firstRun") {
      WC_ASSIGN_OR_RETURN(std::string v, r.String());
      auto f = runtime::ParseFirstRun(v);
      if (!f.ok()) return UsageError("session options: \"firstRun\": ", f.status().message);
      o.first_run = *f;
    } else {
      return UsageError("session options: unknown key \"", key, "\" (known: backend, profile, firstRun)");
    }
  } while (r.Take(','));
  if (!r.Take('}')) return r.Bad("',' or '}'");
  if (!r.AtEnd()) return r.Bad("the end after '}'");
  return o;
}

}  // namespace webconv::web
