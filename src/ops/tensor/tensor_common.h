// Shared pieces of the data-movement ops (Transpose, Concat, Gather*, Slice, Split, Expand, Tile, ...).
//
// These ops never compute: they move elements. The reference therefore copies each element's raw bytes
// (exact for every dtype, float16 and float64 included), and the kernels move 4-byte words as u32 bits
// whatever the element type is, so one pipeline serves f32, i32 and u32 tensors alike.
#pragma once

#include <vector>

#include "ops/op_schema.h"

namespace webconv::ops::tensor {

constexpr uint32_t kMaxGpuRank = 8;
constexpr uint32_t kWorkgroup = 64;

// Rows of the registry table, one function per file.
std::vector<OpSchema> TransposeRows();
std::vector<OpSchema> ConcatRows();
std::vector<OpSchema> GatherRows();
std::vector<OpSchema> GatherElementsRows();
std::vector<OpSchema> GatherNDRows();
std::vector<OpSchema> SliceRows();
std::vector<OpSchema> SplitRows();
std::vector<OpSchema> ExpandRows();
std::vector<OpSchema> TileRows();
std::vector<OpSchema> RangeRows();
std::vector<OpSchema> ScatterElementsRows();  // and the deprecated Scatter
std::vector<OpSchema> ScatterNDRows();
std::vector<OpSchema> DepthSpaceRows();  // DepthToSpace, SpaceToDepth
std::vector<OpSchema> TriluRows();
std::vector<OpSchema> EyeLikeRows();
std::vector<OpSchema> OneHotRows();
std::vector<OpSchema> WindowRows();  // window.cc: HannWindow, HammingWindow, BlackmanWindow
std::vector<OpSchema> ReverseSequenceRows();
std::vector<OpSchema> DropoutRows();  // dropout.cc
// Output shapes that depend on the input values: no WebGPU kernel, evaluated by the reference when planning.
std::vector<OpSchema> NonZeroCompressRows();  // nonzero_compress.cc: NonZero, Compress
std::vector<OpSchema> UniqueRows();
std::vector<OpSchema> NonMaxSuppressionRows();
std::vector<OpSchema> MelWeightMatrixRows();  // mel_weight_matrix.cc
std::vector<OpSchema> DftRows();  // dft.cc: DFT, STFT
std::vector<OpSchema> TfIdfVectorizerRows();  // tfidf_vectorizer.cc

// Fails for types without a fixed element size (string, complex) or that webconv cannot hold.
Status CheckMovableType(DType t, const char* what = "input");
// The integer types an index tensor may have (int32, int64).
Status CheckIndexType(DType t, const char* what = "indices");

// Kernels index with 32-bit words: every tensor a kernel touches must have fewer than 2^31 elements.
Status CheckGpuElements(const Shape& shape, const char* what);

// out[c] = in[base + sum_k c[k] * in_strides[k]] for every coordinate c of out_shape. Strides may be
// negative (Slice with negative steps); the caller guarantees every address lies inside `in`.
void CopyStrided(const HostTensor& in, int64_t base, const std::vector<int64_t>& in_strides, HostTensor* out);

// The same copy on the GPU: input 0 read with those strides into output 0. Axes of extent 1 are dropped
// and axes that are contiguous in both tensors are merged before the rank limit is checked, so a
// transpose that moves only unit axes becomes a flat copy.
Status DispatchStridedCopy(GpuContext& ctx, const std::string& op_name, int64_t base, Shape out_shape,
                           std::vector<int64_t> in_strides);

// Wraps a negative index once (-s..-1 -> 0..s-1); false when it stays outside [0, s).
bool WrapIndex(int64_t index, int64_t size, int64_t* out);

// WGSL helper `fn wrap_index(k: i32, size: i32) -> i32`: wraps negatives once, then clamps into
// [0, size - 1], so that a kernel never touches memory outside a tensor whatever its indices hold.
std::string WrapIndexWgsl();
// Out-of-range runtime indices are an error in ONNX. These dispatch, before the kernel that reads them,
// one invocation per element of input `indices_input`; the first offending position goes to the run's
// index-check words, and the run then fails with the reference's message (IndexOutOfRange or
// TupleIndexOutOfRange below). Reading the indices once here, rather than in every invocation of the
// kernel, keeps the kernels as they were.
// Each index addresses data axis `axis` of extent `size` (Gather, GatherElements, ScatterElements).
Status DispatchAxisIndexCheck(GpuContext& ctx, int indices_input, int64_t axis, int64_t size);
// Each tuple of sizes.size() entries addresses data axes first_axis, first_axis + 1, ... of extents
// `sizes` (GatherND, ScatterND).
Status DispatchTupleIndexCheck(GpuContext& ctx, int indices_input, int64_t first_axis, std::vector<int64_t> sizes);

// The error for index `value` (nullptr: not known on the host), at flat `position` of the indices, out of
// range for data axis `axis` of extent `size`: the reference's message, which the GPU check repeats.
Status IndexOutOfRange(const int64_t* value, int64_t position, int64_t axis, int64_t size);
// The same for entry `entry` of index tuple `tuple` (GatherND, ScatterND).
Status TupleIndexOutOfRange(const int64_t* value, int64_t tuple, int64_t entry, int64_t axis, int64_t size);

std::vector<uint32_t> ToU32(const std::vector<int64_t>& v);
std::vector<int32_t> ToI32(const std::vector<int64_t>& v);

}  // namespace webconv::ops::tensor
