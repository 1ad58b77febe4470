// CheckDispatch: the validation of a Dispatch that both backends share (see dispatch_check.h).
#include "gpu/dispatch_check.h"

namespace webconv::gpu {

Status CheckDispatch(const Dispatch& d, uint32_t max_workgroups_per_dim, const BufferOwnerCheck& owned,
                     CheckedDispatch* out) {
  out->label = d.label;
  if (!d.kernel) return DeviceError("dispatch '", d.label, "': no kernel");
  const Kernel& k = *d.kernel;
  out->kernel = k.name;
  const std::string who = out->Who();
  if (d.buffers.size() != k.bindings.size()) {
    return DeviceError(who, d.buffers.size(), " buffers for ", k.bindings.size(), " storage bindings");
  }
  if (k.has_uniforms == d.uniforms.empty()) {
    return DeviceError(who, k.has_uniforms ? "the kernel has a uniform block but no uniform bytes were given"
                                           : "uniform bytes were given but the kernel has no uniform block");
  }
  for (int i = 0; i < 3; ++i) {
    out->groups[i] = d.groups[i];
    if (d.groups[i] == 0) out->skipped = true;
    if (d.groups[i] > max_workgroups_per_dim) {
      return DeviceError(who, "workgroup count ", d.groups[i], " in dimension ", i, " exceeds the device's ",
                         max_workgroups_per_dim);
    }
  }
  for (size_t i = 0; i < d.buffers.size(); ++i) {
    const std::string binding = who + "binding " + std::to_string(i) + " '" + k.bindings[i].name + "'";
    if (!d.buffers[i]) return DeviceError(binding, ": null buffer");
    WC_RETURN_IF_ERROR(owned(*d.buffers[i], binding));
    // WebGPU forbids a buffer bound twice in one dispatch when either binding is writable.
    for (size_t j = 0; j < i; ++j) {
      if (d.buffers[j] == d.buffers[i] && (!k.bindings[i].read_only || !k.bindings[j].read_only)) {
        return DeviceError(binding, " is the same buffer as binding ", j, " '", k.bindings[j].name,
                           "', and one of them is writable");
      }
    }
  }
  return OkStatus();
}

}  // namespace webconv::gpu
