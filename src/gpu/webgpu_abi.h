// The subset of the webgpu.h C API (2025 ABI, as built into Dawn) that the native backend uses, declared by
// the project itself: no header ships with the prebuilt Dawn (npm bun-webgpu-linux-x64@0.1.7,
// libwebgpu_wrapper.so), and the functions are resolved at run time with dlsym (see native/dawn_procs.h).
//
// Where each fact was verified (V1..V5 are cited below):
//  V1  DWARF of libwebgpu_wrapper.so itself: its Zig wrapper was compiled against the same Dawn webgpu.h
//      (`llvm-dwarfdump --debug-info` lists cimport.struct_WGPU* with byte sizes and member offsets).
//      Every struct size/offset below that V1 covers is pinned by a static_assert at the end of this file.
//  V2  npm bun-webgpu@0.1.7 index.js: struct definitions, enum values and flag bits for this very binary.
//  V3  webgpu-native/webgpu-headers webgpu.h (the 2024-25 revision with WGPUStringView, callback-info
//      structs and WGPUInstanceCapabilities; read with the search tool).
//  V4  Checked at run time on this binary (native/abi_check.cc and tests/gpu): e.g. the callback argument
//      order, the bytes GetLimits writes, a compile error's line number.
//  V5  Dawn's own generated webgpu.h (Dawn-only structs such as WGPUDawnTogglesDescriptor; search tool).
// Everything lives in namespace webconv::gpu::abi so it can never clash with a real webgpu.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace webconv::gpu::abi {

// ---- Utility types (V3; WGPUFlags is 64-bit and WGPUBool 32-bit: V1 BufferDescriptor.usage is u64 and
// mappedAtCreation u32).
using WGPUFlags = uint64_t;
using WGPUBool = uint32_t;
constexpr uint64_t kWholeSize = ~uint64_t{0};  // WGPU_WHOLE_SIZE
constexpr size_t kStrlen = ~size_t{0};         // WGPU_STRLEN: "data is NUL-terminated"
constexpr uint32_t kQuerySetIndexUndefined = 0xFFFFFFFFu;

struct WGPUStringView {  // V1: size 16
  const char* data;
  size_t length;
};

// ---- Opaque handles (V3).
using WGPUInstance = struct WGPUInstanceImpl*;
using WGPUAdapter = struct WGPUAdapterImpl*;
using WGPUDevice = struct WGPUDeviceImpl*;
using WGPUQueue = struct WGPUQueueImpl*;
using WGPUBuffer = struct WGPUBufferImpl*;
using WGPUShaderModule = struct WGPUShaderModuleImpl*;
using WGPUBindGroupLayout = struct WGPUBindGroupLayoutImpl*;
using WGPUBindGroup = struct WGPUBindGroupImpl*;
using WGPUPipelineLayout = struct WGPUPipelineLayoutImpl*;
using WGPUComputePipeline = struct WGPUComputePipelineImpl*;
using WGPUCommandEncoder = struct WGPUCommandEncoderImpl*;
using WGPUComputePassEncoder = struct WGPUComputePassEncoderImpl*;
using WGPUCommandBuffer = struct WGPUCommandBufferImpl*;
using WGPUQuerySet = struct WGPUQuerySetImpl*;
using WGPUSurface = struct WGPUSurfaceImpl*;
using WGPUSampler = struct WGPUSamplerImpl*;
using WGPUTextureView = struct WGPUTextureViewImpl*;

// ---- Enums. All are 32-bit (V1 shows c_uint members). Values: V2, equal to V3 unless noted.
using WGPUEnum = uint32_t;
namespace SType {  // V2 WGPUSType; the Dawn-only values are >= 0x50000 (V2), unlike V3
constexpr WGPUEnum kShaderSourceWGSL = 2;
constexpr WGPUEnum kDawnCacheDeviceDescriptor = 0x50007;  // 327687 (V5, and the V2 neighbour below)
constexpr WGPUEnum kDawnTogglesDescriptor = 0x5000A;  // 327690 (V2)
}  // namespace SType
namespace CallbackMode {
constexpr WGPUEnum kWaitAnyOnly = 1, kAllowProcessEvents = 2, kAllowSpontaneous = 3;
}
namespace FeatureLevel {
constexpr WGPUEnum kCompatibility = 1, kCore = 2;
}
namespace PowerPreference {
constexpr WGPUEnum kUndefined = 0, kLowPower = 1, kHighPerformance = 2;
}
namespace BackendType {  // V2 WGPUBackendType
constexpr WGPUEnum kUndefined = 0, kNull = 1, kWebGPU = 2, kD3D11 = 3, kD3D12 = 4, kMetal = 5, kVulkan = 6,
                   kOpenGL = 7, kOpenGLES = 8;
}
namespace AdapterType {  // V3 (2024-25): DiscreteGPU=1 .. Unknown=4
constexpr WGPUEnum kDiscreteGPU = 1, kIntegratedGPU = 2, kCPU = 3, kUnknown = 4;
}
namespace FeatureName {  // V2 WGPUFeatureNameDef: "timestamp-query": 3, "shader-f16": 10, "subgroups": 17
constexpr WGPUEnum kTimestampQuery = 3, kShaderF16 = 10, kSubgroups = 17;
}
namespace BufferBindingType {  // V2
constexpr WGPUEnum kBindingNotUsed = 0, kUniform = 2, kStorage = 3, kReadOnlyStorage = 4;
}
namespace ErrorFilter {  // V2
constexpr WGPUEnum kValidation = 1, kOutOfMemory = 2, kInternal = 3;
}
namespace ErrorType {  // V2
constexpr WGPUEnum kNoError = 1, kValidation = 2, kOutOfMemory = 3, kInternal = 4, kUnknown = 5;
}
namespace DeviceLostReason {  // V2
constexpr WGPUEnum kUnknown = 1, kDestroyed = 2, kCallbackCancelled = 3, kFailedCreation = 4;
}
namespace QueryType {  // V2
constexpr WGPUEnum kOcclusion = 1, kTimestamp = 2;
}
// Status enums: Success is 1 in every one of them (V2 AsyncStatus, RequestAdapterStatus, RequestDeviceStatus,
// QueueWorkDoneStatus, PopErrorScopeStatus; V3 MapAsyncStatus, CompilationInfoRequestStatus, WGPUStatus).
constexpr WGPUEnum kSuccess = 1;
namespace WaitStatus {  // V3: Success=1, TimedOut=2; anything else is an error (3..5 in V3's revision)
constexpr WGPUEnum kSuccess = 1, kTimedOut = 2;
}
namespace CompilationMessageType {  // V3
constexpr WGPUEnum kError = 1, kWarning = 2, kInfo = 3;
}

// ---- Flags (64-bit: V1 BufferDescriptor.usage u64, BindGroupLayoutEntry.visibility u64; bits: V2).
namespace BufferUsage {
constexpr WGPUFlags kMapRead = 1u << 0, kMapWrite = 1u << 1, kCopySrc = 1u << 2, kCopyDst = 1u << 3,
                    kUniform = 1u << 6, kStorage = 1u << 7, kQueryResolve = 1u << 9;
}
namespace ShaderStage {
constexpr WGPUFlags kCompute = 1u << 2;
}
namespace MapMode {
constexpr WGPUFlags kRead = 1u << 0, kWrite = 1u << 1;
}

// ---- Structs (field order: V3 and V2; sizes and offsets: V1, asserted below).
struct WGPUChainedStruct {
  const WGPUChainedStruct* next;
  WGPUEnum sType;
};

struct WGPUFuture {
  uint64_t id;
};

struct WGPUFutureWaitInfo {
  WGPUFuture future;
  WGPUBool completed;
};

struct WGPUInstanceCapabilities {
  WGPUChainedStruct* nextInChain;
  WGPUBool timedWaitAnyEnable;
  size_t timedWaitAnyMaxCount;
};

struct WGPUInstanceDescriptor {  // this Dawn: capabilities inline (V1), not the later requiredFeatures form
  const WGPUChainedStruct* nextInChain;
  WGPUInstanceCapabilities capabilities;
};

struct WGPURequestAdapterOptions {
  const WGPUChainedStruct* nextInChain;
  WGPUEnum featureLevel;
  WGPUEnum powerPreference;
  WGPUBool forceFallbackAdapter;
  WGPUEnum backendType;
  WGPUSurface compatibleSurface;
};

// Callbacks. A WGPUStringView argument is passed by value (two registers on x86-64 SysV).
using WGPURequestAdapterCallback = void (*)(WGPUEnum status, WGPUAdapter adapter, WGPUStringView message,
                                            void* userdata1, void* userdata2);
using WGPURequestDeviceCallback = void (*)(WGPUEnum status, WGPUDevice device, WGPUStringView message,
                                           void* userdata1, void* userdata2);
using WGPUBufferMapCallback = void (*)(WGPUEnum status, WGPUStringView message, void* userdata1,
                                       void* userdata2);
// V2 and V3's revision declare (status, userdata1, userdata2), but this binary passes a message too, as
// later webgpu.h revisions do: V4 saw registers (1, message.data, message.length, userdata1, userdata2).
// native/abi_check.cc re-checks it after each device creation with marked userdata.
using WGPUQueueWorkDoneCallback = void (*)(WGPUEnum status, WGPUStringView message, void* userdata1,
                                           void* userdata2);
using WGPUPopErrorScopeCallback = void (*)(WGPUEnum status, WGPUEnum type, WGPUStringView message,
                                           void* userdata1, void* userdata2);
using WGPUDeviceLostCallback = void (*)(const WGPUDevice* device, WGPUEnum reason, WGPUStringView message,
                                        void* userdata1, void* userdata2);
using WGPUUncapturedErrorCallback = void (*)(const WGPUDevice* device, WGPUEnum type, WGPUStringView message,
                                             void* userdata1, void* userdata2);
struct WGPUCompilationInfo;
using WGPUCompilationInfoCallback = void (*)(WGPUEnum status, const WGPUCompilationInfo* info,
                                             void* userdata1, void* userdata2);
// V3: (WGPUCreatePipelineAsyncStatus status, WGPUComputePipeline pipeline, WGPUStringView message, ...);
// Success is 1.
using WGPUCreateComputePipelineAsyncCallback = void (*)(WGPUEnum status, WGPUComputePipeline pipeline,
                                                        WGPUStringView message, void* userdata1,
                                                        void* userdata2);

// Every XxxCallbackInfo has the same shape (V1: size 40, callback at 16); one template declares them.
template <typename Callback>
struct WGPUCallbackInfo {
  const WGPUChainedStruct* nextInChain;
  WGPUEnum mode;
  Callback callback;
  void* userdata1;
  void* userdata2;
};
using WGPURequestAdapterCallbackInfo = WGPUCallbackInfo<WGPURequestAdapterCallback>;
using WGPURequestDeviceCallbackInfo = WGPUCallbackInfo<WGPURequestDeviceCallback>;
using WGPUBufferMapCallbackInfo = WGPUCallbackInfo<WGPUBufferMapCallback>;
using WGPUQueueWorkDoneCallbackInfo = WGPUCallbackInfo<WGPUQueueWorkDoneCallback>;
using WGPUPopErrorScopeCallbackInfo = WGPUCallbackInfo<WGPUPopErrorScopeCallback>;
using WGPUDeviceLostCallbackInfo = WGPUCallbackInfo<WGPUDeviceLostCallback>;
using WGPUCompilationInfoCallbackInfo = WGPUCallbackInfo<WGPUCompilationInfoCallback>;
// V1: cimport.struct_WGPUCreateComputePipelineAsyncCallbackInfo, size 40, callback at 16.
using WGPUCreateComputePipelineAsyncCallbackInfo = WGPUCallbackInfo<WGPUCreateComputePipelineAsyncCallback>;

struct WGPUUncapturedErrorCallbackInfo {  // no mode: it fires whenever an error is not captured
  const WGPUChainedStruct* nextInChain;
  WGPUUncapturedErrorCallback callback;
  void* userdata1;
  void* userdata2;
};

struct WGPUAdapterInfo {
  WGPUChainedStruct* nextInChain;
  WGPUStringView vendor;
  WGPUStringView architecture;
  WGPUStringView device;
  WGPUStringView description;
  WGPUEnum backendType;
  WGPUEnum adapterType;
  uint32_t vendorID;
  uint32_t deviceID;
  uint32_t subgroupMinSize;  // present in this Dawn (V1, V2), absent from V3's revision
  uint32_t subgroupMaxSize;
};

// V1: 152 bytes, ending with maxImmediateSize. V2 lists four more u32 fields after it
// (maxStorageBuffersInVertexStage, ...), but V4 shows AdapterGetLimits writes exactly 152 bytes; start-up
// checks (native/abi_check.cc) call it with a guard band after the struct and fail if the guard changes.
struct WGPULimits {
  WGPUChainedStruct* nextInChain;
  uint32_t maxTextureDimension1D;
  uint32_t maxTextureDimension2D;
  uint32_t maxTextureDimension3D;
  uint32_t maxTextureArrayLayers;
  uint32_t maxBindGroups;
  uint32_t maxBindGroupsPlusVertexBuffers;
  uint32_t maxBindingsPerBindGroup;
  uint32_t maxDynamicUniformBuffersPerPipelineLayout;
  uint32_t maxDynamicStorageBuffersPerPipelineLayout;
  uint32_t maxSampledTexturesPerShaderStage;
  uint32_t maxSamplersPerShaderStage;
  uint32_t maxStorageBuffersPerShaderStage;
  uint32_t maxStorageTexturesPerShaderStage;
  uint32_t maxUniformBuffersPerShaderStage;
  uint64_t maxUniformBufferBindingSize;
  uint64_t maxStorageBufferBindingSize;
  uint32_t minUniformBufferOffsetAlignment;
  uint32_t minStorageBufferOffsetAlignment;
  uint32_t maxVertexBuffers;
  uint64_t maxBufferSize;
  uint32_t maxVertexAttributes;
  uint32_t maxVertexBufferArrayStride;
  uint32_t maxInterStageShaderVariables;
  uint32_t maxColorAttachments;
  uint32_t maxColorAttachmentBytesPerSample;
  uint32_t maxComputeWorkgroupStorageSize;
  uint32_t maxComputeInvocationsPerWorkgroup;
  uint32_t maxComputeWorkgroupSizeX;
  uint32_t maxComputeWorkgroupSizeY;
  uint32_t maxComputeWorkgroupSizeZ;
  uint32_t maxComputeWorkgroupsPerDimension;
  uint32_t maxImmediateSize;
};

struct WGPUQueueDescriptor {
  const WGPUChainedStruct* nextInChain;
  WGPUStringView label;
};

struct WGPUDeviceDescriptor {
  const WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  size_t requiredFeatureCount;
  const WGPUEnum* requiredFeatures;
  const WGPULimits* requiredLimits;
  WGPUQueueDescriptor defaultQueue;
  WGPUDeviceLostCallbackInfo deviceLostCallbackInfo;
  WGPUUncapturedErrorCallbackInfo uncapturedErrorCallbackInfo;
};

// Dawn-only chained struct (sType kDawnTogglesDescriptor: V2), used to turn off timestamp quantization.
// Field order: V5.
struct DawnTogglesDescriptor {
  WGPUChainedStruct chain;
  size_t enabledToggleCount;
  const char* const* enabledToggles;
  size_t disabledToggleCount;
  const char* const* disabledToggles;
};

// Dawn-only chained struct (sType kDawnCacheDeviceDescriptor) that gives the device a persistent blob
// cache: Dawn calls `load` (first with value == nullptr to ask for the size, then with a buffer of that
// size; 0 means "not found") and `store`, possibly from its worker threads. Field order: V5 (Dawn's
// 2025 webgpu.h, where the isolation key is a WGPUStringView).
using DawnLoadCacheDataFunction = size_t (*)(const void* key, size_t key_size, void* value, size_t value_size,
                                             void* userdata);
using DawnStoreCacheDataFunction = void (*)(const void* key, size_t key_size, const void* value,
                                            size_t value_size, void* userdata);
struct DawnCacheDeviceDescriptor {
  WGPUChainedStruct chain;
  WGPUStringView isolationKey;
  DawnLoadCacheDataFunction loadDataFunction;
  DawnStoreCacheDataFunction storeDataFunction;
  void* functionUserdata;
};

struct WGPUBufferDescriptor {
  const WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  WGPUFlags usage;
  uint64_t size;
  WGPUBool mappedAtCreation;
};

struct WGPUShaderModuleDescriptor {
  const WGPUChainedStruct* nextInChain;
  WGPUStringView label;
};

struct WGPUShaderSourceWGSL {  // chained into WGPUShaderModuleDescriptor with sType kShaderSourceWGSL
  WGPUChainedStruct chain;
  WGPUStringView code;
};

struct WGPUCompilationMessage {  // V3; not in V1. V4: tests read messages 0 and 1 (stride 64) correctly
  const WGPUChainedStruct* nextInChain;
  WGPUStringView message;
  WGPUEnum type;
  uint64_t lineNum;  // 1-based
  uint64_t linePos;  // 1-based, in bytes
  uint64_t offset;
  uint64_t length;
};

struct WGPUCompilationInfo {
  const WGPUChainedStruct* nextInChain;
  size_t messageCount;
  const WGPUCompilationMessage* messages;
};

struct WGPUBufferBindingLayout {
  const WGPUChainedStruct* nextInChain;
  WGPUEnum type;
  WGPUBool hasDynamicOffset;
  uint64_t minBindingSize;
};

struct WGPUSamplerBindingLayout {
  const WGPUChainedStruct* nextInChain;
  WGPUEnum type;
};

struct WGPUTextureBindingLayout {
  const WGPUChainedStruct* nextInChain;
  WGPUEnum sampleType;
  WGPUEnum viewDimension;
  WGPUBool multisampled;
};

struct WGPUStorageTextureBindingLayout {
  const WGPUChainedStruct* nextInChain;
  WGPUEnum access;
  WGPUEnum format;
  WGPUEnum viewDimension;
};

struct WGPUBindGroupLayoutEntry {
  const WGPUChainedStruct* nextInChain;
  uint32_t binding;
  WGPUFlags visibility;
  uint32_t bindingArraySize;  // Dawn (V1); 0 = not an array
  WGPUBufferBindingLayout buffer;
  WGPUSamplerBindingLayout sampler;  // left zeroed: BindingNotUsed
  WGPUTextureBindingLayout texture;
  WGPUStorageTextureBindingLayout storageTexture;
};

struct WGPUBindGroupLayoutDescriptor {
  const WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  size_t entryCount;
  const WGPUBindGroupLayoutEntry* entries;
};

struct WGPUBindGroupEntry {
  const WGPUChainedStruct* nextInChain;
  uint32_t binding;
  WGPUBuffer buffer;
  uint64_t offset;
  uint64_t size;
  WGPUSampler sampler;
  WGPUTextureView textureView;
};

struct WGPUBindGroupDescriptor {
  const WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  WGPUBindGroupLayout layout;
  size_t entryCount;
  const WGPUBindGroupEntry* entries;
};

struct WGPUPipelineLayoutDescriptor {
  const WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  size_t bindGroupLayoutCount;
  const WGPUBindGroupLayout* bindGroupLayouts;
  uint32_t immediateSize;  // Dawn (V1, V2)
};

struct WGPUConstantEntry {
  const WGPUChainedStruct* nextInChain;
  WGPUStringView key;
  double value;
};

struct WGPUComputeState {
  const WGPUChainedStruct* nextInChain;
  WGPUShaderModule module;
  WGPUStringView entryPoint;
  size_t constantCount;
  const WGPUConstantEntry* constants;
};

struct WGPUComputePipelineDescriptor {
  const WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  WGPUPipelineLayout layout;
  WGPUComputeState compute;
};

struct WGPUCommandEncoderDescriptor {
  const WGPUChainedStruct* nextInChain;
  WGPUStringView label;
};

struct WGPUCommandBufferDescriptor {
  const WGPUChainedStruct* nextInChain;
  WGPUStringView label;
};

struct WGPUPassTimestampWrites {  // this Dawn: one struct for both pass kinds, with nextInChain (V1, V2)
  const WGPUChainedStruct* nextInChain;
  WGPUQuerySet querySet;
  uint32_t beginningOfPassWriteIndex;
  uint32_t endOfPassWriteIndex;
};

struct WGPUComputePassDescriptor {
  const WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  const WGPUPassTimestampWrites* timestampWrites;
};

struct WGPUQuerySetDescriptor {
  const WGPUChainedStruct* nextInChain;
  WGPUStringView label;
  WGPUEnum type;
  uint32_t count;
};

// ---- Pinned layouts (V1: byte sizes and member offsets read from the binary's DWARF).
static_assert(sizeof(WGPUStringView) == 16);
static_assert(sizeof(WGPUChainedStruct) == 16);
static_assert(sizeof(WGPUFutureWaitInfo) == 16 && offsetof(WGPUFutureWaitInfo, completed) == 8);
static_assert(sizeof(WGPUInstanceCapabilities) == 24 &&
              offsetof(WGPUInstanceCapabilities, timedWaitAnyMaxCount) == 16);
static_assert(sizeof(WGPUInstanceDescriptor) == 32);
static_assert(sizeof(WGPURequestAdapterOptions) == 32 &&
              offsetof(WGPURequestAdapterOptions, compatibleSurface) == 24);
static_assert(sizeof(WGPURequestAdapterCallbackInfo) == 40 &&
              offsetof(WGPURequestAdapterCallbackInfo, callback) == 16);
static_assert(sizeof(WGPUUncapturedErrorCallbackInfo) == 32);
static_assert(sizeof(WGPUAdapterInfo) == 96 && offsetof(WGPUAdapterInfo, backendType) == 72 &&
              offsetof(WGPUAdapterInfo, subgroupMaxSize) == 92);
static_assert(sizeof(WGPULimits) == 152 && offsetof(WGPULimits, maxUniformBufferBindingSize) == 64 &&
              offsetof(WGPULimits, maxBufferSize) == 96 &&
              offsetof(WGPULimits, maxComputeWorkgroupStorageSize) == 124 &&
              offsetof(WGPULimits, maxImmediateSize) == 148);
static_assert(sizeof(WGPUDeviceDescriptor) == 144 && offsetof(WGPUDeviceDescriptor, requiredLimits) == 40 &&
              offsetof(WGPUDeviceDescriptor, deviceLostCallbackInfo) == 72 &&
              offsetof(WGPUDeviceDescriptor, uncapturedErrorCallbackInfo) == 112);
static_assert(sizeof(WGPUBufferDescriptor) == 48 && offsetof(WGPUBufferDescriptor, mappedAtCreation) == 40);
static_assert(sizeof(WGPUShaderModuleDescriptor) == 24);
static_assert(sizeof(WGPUBindGroupLayoutEntry) == 120 &&
              offsetof(WGPUBindGroupLayoutEntry, visibility) == 16 &&
              offsetof(WGPUBindGroupLayoutEntry, bindingArraySize) == 24 &&
              offsetof(WGPUBindGroupLayoutEntry, buffer) == 32 &&
              offsetof(WGPUBindGroupLayoutEntry, storageTexture) == 96);
static_assert(sizeof(WGPUBufferBindingLayout) == 24 &&
              offsetof(WGPUBufferBindingLayout, minBindingSize) == 16);
static_assert(sizeof(WGPUBindGroupLayoutDescriptor) == 40);
static_assert(sizeof(WGPUBindGroupEntry) == 56 && offsetof(WGPUBindGroupEntry, size) == 32);
static_assert(sizeof(WGPUBindGroupDescriptor) == 48 && offsetof(WGPUBindGroupDescriptor, entries) == 40);
static_assert(sizeof(WGPUPipelineLayoutDescriptor) == 48 &&
              offsetof(WGPUPipelineLayoutDescriptor, immediateSize) == 40);
static_assert(sizeof(WGPUComputeState) == 48 && offsetof(WGPUComputeState, entryPoint) == 16);
static_assert(sizeof(WGPUComputePipelineDescriptor) == 80 &&
              offsetof(WGPUComputePipelineDescriptor, compute) == 32);
static_assert(sizeof(WGPUCommandEncoderDescriptor) == 24);
static_assert(sizeof(WGPUQuerySetDescriptor) == 32 && offsetof(WGPUQuerySetDescriptor, count) == 28);
static_assert(sizeof(WGPUPassTimestampWrites) == 24 &&
              offsetof(WGPUPassTimestampWrites, endOfPassWriteIndex) == 20);
static_assert(sizeof(WGPUComputePassDescriptor) == 32);
static_assert(sizeof(WGPUShaderSourceWGSL) == 32);    // V3 layout; chain + string view
static_assert(sizeof(WGPUCompilationMessage) == 64);  // V3 layout
static_assert(sizeof(DawnTogglesDescriptor) == 48);
static_assert(sizeof(DawnCacheDeviceDescriptor) == 56);
static_assert(sizeof(WGPUCreateComputePipelineAsyncCallbackInfo) == 40 &&
              offsetof(WGPUCreateComputePipelineAsyncCallbackInfo, callback) == 16);

// ---- Function pointer types, one per entry point used. X(name, return type, parameters...) lists them
// once; dawn_procs.h expands the list into the dlsym table. Signatures: V3 (2024-25 revision).
#define WEBCONV_WGPU_PROCS(X)                                                                               \
  X(CreateInstance, WGPUInstance, const WGPUInstanceDescriptor*)                                            \
  X(GetInstanceCapabilities, WGPUEnum, WGPUInstanceCapabilities*)                                           \
  X(InstanceRequestAdapter, WGPUFuture, WGPUInstance, const WGPURequestAdapterOptions*,                     \
    WGPURequestAdapterCallbackInfo)                                                                         \
  X(InstanceWaitAny, WGPUEnum, WGPUInstance, size_t, WGPUFutureWaitInfo*, uint64_t)                         \
  X(InstanceProcessEvents, void, WGPUInstance)                                                              \
  X(InstanceRelease, void, WGPUInstance)                                                                    \
  X(AdapterGetInfo, WGPUEnum, WGPUAdapter, WGPUAdapterInfo*)                                                \
  X(AdapterInfoFreeMembers, void, WGPUAdapterInfo)                                                          \
  X(AdapterGetLimits, WGPUEnum, WGPUAdapter, WGPULimits*)                                                   \
  X(AdapterHasFeature, WGPUBool, WGPUAdapter, WGPUEnum)                                                     \
  X(AdapterRequestDevice, WGPUFuture, WGPUAdapter, const WGPUDeviceDescriptor*,                             \
    WGPURequestDeviceCallbackInfo)                                                                          \
  X(AdapterRelease, void, WGPUAdapter)                                                                      \
  X(DeviceGetLimits, WGPUEnum, WGPUDevice, WGPULimits*)                                                     \
  X(DeviceHasFeature, WGPUBool, WGPUDevice, WGPUEnum)                                                       \
  X(DeviceGetQueue, WGPUQueue, WGPUDevice)                                                                  \
  X(DeviceCreateBuffer, WGPUBuffer, WGPUDevice, const WGPUBufferDescriptor*)                                \
  X(DeviceCreateShaderModule, WGPUShaderModule, WGPUDevice, const WGPUShaderModuleDescriptor*)              \
  X(DeviceCreateBindGroupLayout, WGPUBindGroupLayout, WGPUDevice, const WGPUBindGroupLayoutDescriptor*)     \
  X(DeviceCreatePipelineLayout, WGPUPipelineLayout, WGPUDevice, const WGPUPipelineLayoutDescriptor*)        \
  X(DeviceCreateComputePipeline, WGPUComputePipeline, WGPUDevice, const WGPUComputePipelineDescriptor*)     \
  X(DeviceCreateComputePipelineAsync, WGPUFuture, WGPUDevice, const WGPUComputePipelineDescriptor*,         \
    WGPUCreateComputePipelineAsyncCallbackInfo)                                                             \
  X(DeviceCreateBindGroup, WGPUBindGroup, WGPUDevice, const WGPUBindGroupDescriptor*)                       \
  X(DeviceCreateCommandEncoder, WGPUCommandEncoder, WGPUDevice, const WGPUCommandEncoderDescriptor*)        \
  X(DeviceCreateQuerySet, WGPUQuerySet, WGPUDevice, const WGPUQuerySetDescriptor*)                          \
  X(DevicePushErrorScope, void, WGPUDevice, WGPUEnum)                                                       \
  X(DevicePopErrorScope, WGPUFuture, WGPUDevice, WGPUPopErrorScopeCallbackInfo)                             \
  X(DeviceDestroy, void, WGPUDevice)                                                                        \
  X(DeviceRelease, void, WGPUDevice)                                                                        \
  X(QueueSubmit, void, WGPUQueue, size_t, const WGPUCommandBuffer*)                                         \
  X(QueueWriteBuffer, void, WGPUQueue, WGPUBuffer, uint64_t, const void*, size_t)                           \
  X(QueueOnSubmittedWorkDone, WGPUFuture, WGPUQueue, WGPUQueueWorkDoneCallbackInfo)                         \
  X(QueueRelease, void, WGPUQueue)                                                                          \
  X(BufferMapAsync, WGPUFuture, WGPUBuffer, WGPUFlags, size_t, size_t, WGPUBufferMapCallbackInfo)           \
  X(BufferGetConstMappedRange, const void*, WGPUBuffer, size_t, size_t)                                     \
  X(BufferGetMappedRange, void*, WGPUBuffer, size_t, size_t)                                                \
  X(BufferUnmap, void, WGPUBuffer)                                                                          \
  X(BufferDestroy, void, WGPUBuffer)                                                                        \
  X(BufferRelease, void, WGPUBuffer)                                                                        \
  X(BufferSetLabel, void, WGPUBuffer, WGPUStringView)                                                       \
  X(ShaderModuleGetCompilationInfo, WGPUFuture, WGPUShaderModule, WGPUCompilationInfoCallbackInfo)          \
  X(ShaderModuleRelease, void, WGPUShaderModule)                                                            \
  X(BindGroupLayoutRelease, void, WGPUBindGroupLayout)                                                      \
  X(BindGroupRelease, void, WGPUBindGroup)                                                                  \
  X(PipelineLayoutRelease, void, WGPUPipelineLayout)                                                        \
  X(ComputePipelineRelease, void, WGPUComputePipeline)                                                      \
  X(CommandEncoderBeginComputePass, WGPUComputePassEncoder, WGPUCommandEncoder,                             \
    const WGPUComputePassDescriptor*)                                                                       \
  X(CommandEncoderCopyBufferToBuffer, void, WGPUCommandEncoder, WGPUBuffer, uint64_t, WGPUBuffer, uint64_t, \
    uint64_t)                                                                                               \
  X(CommandEncoderResolveQuerySet, void, WGPUCommandEncoder, WGPUQuerySet, uint32_t, uint32_t, WGPUBuffer,  \
    uint64_t)                                                                                               \
  X(CommandEncoderFinish, WGPUCommandBuffer, WGPUCommandEncoder, const WGPUCommandBufferDescriptor*)        \
  X(CommandEncoderRelease, void, WGPUCommandEncoder)                                                        \
  X(ComputePassEncoderSetPipeline, void, WGPUComputePassEncoder, WGPUComputePipeline)                       \
  X(ComputePassEncoderSetBindGroup, void, WGPUComputePassEncoder, uint32_t, WGPUBindGroup, size_t,          \
    const uint32_t*)                                                                                        \
  X(ComputePassEncoderDispatchWorkgroups, void, WGPUComputePassEncoder, uint32_t, uint32_t, uint32_t)       \
  X(ComputePassEncoderEnd, void, WGPUComputePassEncoder)                                                    \
  X(ComputePassEncoderRelease, void, WGPUComputePassEncoder)                                                \
  X(CommandBufferRelease, void, WGPUCommandBuffer)                                                          \
  X(QuerySetDestroy, void, WGPUQuerySet)                                                                    \
  X(QuerySetRelease, void, WGPUQuerySet)

#define WEBCONV_WGPU_DECLARE_PROC_TYPE(name, ret, ...) using WGPUProc##name = ret (*)(__VA_ARGS__);
WEBCONV_WGPU_PROCS(WEBCONV_WGPU_DECLARE_PROC_TYPE)
#undef WEBCONV_WGPU_DECLARE_PROC_TYPE
// Dawn's extension that simulates a device loss (used only by tests; optional: other libraries lack it).
using WGPUProcDeviceForceLoss = void (*)(WGPUDevice, WGPUEnum reason, WGPUStringView message);

// WGPUStringViews of long-lived strings. A temporary std::string would dangle, hence the deleted overload.
inline WGPUStringView View(const char* nul_terminated) {
  return WGPUStringView{nul_terminated, kStrlen};
}
inline WGPUStringView View(const std::string& s) {
  return WGPUStringView{s.data(), s.size()};
}
WGPUStringView View(std::string&&) = delete;

}  // namespace webconv::gpu::abi
