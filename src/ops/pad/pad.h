// Pad: attributes, the per-axis geometry resolved once, and the pieces the reference and the WGSL
// generator share. Both backends map each output coordinate back to the input with the same signed
// arithmetic (SourceIndex), so no padded copy and no per-mode special cases exist outside it.
#pragma once

#include <optional>
#include <vector>

#include "ops/op_schema.h"

namespace webconv::ops {

enum class PadMode { kConstant, kReflect, kEdge, kWrap };
const char* PadModeName(PadMode m);

struct PadAttrs {
  PadMode mode = PadMode::kConstant;
  bool from_inputs = false;   // opset >= 11: pads and constant_value are inputs 1 and 2
  std::vector<int64_t> pads;  // opset < 11: the `paddings` (1) or `pads` (2-10) attribute
  double value = 0;           // opset < 11: the `value` attribute
};

// One axis after negative pads (crops) are separated from positive ones. As ONNX Runtime does, the
// crop applies first and the padding is relative to what is kept: `extent` input elements starting at
// `crop`, with `begin` elements added in front; out = begin + extent + (elements added at the end).
struct PadAxis {
  int64_t in = 0, out = 0;
  int64_t begin = 0, crop = 0, extent = 0;
  bool unpadded() const { return begin == 0 && crop == 0 && extent == in && out == in; }
};

struct PadGeometry {
  PadMode mode = PadMode::kConstant;
  std::vector<PadAxis> axes;
  Shape out_shape;
};

// `pads` as ONNX writes it: [begin of each listed axis..., end of each listed axis...]; `axes` (Pad-18)
// names the axes the pads refer to, all axes when absent.
Result<PadGeometry> ResolvePad(PadMode mode, const Shape& in, const std::vector<int64_t>& pads,
                               const std::optional<std::vector<int64_t>>& axes);

// The input coordinate that output coordinate `o` of axis `a` reads, or -1 where the constant fills.
inline int64_t SourceIndex(PadMode mode, const PadAxis& a, int64_t o) {
  int64_t j = o - a.begin;
  if (j >= 0 && j < a.extent) return a.crop + j;
  switch (mode) {
    case PadMode::kConstant:
      return -1;
    case PadMode::kEdge:
      j = j < 0 ? 0 : a.extent - 1;
      break;
    // ResolvePad guarantees both pads are below the extent, so one reflection lands inside.
    case PadMode::kReflect:
      j = j < 0 ? -j : 2 * (a.extent - 1) - j;
      break;
    case PadMode::kWrap:
      j = ((j % a.extent) + a.extent) % a.extent;
      break;
  }
  return a.crop + j;
}

// `fill` is a one-element tensor of the output's dtype holding the constant.
void PadReference(const PadGeometry& g, const HostTensor& x, const HostTensor& fill, HostTensor* y);
Status PadGpu(const PadGeometry& g, const HostTensor& fill, GpuContext& ctx);

}  // namespace webconv::ops
