// The WGSL scaffold shared by the reduce family's kernels. A segment of `tpp` consecutive lanes (a power
// of two) works on one item: a row, or one chunk of a row when a few long rows are split over several
// workgroups. Each lane strides through the item, then the segment merges its lanes' values with a tree
// in workgroup memory; one workgroup holds WG / tpp segments, so short rows share a workgroup and long
// ones get all of it.
#pragma once

#include <string>

#include "gpu/kernel.h"
#include "ops/reduce/row_geometry.h"

namespace webconv::ops {

constexpr uint32_t kRowWorkgroup = 256;

struct RowLaunch {
  int64_t chunks = 1;     // items per row
  int64_t chunk_len = 0;  // reduced elements per item (the last one may be shorter)
  uint32_t tpp = 1;       // lanes per item
  int64_t items(const RowGeometry& g) const { return g.rows * chunks; }
};

// Lanes per item for items of `item_len` elements: enough that each lane reads about 16 elements. When
// the reduced axes are strided (the innermost axis is kept), neighbouring rows are neighbours in memory,
// so rows get one lane each and lanes are added only while the rows alone leave the GPU short of threads.
uint32_t LanesPerItem(const RowGeometry& g, int64_t items, int64_t item_len);

// A launch over whole rows (chunks = 1).
RowLaunch WholeRows(const RowGeometry& g);

// Fails when the kernels' 32-bit indexing or uniform arrays cannot describe the problem.
Status CheckRowsFitGpu(const RowGeometry& g, int64_t in_elements, int64_t out_elements);

// Uniforms items, len, chunks, chunk_len, tpp and the kept/reduced extents and strides.
void AddRowUniforms(gpu::UniformBlock& u, const RowGeometry& g, const RowLaunch& l);

// Kernel-name suffix naming the specialization of red_offset(): one reduced axis (or none), or several.
std::string RowSpecName(const RowGeometry& g);

// WGSL: const WG, kept_offset(row) and red_offset(r), is_nan()/is_inf() for f32.
std::string RowPrelude(const RowGeometry& g);

// WGSL `fn NAME(lid: u32, lane: u32, v: TYPE) -> TYPE`: merges `v` over a segment's lanes with `merge`
// (an expression of `a` and `b`) in a workgroup array of its own; every lane receives the result. All
// lanes of the workgroup must call it (it holds barriers).
std::string SegmentMergeFn(const std::string& name, const std::string& type, const std::string& merge);

// The entry point. Before `body` runs it defines: lane, g (the item), live (g is a real item), row, r0
// and r1 (the item's reduced range, empty when !live) and base (the row's first input element).
std::string RowMain(const std::string& body);

// Workgroups covering l.items(g) segments.
void RowGroups(const RowGeometry& g, const RowLaunch& l, uint32_t groups[3]);

}  // namespace webconv::ops
