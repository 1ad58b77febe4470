#include "gpu/kernel.h"

#include <cstring>

#include "common/hash.h"

namespace webconv::gpu {

const char* WgslType(ScalarType t) {
  switch (t) {
    case ScalarType::kF32: return "f32";
    case ScalarType::kI32: return "i32";
    case ScalarType::kU32: return "u32";
  }
  return "f32";
}

void UniformBlock::Add(Field f) { fields_.push_back(std::move(f)); }

void UniformBlock::AddU32(const std::string& name, uint32_t v) { Add({name, ScalarType::kU32, 0, {v}}); }

void UniformBlock::AddI32(const std::string& name, int32_t v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  Add({name, ScalarType::kI32, 0, {b}});
}

void UniformBlock::AddF32(const std::string& name, float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  Add({name, ScalarType::kF32, 0, {b}});
}

void UniformBlock::AddI32Array(const std::string& name, const std::vector<int32_t>& v, uint32_t capacity) {
  std::vector<uint32_t> bits(v.size());
  if (!v.empty()) std::memcpy(bits.data(), v.data(), v.size() * 4);
  Add({name, ScalarType::kI32, capacity < 1 ? 1 : capacity, std::move(bits)});
}

void UniformBlock::AddU32Array(const std::string& name, const std::vector<uint32_t>& v, uint32_t capacity) {
  Add({name, ScalarType::kU32, capacity < 1 ? 1 : capacity, v});
}

std::string UniformBlock::Wgsl(uint32_t binding) const {
  std::string s = "struct Uniforms {\n";
  std::string accessors;
  for (const Field& f : fields_) {
    if (f.capacity == 0) {
      s += "  " + f.name + ": " + WgslType(f.type) + ",\n";
    } else {
      const uint32_t vecs = (f.capacity + 3) / 4;
      s += "  " + f.name + "_: array<vec4<" + WgslType(f.type) + ">, " + std::to_string(vecs) + ">,\n";
      accessors += "fn " + f.name + "(i: u32) -> " + WgslType(f.type) + " { return u." + f.name +
                   "_[i / 4u][i % 4u]; }\n";
    }
  }
  s += "};\n@group(0) @binding(" + std::to_string(binding) + ") var<uniform> u: Uniforms;\n";
  return s + accessors;
}

std::vector<uint8_t> UniformBlock::Pack() const {
  std::vector<uint8_t> out;
  size_t offset = 0;
  for (const Field& f : fields_) {
    if (f.capacity == 0) {
      out.resize(offset + 4);
      std::memcpy(out.data() + offset, f.bits.data(), 4);
      offset += 4;
    } else {
      offset = (offset + 15) / 16 * 16;
      const size_t bytes = (f.capacity + 3) / 4 * 16;
      out.resize(offset + bytes, 0);
      const size_t n = f.bits.size() < f.capacity ? f.bits.size() : f.capacity;
      if (n) std::memcpy(out.data() + offset, f.bits.data(), n * 4);
      offset += bytes;
    }
  }
  out.resize((offset + 15) / 16 * 16, 0);  // empty for an empty block: the kernel then has no uniforms
  return out;
}

std::string Kernel::LayoutSignature() const {
  std::string s;
  for (const BindingDecl& b : bindings) s += b.read_only ? 'r' : 'w';
  if (has_uniforms) s += 'u';
  return s;
}

uint64_t Kernel::IdentityHash() const {
  // The layout signature, a separator no WGSL starts with, and the source.
  const std::string layout = LayoutSignature();
  const char separator = '\0';
  uint64_t h = Fnv1a64(layout.data(), layout.size());
  h = Fnv1a64(&separator, 1, h);
  return Fnv1a64(wgsl.data(), wgsl.size(), h);
}

KernelBuilder& KernelBuilder::Input(const std::string& name, ScalarType t) {
  bindings_.push_back({name, t, true});
  return *this;
}

KernelBuilder& KernelBuilder::Output(const std::string& name, ScalarType t) {
  bindings_.push_back({name, t, false});
  return *this;
}

KernelBuilder& KernelBuilder::Atomic(const std::string& name) {
  bindings_.push_back({name, ScalarType::kU32, false, true});
  return *this;
}

KernelBuilder& KernelBuilder::Body(const std::string& wgsl) {
  body_ += wgsl;
  return *this;
}

KernelBuilder& KernelBuilder::Enable(const std::string& extension) {
  enables_ += "enable " + extension + ";\n";
  return *this;
}

std::shared_ptr<const Kernel> KernelBuilder::Build() const {
  auto k = std::make_shared<Kernel>();
  k->name = name_;
  k->bindings = bindings_;
  k->has_uniforms = !uniforms_.empty();
  std::string src = enables_;
  for (size_t i = 0; i < bindings_.size(); ++i) {
    const BindingDecl& b = bindings_[i];
    src += "@group(0) @binding(" + std::to_string(i) + ") var<storage, " +
           (b.read_only ? "read" : "read_write") + "> " + b.name + ": array<" +
           (b.atomic ? std::string("atomic<u32>") : WgslType(b.type)) + ">;\n";
  }
  if (k->has_uniforms) src += uniforms_.Wgsl(static_cast<uint32_t>(bindings_.size()));
  src += body_;
  k->wgsl = std::move(src);
  return k;
}

void LinearGrid(uint64_t threads, uint32_t workgroup_size, uint32_t groups[3]) {
  uint64_t n = (threads + workgroup_size - 1) / workgroup_size;
  if (n == 0) n = 1;
  const uint64_t x = n < 65535 ? n : 65535;
  groups[0] = static_cast<uint32_t>(x);
  groups[1] = static_cast<uint32_t>((n + x - 1) / x);
  groups[2] = 1;
}

std::string LinearIndexWgsl(uint32_t workgroup_size) {
  return "fn linear_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {\n  return gid.x + gid.y * nwg.x * " +
         std::to_string(workgroup_size) + "u;\n}\n";
}

}  // namespace webconv::gpu
