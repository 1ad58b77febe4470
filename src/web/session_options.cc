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
  // A whole number (no sign, fraction or exponent: the counts of kernelTuning).
  Result<int64_t> Count() {
    SkipSpace();
    int64_t v = 0;
    const size_t start = pos_;
    while (s_[pos_] >= '0' && s_[pos_] <= '9' && v < (int64_t{1} << 40)) v = v * 10 + (s_[pos_++] - '0');
    if (pos_ == start || s_[pos_] == '.' || s_[pos_] == 'e' || s_[pos_] == 'E' || (s_[pos_] >= '0' && s_[pos_] <= '9'))
      return Bad("a whole number");
    return v;
  }
  Result<bool> Bool(const std::string& key) {
    if (TakeWord("true")) return true;
    if (TakeWord("false")) return false;
    return UsageError("session options: \"", key, "\" must be true or false");
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

// The "kernelTuning" object: each key once at most, values typed as webconv::KernelTuning's fields.
Status ParseKernelTuning(Reader& r, webconv::KernelTuning* t) {
  if (!r.Take('{')) return r.Bad("'{' after \"kernelTuning\"");
  if (r.Take('}')) return OkStatus();
  do {
    WC_ASSIGN_OR_RETURN(std::string key, r.String());
    if (!r.Take(':')) return r.Bad("':'");
    const std::string name = "kernelTuning." + key;
    if (key == "convTile") {
      WC_ASSIGN_OR_RETURN(t->conv_tile, r.String());
    } else if (key == "convSizes") {
      WC_ASSIGN_OR_RETURN(t->conv_sizes, r.String());
    } else if (key == "convSplits" || key == "convStripRows" || key == "convStripDepths") {
      WC_ASSIGN_OR_RETURN(const int64_t v, r.Count());
      if (v > 4096) return UsageError("session options: \"", name, "\" ", v, " is out of range");
      if (key == "convSplits") t->conv_splits = static_cast<uint32_t>(v);
      else if (key == "convStripRows") t->conv_strip_rows = static_cast<int>(v);
      else t->conv_strip_depths = static_cast<int>(v);
    } else if (key == "convF16Tiles") {
      WC_ASSIGN_OR_RETURN(t->conv_f16_tiles, r.Bool(name));
    } else if (key == "convSubgroupTaps") {
      WC_ASSIGN_OR_RETURN(t->conv_subgroup_taps, r.Bool(name));
    } else if (key == "siblingMerge") {
      WC_ASSIGN_OR_RETURN(t->sibling_merge, r.Bool(name));
    } else if (key == "branchMerge") {
      WC_ASSIGN_OR_RETURN(t->branch_merge, r.Bool(name));
    } else {
      return UsageError("session options: unknown key \"", name, "\" (known: convTile, convSplits, convF16Tiles, "
                        "convSizes, convStripRows, convStripDepths, convSubgroupTaps, siblingMerge, branchMerge)");
    }
  } while (r.Take(','));
  if (!r.Take('}')) return r.Bad("',' or '}' in \"kernelTuning\"");
  return OkStatus();
}

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
    } else if (key == "kernelTuning") {
      WC_RETURN_IF_ERROR(ParseKernelTuning(r, &o.tuning));
    } else if (key == "firstRun") {
      WC_ASSIGN_OR_RETURN(std::string v, r.String());
      auto f = runtime::ParseFirstRun(v);
      if (!f.ok()) return UsageError("session options: \"firstRun\": ", f.status().message);
      o.first_run = *f;
    } else {
      return UsageError("session options: unknown key \"", key, "\" (known: backend, profile, firstRun, kernelTuning)");
    }
  } while (r.Take(','));
  if (!r.Take('}')) return r.Bad("',' or '}'");
  if (!r.AtEnd()) return r.Bad("the end after '}'");
  return o;
}

}  // namespace webconv::web
