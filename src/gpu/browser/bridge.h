// The functions of web/src/webgpu_bridge.js as C++ sees them (an Emscripten --js-library). Handles are
// ints into the bridge's table of JS objects. Functions marked ASYNC suspend the module (Asyncify)
// until a WebGPU promise settles. A 0 return means failure; wcgpu_take_error() then says why. Strings
// returned by the bridge are malloc'ed and freed by the caller (see TakeBridgeString). Sizes and offsets
// are doubles: JS numbers, exact for every size a browser allows.
#pragma once

#include <cstdint>
#include <string>

extern "C" {
int wcgpu_init(int want_timestamps);  // ASYNC
char* wcgpu_info_string(int key);     // 0 name, 1 backend, 2 type, 3 driver
double wcgpu_info_number(int key);    // 0-5 limits (see browser_device.cc), 6 timestamps, 7 software,
                                       // 8 subgroups, 9 the subgroup size when fixed (else 0)
char* wcgpu_take_error(void);         // nullptr when there is none
int wcgpu_device_lost(void);          // 1 once the device is lost (wcgpu_init then makes a new one)

int wcgpu_buffer_create(double size, const char* label);
void wcgpu_buffer_release(int buffer);
void wcgpu_trim_pool(void);  // destroys the released buffers the pool keeps for reuse
void wcgpu_buffer_write(int buffer, double offset, const void* data, double size);
// A run's input: written from offset 0 through the buffer's own mapped staging, copied into it by the
// next wcgpu_run (webgpu_bridge.js says why). Only for the writes of a run that follows at once.
void wcgpu_stage_write(int buffer, const void* data, double size);
int wcgpu_read(int buffer, double offset, void* data, double size);  // ASYNC
// A copy between two buffers submitted at once (queue order), without waiting.
void wcgpu_buffer_copy(int from, double from_offset, int to, double to_offset, double size);

// Starts a compile without waiting: a pending handle. finish waits for it: a pipeline handle, or 0.
int wcgpu_compile_begin(const char* name, const char* wgsl, const uint8_t* read_only, int bindings,
                        int has_uniforms);
int wcgpu_compile_finish(int pending);  // ASYNC
int wcgpu_compile_settled(int pending);  // 1 once finish would not wait (never suspends)
void wcgpu_compile_abandon(int pending);
int wcgpu_compile_message_count(void);
char* wcgpu_compile_message(int index, int* line, int* column);
void wcgpu_pipeline_release(int pipeline);

int wcgpu_program_create(void);
void wcgpu_program_add(int program, int pipeline, const int* buffers, int count, const uint8_t* uniforms,
                       int uniform_bytes, int gx, int gy, int gz, const char* label);
int wcgpu_finish_program(int program);  // ASYNC
// Runs the program and then copies each read (4 doubles: buffer handle, offset, size, heap address;
// offsets and sizes of any alignment) to the heap, in one submission and one wait.
int wcgpu_run(int program, int timed, const double* reads, int read_count);  // ASYNC
double wcgpu_program_timing(int program, int step);
void wcgpu_program_release(int program);
}

namespace webconv::gpu::browser {

// Takes ownership of a malloc'ed string from the bridge; "" for nullptr.
std::string TakeBridgeString(char* s);

}  // namespace webconv::gpu::browser
