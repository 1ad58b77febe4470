// The WebAssembly module's bridge to the browser's WebGPU (navigator.gpu), linked with --js-library.
// C++ (src/gpu/browser/) sees integer handles; the JS objects live in a table here and are destroyed
// when C++ releases them. Functions that wait on a WebGPU promise (device request, buffer mapping,
// shader compilation info, error scopes, queue completion) suspend the module through Asyncify; they
// are listed in ASYNCIFY_IMPORTS by web/CMakeLists.txt. Every function reports failure by returning 0
// and leaving a message for wcgpu_take_error, never by throwing into the module.
mergeInto(LibraryManager.library, {
  $WCGPU: {
    adapter: null,
    device: null,
    info: null,             // {name, backend, type, driver, software, timestamps, limits}
    lost: null,             // the device-lost message, once lost
    errors: [],             // uncaptured errors and failures of bridge calls, oldest first
    objects: null,          // Map: handle -> JS object (buffer record, pipeline record, program)
    nextHandle: 1,
    freeBuffers: null,      // Map: `${usage}:${size}` -> [GPUBuffer], the pool behind released handles
    stagedCopies: null,     // Map: destination handle -> its staging record, copied by the next wcgpu_run
    kStageBytes: 256 * 1024, // wcgpu_stage_write: smaller writes go through queue.writeBuffer
    compileMessages: [],    // the last failed compilation's error messages
    add: function(obj) {
      const h = WCGPU.nextHandle++;
      WCGPU.objects.set(h, obj);
      return h;
    },
    fail: function(message) {
      if (WCGPU.errors.length < 16) WCGPU.errors.push(String(message));
      return 0;
    },
    // A buffer from the pool, or a new one. Validation errors surface through the device's error
    // handler and are collected by the next wcgpu_take_error.
    acquire: function(usage, size, label) {
      const list = WCGPU.freeBuffers.get(usage + ':' + size);
      if (list && list.length) {
        const b = list.pop();
        b.label = label;
        return b;
      }
      return WCGPU.device.createBuffer({size, usage, label});
    },
    recycle: function(usage, size, buffer, device) {
      // A buffer of a lost (or replaced) device is of no use to the current one.
      if (WCGPU.lost || device !== WCGPU.device) {
        buffer.destroy();
        return;
      }
      const key = usage + ':' + size;
      if (!WCGPU.freeBuffers.has(key)) WCGPU.freeBuffers.set(key, []);
      WCGPU.freeBuffers.get(key).push(buffer);
    },
    heapString: function(s) {
      const n = lengthBytesUTF8(s) + 1;
      const p = _malloc(n);
      stringToUTF8(s, p, n);
      return p;
    },
    pushScopes: function(device) {
      device.pushErrorScope('validation');
      device.pushErrorScope('out-of-memory');
      device.pushErrorScope('internal');
    },
    // Pops the three scopes; the first error's text (prefixed by its kind), or '' when none.
    // Makes `device` webconv's: error and loss reporting, adapter facts, limits. A device the application
    // shares (env.webgpu.device) keeps its own handlers: webconv adds a listener instead of replacing them.
    adopt: function(device, adapter, wantTimestamps) {
      const timestamps = !!wantTimestamps && device.features.has('timestamp-query');
      device.lost.then((info) => {
        if (WCGPU.device !== device || info.reason === 'destroyed') return;
        WCGPU.lost = (info.message || 'no message') + ' (reason ' + info.reason + ')';
      });
      device.addEventListener('uncapturederror', (ev) => {
        if (WCGPU.device !== device) return;
        const e = ev.error;
        const kind = (typeof GPUValidationError != 'undefined' && e instanceof GPUValidationError) ? 'validation error: '
                   : (typeof GPUOutOfMemoryError != 'undefined' && e instanceof GPUOutOfMemoryError) ? 'out-of-memory error: '
                   : 'internal error: ';
        WCGPU.fail(kind + e.message);
      });
      const ai = (adapter && adapter.info) || device.adapterInfo || {};
      const name = ai.description || [ai.vendor, ai.architecture, ai.device].filter((s) => s).join(' ') || 'unknown adapter';
      const software = !!(ai.isFallbackAdapter || (adapter && adapter.isFallbackAdapter)) ||
                       /swiftshader|llvmpipe|software|warp/i.test([ai.vendor, ai.architecture, ai.description].join(' '));
      // Subgroups, and their size when the adapter says it never varies (SwiftShader: 4, its SIMD width),
      // which the quad GEMM kernels need (ops/quad_gemm.h).
      const subgroups = device.features.has('subgroups');
      const fixedSubgroupSize = subgroups && ai.subgroupMinSize && ai.subgroupMinSize === ai.subgroupMaxSize
                              ? ai.subgroupMinSize : 0;
      const dl = device.limits;
      WCGPU.adapter = adapter;
      WCGPU.device = device;
      if (Module.webconvWebgpu) {
        Module.webconvWebgpu.device = device;
        Module.webconvWebgpu.adapter = adapter || undefined;
      }
      WCGPU.info = {
        name,
        // The browser does not say which native API it drives: the backend is the browser's WebGPU.
        backend: 'WebGPU (browser)',
        type: software ? 'CPU' : 'unknown',
        driver: [ai.vendor, ai.architecture, ai.device, ai.description].filter((s) => s).join(' / '),
        software,
        timestamps,
        subgroups,
        fixedSubgroupSize,
        limits: [dl.maxBufferSize, dl.maxStorageBufferBindingSize, dl.maxStorageBuffersPerShaderStage,
                 dl.maxComputeInvocationsPerWorkgroup, dl.maxComputeWorkgroupsPerDimension,
                 dl.maxComputeWorkgroupStorageSize],
      };
      return 1;
    },

    popScopes: async function(device) {
      let first = '';
      for (const kind of ['internal', 'out-of-memory', 'validation']) {
        const e = await device.popErrorScope();
        if (e && !first) first = kind + ' error: ' + e.message;
      }
      return first;
    },
  },

  // The library serializer writes plain data only: the Maps are made when the glue starts.
  // Module.wcgpuImportBuffer(GPUBuffer) puts an application's buffer (a 'gpu-buffer' input) in the table
  // for C++; Module.wcgpuTakeBuffer(handle) hands a buffer the core made (a 'gpu-buffer' output) to the
  // application. Either way the buffer is the application's: releasing its handle never pools it.
  $WCGPU__postset: 'WCGPU.objects = new Map(); WCGPU.freeBuffers = new Map(); WCGPU.stagedCopies = new Map();' +
      'Module["wcgpuImportBuffer"] = function(buffer) {' +
      '  return WCGPU.add({buffer, usage: buffer.usage, size: buffer.size, device: WCGPU.device, user: true});' +
      '};' +
      'Module["wcgpuTakeBuffer"] = function(h) {' +
      '  const r = WCGPU.objects.get(h);' +
      '  r.user = true;' +
      '  return r.buffer;' +
      '};',

  wcgpu_init__deps: ['$WCGPU', '$Asyncify'],
  wcgpu_init: function(wantTimestamps) {
    return Asyncify.handleAsync(async () => {
      if (WCGPU.device && !WCGPU.lost) return 1;
      // env.webgpu (webconv.mjs), read when webconv makes its device, as onnxruntime-web reads it: a device
      // the application shares, or how to request one. Afterwards it names the device webconv runs on.
      const settings = Module.webconvWebgpu || {};
      const shared = settings.device && !WCGPU.lost ? settings.device : null;
      WCGPU.device = null;
      WCGPU.lost = null;
      WCGPU.freeBuffers = new Map();
      WCGPU.stagedCopies = new Map();
      if (shared) return WCGPU.adopt(shared, settings.adapter || null, !!wantTimestamps);
      if (typeof navigator == 'undefined' || !navigator.gpu) {
        const node = typeof process != 'undefined' && process.versions && process.versions.node;
        return WCGPU.fail(node
          ? 'WebGPU is missing: Node has no navigator.gpu; set globalThis.navigator = {gpu: create([])} with ' +
            'create from npm\'s "webgpu" package (Dawn for Node), or give env.webgpu.device, or use backend "cpu"'
          : 'WebGPU is missing: this browser has no navigator.gpu (it needs a WebGPU-enabled ' +
            'browser and a secure context: https or localhost); use backend "cpu" instead');
      }
      let adapter = settings.adapter || null;
      try {
        if (!adapter) {
          adapter = await navigator.gpu.requestAdapter({powerPreference: settings.powerPreference || 'high-performance',
                                                        forceFallbackAdapter: !!settings.forceFallbackAdapter});
        }
      } catch (e) {
        return WCGPU.fail('WebGPU is missing: navigator.gpu.requestAdapter failed: ' + e.message);
      }
      if (!adapter) {
        return WCGPU.fail('WebGPU is missing: navigator.gpu.requestAdapter found no adapter (WebGPU may be ' +
                          'disabled or blocked for this GPU); use backend "cpu" instead');
      }
      const al = adapter.limits;
      const timestamps = !!wantTimestamps && adapter.features.has('timestamp-query');
      // Limits the kernels care about are raised to the adapter's maximum, as the native backend does.
      const requiredLimits = {};
      for (const k of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxStorageBuffersPerShaderStage',
                       'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup',
                       'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupSizeZ',
                       'maxComputeWorkgroupsPerDimension']) {
        requiredLimits[k] = al[k];
      }
      let device;
      try {
        // Subgroups whenever offered, as natively: the software adapter's GEMM kernels use them.
        const requiredFeatures = timestamps ? ['timestamp-query'] : [];
        if (adapter.features.has('subgroups')) requiredFeatures.push('subgroups');
        device = await adapter.requestDevice({label: 'webconv', requiredLimits, requiredFeatures});
      } catch (e) {
        return WCGPU.fail('requesting a WebGPU device failed: ' + e.message);
      }
      return WCGPU.adopt(device, adapter, timestamps);
    });
  },

  // 1 when the device was lost (a later wcgpu_init makes a new one).
  wcgpu_device_lost__deps: ['$WCGPU'],
  wcgpu_device_lost: function() { return WCGPU.lost ? 1 : 0; },

  // Adapter facts as strings (0 name, 1 backend, 2 type, 3 driver); the caller frees the result.
  wcgpu_info_string__deps: ['$WCGPU', 'malloc'],
  wcgpu_info_string: function(key) {
    const i = WCGPU.info;
    return WCGPU.heapString([i.name, i.backend, i.type, i.driver][key] || '');
  },
  // Numbers: 0-5 the device limits (see `limits` above), 6 has timestamps, 7 is software.
  wcgpu_info_number__deps: ['$WCGPU'],
  wcgpu_info_number: function(key) {
    const i = WCGPU.info;
    if (key < 6) return i.limits[key];
    if (key === 6) return i.timestamps ? 1 : 0;
    if (key === 7) return i.software ? 1 : 0;
    return key === 8 ? (i.subgroups ? 1 : 0) : i.fixedSubgroupSize;
  },

  // The errors recorded since the last call, one per line, as a string the caller frees; 0 when none.
  // A lost device is always reported, first.
  wcgpu_take_error__deps: ['$WCGPU', 'malloc'],
  wcgpu_take_error: function() {
    let text = WCGPU.errors.join('\n');
    WCGPU.errors = [];
    if (WCGPU.lost) text = 'the GPU device was lost: ' + WCGPU.lost + (text ? '\n' + text : '');
    return text ? WCGPU.heapString(text) : 0;
  },

  wcgpu_buffer_create__deps: ['$WCGPU'],
  wcgpu_buffer_create: function(size, label) {
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    const buffer = WCGPU.acquire(usage, size, UTF8ToString(label));
    return WCGPU.add({buffer, usage, size, device: WCGPU.device});
  },
  wcgpu_buffer_release__deps: ['$WCGPU'],
  wcgpu_buffer_release: function(h) {
    const r = WCGPU.objects.get(h);
    WCGPU.objects.delete(h);
    WCGPU.stagedCopies.delete(h);
    if (r && r.staging) r.staging.buffer.destroy();
    if (r && !r.user) WCGPU.recycle(r.usage, r.size, r.buffer, r.device);
  },
  // Destroys the pooled (released, unused) buffers: called when a session goes, so that its memory is
  // given back to the browser rather than kept for reuse.
  wcgpu_trim_pool__deps: ['$WCGPU'],
  wcgpu_trim_pool: function() {
    for (const list of WCGPU.freeBuffers.values()) {
      for (const b of list) b.destroy();
    }
    WCGPU.freeBuffers = new Map();
  },
  wcgpu_buffer_write__deps: ['$WCGPU'],
  wcgpu_buffer_write: function(h, offset, ptr, size) {
    const r = WCGPU.objects.get(h);
    // writeBuffer copies the bytes out of the heap before it returns.
    WCGPU.device.queue.writeBuffer(r.buffer, offset, HEAPU8, ptr, size);
  },

  // A run's input (size a multiple of 4, written from offset 0), through a staging buffer that belongs to
  // the destination and stays with it between runs (MAP_WRITE | COPY_SRC), as the native build does: the
  // bytes go from the heap into its mapped range once, and the next wcgpu_run copies it into the
  // destination in its own submission, then maps it again for the run after. queue.writeBuffer stages
  // through a fresh allocation on every call: under dawn.node on the H100 machine it took 7.6 ms for
  // DBNet's 11 MB input, against 1.5 ms for the native build's memcpy. Small writes, and a staging whose
  // next map has not come back yet, go through writeBuffer.
  wcgpu_stage_write__deps: ['$WCGPU'],
  wcgpu_stage_write: function(h, ptr, size) {
    const r = WCGPU.objects.get(h);
    const device = WCGPU.device;
    WCGPU.stagedCopies.delete(h);  // this write replaces any earlier one not yet copied
    let st = r.staging;
    if (st && (st.size !== size || st.device !== device)) {
      st.buffer.destroy();
      st = r.staging = null;
    }
    if (size < WCGPU.kStageBytes || (st && !st.mapped)) {
      device.queue.writeBuffer(r.buffer, 0, HEAPU8, ptr, size);
      return;
    }
    if (!st) {
      st = r.staging = {size, device, mapped: true, buffer: device.createBuffer(
          {size, usage: GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC, mappedAtCreation: true,
           label: 'input staging'})};
    }
    new Uint8Array(st.buffer.getMappedRange(0, size)).set(HEAPU8.subarray(ptr, ptr + size));
    st.buffer.unmap();
    st.mapped = false;
    WCGPU.stagedCopies.set(h, {staging: st, destination: r.buffer});
  },

  // A GPU-side copy between two buffers, submitted at once: queue order puts it after the work
  // submitted before and before the next run (inputs and outputs that stay on the GPU).
  wcgpu_buffer_copy__deps: ['$WCGPU'],
  wcgpu_buffer_copy: function(from, fromOffset, to, toOffset, size) {
    const device = WCGPU.device;
    const encoder = device.createCommandEncoder({label: 'webconv copy'});
    encoder.copyBufferToBuffer(WCGPU.objects.get(from).buffer, fromOffset, WCGPU.objects.get(to).buffer, toOffset, size);
    device.queue.submit([encoder.finish()]);
  },

  // Copies [offset, offset+size) of buffer h (both multiples of 4) into the heap at ptr.
  wcgpu_read__deps: ['$WCGPU', '$Asyncify'],
  wcgpu_read: function(h, offset, ptr, size) {
    return Asyncify.handleAsync(async () => {
      const r = WCGPU.objects.get(h);
      const device = WCGPU.device;
      // Staging sizes are powers of two (min 256 B) so that the pool reuses them across reads.
      let staging = 256;
      while (staging < size) staging *= 2;
      if (staging > WCGPU.info.limits[0]) staging = Math.ceil(size / 16) * 16;
      const usage = GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;
      const buffer = WCGPU.acquire(usage, staging, 'readback');
      const encoder = device.createCommandEncoder();
      encoder.copyBufferToBuffer(r.buffer, offset, buffer, 0, size);
      device.queue.submit([encoder.finish()]);
      try {
        await buffer.mapAsync(GPUMapMode.READ, 0, size);
      } catch (e) {
        buffer.destroy();  // a map may still be pending on it: never reuse it
        return WCGPU.fail('mapping the readback buffer failed: ' + e.message);
      }
      HEAPU8.set(new Uint8Array(buffer.getMappedRange(0, size)), ptr);
      buffer.unmap();
      WCGPU.recycle(usage, staging, buffer, device);
      return 1;
    });
  },

  // Compiling is split in two so that a batch of kernels compiles concurrently. wcgpu_compile_begin
  // creates the shader module and the explicit bind group layout (storage bindings 0..n-1 read-only or
  // not, then the uniform block at n) and starts createComputePipelineAsync with entry point `main`,
  // without waiting; it returns a pending handle. wcgpu_compile_finish waits for that kernel's
  // compilation messages and pipeline and returns a pipeline handle, or 0 (compile errors are then kept
  // for wcgpu_compile_message). wcgpu_compile_abandon drops a pending compile after an earlier failure
  // (or a background compile nobody waits for).
  wcgpu_compile_begin__deps: ['$WCGPU'],
  wcgpu_compile_begin: function(namePtr, wgslPtr, readOnlyPtr, n, hasUniforms) {
    const device = WCGPU.device;
    const label = UTF8ToString(namePtr);
    const code = UTF8ToString(wgslPtr);
    const readOnly = Array.from(HEAPU8.subarray(readOnlyPtr, readOnlyPtr + n));
    const entries = [];
    for (let i = 0; i < n + (hasUniforms ? 1 : 0); ++i) {
      entries.push({binding: i, visibility: GPUShaderStage.COMPUTE,
                    buffer: {type: i >= n ? 'uniform' : readOnly[i] ? 'read-only-storage' : 'storage'}});
    }
    // The scopes are popped at once (error scopes are a stack shared by every pending compile); their
    // promises settle later.
    WCGPU.pushScopes(device);
    const module = device.createShaderModule({label, code});
    const layout = device.createBindGroupLayout({label, entries});
    const pipelineLayout = device.createPipelineLayout({label, bindGroupLayouts: [layout]});
    const scopes = WCGPU.popScopes(device);
    const info = module.getCompilationInfo();
    const pipeline = device.createComputePipelineAsync({label, layout: pipelineLayout,
                                                        compute: {module, entryPoint: 'main'}});
    // A rejection is read in wcgpu_compile_finish; until then it must not count as unhandled.
    pipeline.catch(() => {});
    const c = {pending: true, info, scopes, pipeline, layout, settled: false};
    Promise.allSettled([info, scopes, pipeline]).then(() => { c.settled = true; });
    return WCGPU.add(c);
  },
  // 1 once every promise of a pending compile has settled (wcgpu_compile_finish would not wait): the
  // background compile (StartCompile) asks this between runs instead of suspending the module.
  wcgpu_compile_settled__deps: ['$WCGPU'],
  wcgpu_compile_settled: function(h) {
    const c = WCGPU.objects.get(h);
    return c && c.settled ? 1 : 0;
  },
  wcgpu_compile_finish__deps: ['$WCGPU', '$Asyncify'],
  wcgpu_compile_finish: function(h) {
    return Asyncify.handleAsync(async () => {
      const c = WCGPU.objects.get(h);
      WCGPU.objects.delete(h);
      WCGPU.compileMessages = [];
      const info = await c.info;
      const errors = info.messages.filter((m) => m.type === 'error');
      if (errors.length) {
        WCGPU.compileMessages = errors.map((m) => ({line: m.lineNum, column: m.linePos, text: m.message}));
        return 0;
      }
      const moduleError = await c.scopes;
      if (moduleError) return WCGPU.fail('creating the shader module: ' + moduleError);
      let pipeline;
      try {
        pipeline = await c.pipeline;
      } catch (e) {
        return WCGPU.fail('creating the compute pipeline: ' + e.message);
      }
      return WCGPU.add({pipeline, layout: c.layout});
    });
  },
  wcgpu_compile_abandon__deps: ['$WCGPU'],
  wcgpu_compile_abandon: function(h) { WCGPU.objects.delete(h); },
  wcgpu_compile_message_count__deps: ['$WCGPU'],
  wcgpu_compile_message_count: function() { return WCGPU.compileMessages.length; },
  // Message i of the last failed compilation: its text (the caller frees it), line and column (1-based).
  wcgpu_compile_message__deps: ['$WCGPU', 'malloc'],
  wcgpu_compile_message: function(i, linePtr, columnPtr) {
    const m = WCGPU.compileMessages[i];
    HEAP32[linePtr >> 2] = m.line;
    HEAP32[columnPtr >> 2] = m.column;
    return WCGPU.heapString(m.text);
  },

  // A program: dispatches with their bind groups and uniform buffers made once. Its creation runs
  // inside error scopes, opened here and closed by wcgpu_finish_program.
  wcgpu_program_create__deps: ['$WCGPU'],
  wcgpu_program_create: function() {
    WCGPU.pushScopes(WCGPU.device);
    return WCGPU.add({steps: [], uniforms: [], querySet: null, resolve: null, readback: null, timings: []});
  },
  wcgpu_program_add__deps: ['$WCGPU'],
  wcgpu_program_add: function(h, pipelineHandle, buffersPtr, n, uniformsPtr, uniformBytes, gx, gy, gz, labelPtr) {
    const prog = WCGPU.objects.get(h);
    const p = WCGPU.objects.get(pipelineHandle);
    const label = UTF8ToString(labelPtr);
    const entries = [];
    for (let i = 0; i < n; ++i) {
      entries.push({binding: i, resource: {buffer: WCGPU.objects.get(HEAP32[(buffersPtr >> 2) + i]).buffer}});
    }
    if (uniformBytes > 0) {
      const size = Math.ceil(uniformBytes / 16) * 16;
      const usage = GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST;
      const buffer = WCGPU.acquire(usage, size, label + ' uniforms');
      const padded = new Uint8Array(size);
      padded.set(HEAPU8.subarray(uniformsPtr, uniformsPtr + uniformBytes));
      WCGPU.device.queue.writeBuffer(buffer, 0, padded);
      prog.uniforms.push({usage, size, buffer, device: WCGPU.device});
      entries.push({binding: n, resource: {buffer}});
    }
    const bindGroup = WCGPU.device.createBindGroup({label, layout: p.layout, entries});
    prog.steps.push({pipeline: p.pipeline, bindGroup, groups: [gx, gy, gz], label});
  },
  wcgpu_finish_program__deps: ['$WCGPU', '$Asyncify'],
  wcgpu_finish_program: function(h) {
    return Asyncify.handleAsync(async () => {
      const e = await WCGPU.popScopes(WCGPU.device);
      return e ? WCGPU.fail(e) : 1;
    });
  },

  // Submits a program and waits for it. Untimed: one compute pass for all dispatches (WebGPU orders
  // them and makes each one's writes visible to the next). Timed: one pass per dispatch with
  // beginning/end timestamp writes, resolved and read back into the program's timings (ms). The reads
  // (readCount entries of 4 doubles at readsPtr: buffer handle, offset, size, heap address) are copied
  // to staging buffers in the same submission; the error scopes, the queue and every map are awaited
  // together, so a run is one suspension of the module and one round trip to the GPU.
  wcgpu_run__deps: ['$WCGPU', '$Asyncify'],
  wcgpu_run: function(h, timed, readsPtr, readCount) {
    return Asyncify.handleAsync(async () => {
      const device = WCGPU.device;
      const prog = WCGPU.objects.get(h);
      const n = prog.steps.length;
      timed = timed && n > 0;
      if (timed && !prog.querySet) {
        // WebGPU caps a query set at 4096 queries: a longer program is timed in one set of its first
        // 2048 dispatches, the rest report 0.
        prog.queryCount = Math.min(2 * n, 4096);
        prog.querySet = device.createQuerySet({type: 'timestamp', count: prog.queryCount});
        prog.resolve = device.createBuffer({size: 8 * prog.queryCount,
                                            usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC});
        prog.readback = device.createBuffer({size: 8 * prog.queryCount,
                                             usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST});
      }
      WCGPU.pushScopes(device);
      const encoder = device.createCommandEncoder({label: 'webconv program'});
      // The inputs staged by wcgpu_stage_write, copied ahead of the dispatches.
      const staged = [...WCGPU.stagedCopies.values()];
      WCGPU.stagedCopies.clear();
      for (const c of staged) encoder.copyBufferToBuffer(c.staging.buffer, 0, c.destination, 0, c.staging.size);
      let pass = null, current = null;
      for (let i = 0; i < n; ++i) {
        const s = prog.steps[i];
        const timedStep = timed && 2 * i + 1 < prog.queryCount;
        if (!pass || timed) {
          current = null;
          pass = encoder.beginComputePass(timedStep ? {label: s.label, timestampWrites: {
            querySet: prog.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1}}
                                                    : {label: timed ? s.label : 'webconv program'});
        }
        if (s.pipeline !== current) pass.setPipeline(s.pipeline);  // consecutive steps often share one
        current = s.pipeline;
        pass.setBindGroup(0, s.bindGroup);
        pass.dispatchWorkgroups(s.groups[0], s.groups[1], s.groups[2]);
        if (timed) {
          pass.end();
          pass = null;
        }
      }
      if (pass) pass.end();
      if (timed) {
        encoder.resolveQuerySet(prog.querySet, 0, prog.queryCount, prog.resolve, 0);
        encoder.copyBufferToBuffer(prog.resolve, 0, prog.readback, 0, 8 * prog.queryCount);
      }
      const reads = [];
      const usage = GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;
      for (let k = 0; k < readCount; ++k) {
        const base = (readsPtr >> 3) + 4 * k;
        const r = WCGPU.objects.get(HEAPF64[base]);
        const offset = HEAPF64[base + 1], size = HEAPF64[base + 2], dst = HEAPF64[base + 3];
        if (size === 0) continue;
        const begin = Math.floor(offset / 4) * 4, length = Math.ceil((offset + size) / 4) * 4 - begin;
        // Staging sizes are powers of two (min 256 B) so that the pool reuses them from run to run.
        let staging = 256;
        while (staging < length) staging *= 2;
        if (staging > WCGPU.info.limits[0]) staging = Math.ceil(length / 16) * 16;
        const buffer = WCGPU.acquire(usage, staging, 'readback');
        encoder.copyBufferToBuffer(r.buffer, begin, buffer, 0, length);
        reads.push({buffer, staging, skip: offset - begin, size, dst, length});
      }
      device.queue.submit([encoder.finish()]);
      // Each staging is mapped again for the next run's input; a failed map (device lost, buffer gone)
      // leaves it unmapped, and the next write then goes through writeBuffer.
      for (const c of staged) {
        const st = c.staging;
        st.buffer.mapAsync(GPUMapMode.WRITE).then(() => { st.mapped = true; }, () => {});
      }
      const scopes = WCGPU.popScopes(device);
      const maps = reads.map((r) => r.buffer.mapAsync(GPUMapMode.READ, 0, r.length).then(() => null, (e) => e));
      const [scopeError, , ...mapErrors] = await Promise.all([scopes, device.queue.onSubmittedWorkDone(), ...maps]);
      let failed = null;
      for (let k = 0; k < reads.length; ++k) {
        const r = reads[k];
        if (mapErrors[k]) {
          r.buffer.destroy();  // a map may still be pending on it: never reuse it
          failed = failed || 'mapping the readback buffer failed: ' + mapErrors[k].message;
          continue;
        }
        HEAPU8.set(new Uint8Array(r.buffer.getMappedRange(0, r.length), r.skip, r.size), r.dst);
        r.buffer.unmap();
        WCGPU.recycle(usage, r.staging, r.buffer, device);
      }
      if (WCGPU.lost) return 0;
      if (scopeError) return WCGPU.fail('running a program: ' + scopeError);
      if (failed) return WCGPU.fail(failed);
      prog.timings = new Float64Array(n);
      if (timed) {
        try {
          await prog.readback.mapAsync(GPUMapMode.READ);
        } catch (err) {
          return WCGPU.fail('mapping the timestamp readback failed: ' + err.message);
        }
        const ticks = new BigUint64Array(prog.readback.getMappedRange().slice(0));
        prog.readback.unmap();
        for (let i = 0; 2 * i + 1 < prog.queryCount; ++i) {
          const begin = ticks[2 * i], end = ticks[2 * i + 1];
          // Nanoseconds; a pass whose end precedes its begin counts as zero, as natively.
          prog.timings[i] = end > begin ? Number(end - begin) / 1e6 : 0;
        }
      }
      return 1;
    });
  },
  wcgpu_program_timing__deps: ['$WCGPU'],
  wcgpu_program_timing: function(h, i) {
    const prog = WCGPU.objects.get(h);
    return prog && i < prog.timings.length ? prog.timings[i] : 0;
  },
  wcgpu_program_release__deps: ['$WCGPU'],
  wcgpu_program_release: function(h) {
    const prog = WCGPU.objects.get(h);
    WCGPU.objects.delete(h);
    if (!prog) return;
    for (const u of prog.uniforms) WCGPU.recycle(u.usage, u.size, u.buffer, u.device);
    if (prog.querySet) prog.querySet.destroy();
    if (prog.resolve) prog.resolve.destroy();
    if (prog.readback) prog.readback.destroy();
  },
  wcgpu_pipeline_release__deps: ['$WCGPU'],
  wcgpu_pipeline_release: function(h) { WCGPU.objects.delete(h); },
});
