// The C functions the WebAssembly module exports to JS (the contract is web_abi.md, mirrored here).
// Handles are positive ints, 0 means failure and wc_last_error() says why. Strings returned are UTF-8,
// owned by the module and valid until the next call into it. Functions marked ASYNC may suspend the
// module (Asyncify) while the browser's WebGPU works: JS calls them with ccall(..., {async: true}).
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// options_json: {"backend":"webgpu"|"cpu"|"ref","profile":true|false,"firstRun":"auto"|"tuned"|"quick"|
// "quick-only"}; unknown keys are an error. ASYNC.
// While a session plans (its first run for given shapes), the module calls Module.wcProgress(session,
// phase, done, total) when JS has set it: phase "compile" (pipelines) and "run".
int wc_session_create(const uint8_t* model, size_t bytes, const char* options_json);
// An external data file for the next wc_session_create (onnxruntime-web's externalData option): `path` is
// the location the model names it by. The bytes are copied; the next wc_session_create uses and forgets
// every file added since the previous one, whether it succeeds or not. Returns 1, or 0 with wc_last_error.
int wc_external_add(const char* path, const uint8_t* data, size_t bytes);
void wc_external_clear(void);  // forgets the files added since the last wc_session_create
const char* wc_last_error(void);
const char* wc_session_info_json(int session);
// The next run's input `name`: `bytes` of `dtype` in row-major order, dims[rank]. set_input copies the
// data; take_input keeps the malloc'ed `data` itself (no copy) and frees it with the input, or at once when
// it returns 0: the caller never frees it.
int wc_session_set_input(int session, const char* name, const char* dtype, const void* data, size_t bytes,
                         const int64_t* dims, int rank);
int wc_session_take_input(int session, const char* name, const char* dtype, void* data, size_t bytes,
                          const int64_t* dims, int rank);
// The next run's input `name` on the GPU: `buffer` a handle from Module.wcgpuImportBuffer (an application's
// GPUBuffer of `buffer_size` bytes on webconv's device), copied on the GPU into the run's input.
int wc_session_set_gpu_input(int session, const char* name, const char* dtype, int buffer, double buffer_size,
                             const int64_t* dims, int rank);
// The next run leaves output `name` on the GPU: wc_session_outputs_json gives its buffer's handle ("gpu"),
// which Module.wcgpuTakeBuffer hands to the application.
int wc_session_keep_output(int session, const char* name);
int wc_session_run(int session);  // ASYNC
int wc_session_output_count(int session);
int wc_session_output(int session, int index);
// The last run's outputs: [{"name","dtype","dims","ptr","bytes"}], ptr an address in the heap valid until
// the next call that runs or releases the session; JS copies the data out from there. An output kept on
// the GPU has "gpu" (its buffer's handle) instead of "ptr".
const char* wc_session_outputs_json(int session);
// The last run's profile: wall and GPU times, per-dispatch times when profiling, and "phases" (where the
// time went) when the run planned, "quick" when it ran on the quick tier's kernels.
const char* wc_session_profile_json(int session);
// With the quick tier: compiles the tuned kernels if they are not yet, waits for them and switches to them,
// so the next run is a tuned one. 1, or 0 with wc_last_error. ASYNC.
int wc_session_settle(int session);
void wc_session_release(int session);

int wc_tensor_from_pb(const uint8_t* bytes, size_t n);
int wc_tensor_from_npy(const uint8_t* bytes, size_t n);
const char* wc_tensor_name(int tensor);
const char* wc_tensor_dtype(int tensor);
const char* wc_tensor_dims_json(int tensor);
const void* wc_tensor_data(int tensor);
size_t wc_tensor_bytes(int tensor);
void wc_tensor_release(int tensor);

const char* wc_version_json(void);

#ifdef __cplusplus
}
#endif
