// cpu/convolution.h on oneDNN (Debian's libdnnl, native builds). Each spec gets one primitive with
// format_tag::any, so oneDNN picks its blocked layouts (nCdhw16c and the like on AVX-512) and its
// fastest kernel for them; X is reordered into that layout and Y back out of it on every call, and those
// reorders are inside every measured time. The primitives are kept per spec (at most kMaxSpecs), so a
// model pays the JIT once per distinct layer shape.
#ifdef WEBCONV_HAVE_ONEDNN
#include <dnnl.hpp>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "cpu/convolution.h"

namespace webconv::cpu {
namespace {

constexpr size_t kMaxSpecs = 1024;

using dnnl::memory;
using tag = memory::format_tag;

dnnl::engine& Engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// A primitive and what it needs besides the user's buffers; null conv when oneDNN takes no such problem.
struct Prepared {
  bool ok = false;
  memory::desc user_src, user_weights, user_bias, user_dst;
  memory::desc src, weights, dst;
  dnnl::convolution_forward conv;
  dnnl::reorder src_in, weights_in, dst_out;  // valid when the layouts differ
};

memory::dims Dims(std::initializer_list<int64_t> head, const int64_t* tail, int rank) {
  memory::dims d(head);
  for (int i = 0; i < rank; ++i) d.push_back(tail[i]);
  return d;
}

// Strides of a plain tensor [n, c, spatial...] whose batch stride is `batch_stride`.
memory::dims PlainStrides(int64_t batch_stride, const int64_t* sizes, int rank) {
  memory::dims s(static_cast<size_t>(rank + 2));
  int64_t step = 1;
  for (int i = rank - 1; i >= 0; --i) {
    s[static_cast<size_t>(i + 2)] = step;
    step *= sizes[i];
  }
  s[1] = step;
  s[0] = batch_stride;
  return s;
}

std::shared_ptr<Prepared> Prepare(const ConvolutionSpec& s) {
  auto p = std::make_shared<Prepared>();
  const int r = s.rank;
  const auto f32 = memory::data_type::f32;
  const int64_t c = s.groups * s.in_per_group, m = s.groups * s.out_per_group;
  const memory::dims src_dims = Dims({s.batch, c}, s.in, r), dst_dims = Dims({s.batch, m}, s.out, r);
  const memory::dims w_dims = s.groups > 1 ? Dims({s.groups, s.out_per_group, s.in_per_group}, s.kernel, r)
                                           : Dims({m, s.in_per_group}, s.kernel, r);
  static const tag kPlainWeights[2][3] = {{tag::oiw, tag::oihw, tag::oidhw}, {tag::goiw, tag::goihw, tag::goidhw}};
  memory::dims strides, dilations, pad_l, pad_r;
  for (int i = 0; i < r; ++i) {
    strides.push_back(s.stride[i]);
    dilations.push_back(s.dilation[i] - 1);  // oneDNN counts the gaps
    pad_l.push_back(s.pad_begin[i]);
    pad_r.push_back(s.pad_end[i]);
  }
  p->user_src = memory::desc(src_dims, f32, PlainStrides(s.x_batch_stride, s.in, r));
  p->user_dst = memory::desc(dst_dims, f32, PlainStrides(s.y_batch_stride, s.out, r));
  p->user_weights = memory::desc(w_dims, f32, kPlainWeights[s.groups > 1][r - 1]);
  p->user_bias = memory::desc({m}, f32, tag::x);
  try {
    const memory::desc any_src(src_dims, f32, tag::any), any_w(w_dims, f32, tag::any), any_dst(dst_dims, f32, tag::any);
    auto desc = s.bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                          dnnl::algorithm::convolution_direct, any_src, any_w,
                                                          p->user_bias, any_dst, strides, dilations, pad_l, pad_r)
                       : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference,
                                                          dnnl::algorithm::convolution_direct, any_src, any_w,
                                                          any_dst, strides, dilations, pad_l, pad_r);
    dnnl::convolution_forward::primitive_desc pd(desc, Engine());
    p->src = pd.src_desc();
    p->weights = pd.weights_desc();
    p->dst = pd.dst_desc();
    p->conv = dnnl::convolution_forward(pd);
    if (p->src != p->user_src) p->src_in = dnnl::reorder(dnnl::reorder::primitive_desc(Engine(), p->user_src, Engine(), p->src));
    if (p->weights != p->user_weights)
      p->weights_in = dnnl::reorder(dnnl::reorder::primitive_desc(Engine(), p->user_weights, Engine(), p->weights));
    if (p->dst != p->user_dst) p->dst_out = dnnl::reorder(dnnl::reorder::primitive_desc(Engine(), p->dst, Engine(), p->user_dst));
    p->ok = true;
  } catch (const dnnl::error&) {
    p->ok = false;
  }
  return p;
}

// The spec's fields that matter (unused axes left out), as bytes.
std::string KeyOf(const ConvolutionSpec& s) {
  std::vector<int64_t> k = {s.rank, s.batch, s.groups, s.in_per_group, s.out_per_group, s.x_batch_stride,
                            s.y_batch_stride, s.bias ? 1 : 0};
  for (int i = 0; i < s.rank; ++i)
    k.insert(k.end(), {s.in[i], s.out[i], s.kernel[i], s.stride[i], s.dilation[i], s.pad_begin[i], s.pad_end[i]});
  return std::string(reinterpret_cast<const char*>(k.data()), k.size() * sizeof(int64_t));
}

std::shared_ptr<Prepared> Find(const ConvolutionSpec& s) {
  static std::mutex mutex;
  static std::unordered_map<std::string, std::shared_ptr<Prepared>> specs;
  const std::string key = KeyOf(s);
  std::lock_guard<std::mutex> lock(mutex);
  auto it = specs.find(key);
  if (it != specs.end()) return it->second;
  if (specs.size() >= kMaxSpecs) specs.clear();
  return specs[key] = Prepare(s);
}

}  // namespace

class ConvolutionWeights {
 public:
  std::shared_ptr<Prepared> prepared;  // the primitive the layout is for
  const float* source = nullptr;
  Workspace data;  // kLayoutWeights
};

bool ConvolutionAvailable() { return true; }

const char* ConvolutionLibrary() {
  static const std::string name = [] {
    const dnnl_version_t* v = dnnl_version();
    return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  }();
  return name.c_str();
}

bool Convolution(const ConvolutionSpec& s, const float* x, const float* w, const float* b, float* y,
                 std::shared_ptr<ConvolutionWeights>* cached, Workspace* workspace) {
  if (s.rank < 1 || s.rank > 3) return false;
  const std::shared_ptr<Prepared> p = Find(s);
  if (!p->ok) return false;
  Workspace own;  // when the caller keeps none
  Workspace& ws = workspace ? *workspace : own;
  thread_local dnnl::stream stream(Engine());
  dnnl::engine& e = Engine();
  try {
    memory user_src(p->user_src, e, const_cast<float*>(x)), user_w(p->user_weights, e, const_cast<float*>(w));
    memory user_dst(p->user_dst, e, y);
    memory src = user_src, weights = user_w, dst = user_dst;
    if (p->src_in) {
      src = memory(p->src, e, ws.Bytes(Workspace::kLayoutIn, p->src.get_size()));
      p->src_in.execute(stream, user_src, src);
    }
    if (p->weights_in && cached) {
      if (!*cached || (*cached)->prepared != p || (*cached)->source != w) {
        auto fresh = std::make_shared<ConvolutionWeights>();
        fresh->prepared = p;
        fresh->source = w;
        memory converted(p->weights, e, fresh->data.Bytes(Workspace::kLayoutWeights, p->weights.get_size()));
        p->weights_in.execute(stream, user_w, converted);
        *cached = std::move(fresh);
      }
      weights = memory(p->weights, e, (*cached)->data.Bytes(Workspace::kLayoutWeights, p->weights.get_size()));
    } else if (p->weights_in) {
      weights = memory(p->weights, e, ws.Bytes(Workspace::kLayoutWeights, p->weights.get_size()));
      p->weights_in.execute(stream, user_w, weights);
    }
    if (p->dst_out) dst = memory(p->dst, e, ws.Bytes(Workspace::kLayoutOut, p->dst.get_size()));
    std::unordered_map<int, memory> args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}};
    if (s.bias) args.insert({DNNL_ARG_BIAS, memory(p->user_bias, e, const_cast<float*>(b))});
    p->conv.execute(stream, args);
    if (p->dst_out) p->dst_out.execute(stream, dst, user_dst);
    stream.wait();
  } catch (const dnnl::error&) {
    return false;
  } catch (const std::bad_alloc&) {  // the caller's own path may still fit
    return false;
  }
  return true;
}

}  // namespace webconv::cpu
#endif
