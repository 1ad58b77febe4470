// webconv's JavaScript API: an ES module shaped like onnxruntime-web's (InferenceSession, Tensor), so that an
// application can swap one for the other. It drives the WebAssembly core (webconv-core.mjs + webconv.wasm,
// the C functions of src/web/) and adds what onnxruntime-web does not expose: the last run's profile (wall
// and per-node GPU times), the adapter the session runs on, and the core's version.
//
// The core is one Emscripten module built with Asyncify: only one call into it may be in flight at a time,
// and while an asynchronous call is suspended no other call may enter it. Every call therefore goes through
// one queue (`serialize`), sessions included, so concurrent `run`s from the page are safe.

export const version = '0.1.0';

const isNode = typeof process !== 'undefined' && !!process.versions && !!process.versions.node &&
               typeof window === 'undefined';

/**
 * Settings, shaped like onnxruntime-web's `env` so that code written for it runs unchanged.
 * Read when the core is first loaded (wasm paths) or when a session is created (WebGPU device).
 */
export const env = {
  /** Where webconv-core.mjs and webconv.wasm live; default: next to this module. Same as env.wasm.wasmPaths. */
  wasmPaths: undefined,
  wasm: {
    /** A URL prefix for webconv-core.mjs and webconv.wasm, or {wasm, mjs} with each file's URL. */
    wasmPaths: undefined,
    /** Accepted for onnxruntime-web compatibility: webconv's CPU backends run on one thread in the browser build. */
    numThreads: 0,
    simd: true,
    proxy: false,
    initTimeout: 0,
  },
  webgpu: {
    /**
     * A GPUDevice to run on, shared with the application; when unset webconv requests its own. Read when
     * webconv makes its device (the first WebGPU session, or the first after a device loss); from then on
     * it is the device webconv runs on, as in onnxruntime-web.
     */
    device: undefined,
    /** The GPUAdapter `device` came from (for the adapter's name); or an adapter webconv requests its device from. */
    adapter: undefined,
    /** Passed to navigator.gpu.requestAdapter when webconv requests its own adapter. */
    powerPreference: 'high-performance',
    forceFallbackAdapter: false,
    profiling: { mode: 'off' },
  },
  logLevel: 'warning',
  debug: false,
  /** Where the core's own log lines go (stdout/stderr of the C++ side). */
  logger: { log: (s) => console.log(s), error: (s) => console.error(s) },
  versions: { webconv: version },
};

// Settings webconv accepts but does not act on are said once, not silently dropped.
const warnedSettings = new Set();
function noEffect(setting, why) {
  if (warnedSettings.has(setting)) return;
  warnedSettings.add(setting);
  env.logger.error(`webconv: ${setting} has no effect: ${why}`);
}

// --- Data types -------------------------------------------------------------------------------------------

// Element types as onnxruntime-web spells them, with the typed array holding their data.
const kArrayTypes = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,     // one byte per element, 0 or 1
  float16: Uint16Array, // raw IEEE half bits (onnxruntime-web also accepts Uint16Array here)
};

// The type a typed array stands for when `new Tensor(data, dims)` is given no type.
function typeOfArray(data) {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array || data instanceof Uint8ClampedArray) return 'uint8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof BigInt64Array) return 'int64';
  if (data instanceof BigUint64Array) return 'uint64';
  throw new TypeError('Tensor: cannot infer the element type of the data; pass the type first');
}

function checkDims(dims) {
  if (!Array.isArray(dims) && !ArrayBuffer.isView(dims)) throw new TypeError('Tensor: dims must be an array');
  const out = Array.from(dims, Number);
  for (const d of out)
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`Tensor: invalid dimension ${d} in [${out}]`);
  return out;
}

// A GPU-buffer tensor's download (its data as a typed array, the tensor unchanged), for feeds the core
// needs on the host.
const kDownload = Symbol('download');
const kGpuUsageCopySrc = 0x0004, kGpuUsageCopyDst = 0x0008, kGpuUsageStorage = 0x0080, kGpuUsageMapRead = 0x0001;

// The first `bytes` of a GPUBuffer (usage COPY_SRC) of `device`, as a new ArrayBuffer.
async function downloadGpuBuffer(device, buffer, bytes) {
  const size = Math.ceil(bytes / 4) * 4;
  const staging = device.createBuffer({ size: Math.max(size, 4), usage: kGpuUsageMapRead | kGpuUsageCopyDst,
                                        label: 'webconv download' });
  try {
    const encoder = device.createCommandEncoder({ label: 'webconv download' });
    if (size) encoder.copyBufferToBuffer(buffer, 0, staging, 0, size);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(1 /* GPUMapMode.READ */);
    return staging.getMappedRange(0, Math.max(size, 4)).slice(0, bytes);
  } finally {
    staging.destroy();
  }
}

/**
 * A dense tensor as onnxruntime-web's Tensor: element type, dims, and the data on the host (`data`, a typed
 * array, row-major) or on the GPU (`location` 'gpu-buffer', `gpuBuffer`; Tensor.fromGpuBuffer).
 */
export class Tensor {
  #data = undefined;
  #gpuBuffer = undefined;
  #downloader = undefined;
  #disposer = undefined;
  #downloading = false;

  constructor(typeOrData, dataOrDims, maybeDims) {
    let type, data, dims;
    if (typeof typeOrData === 'string') {
      type = typeOrData;
      data = dataOrDims;
      dims = maybeDims;
    } else {
      data = typeOrData;
      dims = dataOrDims;
      type = Array.isArray(data) ? (typeof data[0] === 'boolean' ? 'bool' : 'float32') : typeOfArray(data);
    }
    const ArrayType = kArrayTypes[type];
    if (!ArrayType) throw new TypeError(`Tensor: unsupported type '${type}'`);
    if (Array.isArray(data)) {
      data = type === 'int64' || type === 'uint64' ? ArrayType.from(data, (v) => BigInt(v))
                                                   : ArrayType.from(data, (v) => Number(v));
    } else if (!(data instanceof ArrayType) && !(type === 'uint8' && data instanceof Uint8ClampedArray)) {
      throw new TypeError(`Tensor: a '${type}' tensor needs a ${ArrayType.name}, got ${data?.constructor?.name}`);
    }
    dims = dims === undefined ? [data.length] : checkDims(dims);
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length)
      throw new RangeError(`Tensor: dims [${dims}] hold ${size} elements but the data has ${data.length}`);
    this.type = type;
    this.data = data;
    this.dims = dims;
    this.size = size;
    this.location = 'cpu';
  }

  /**
   * A tensor whose data is in a GPUBuffer, as onnxruntime-web's Tensor.fromGpuBuffer. options: dataType
   * (float32, int32 and uint32 go to the GPU kernels directly; other types are downloaded for the run),
   * dims, download (async () => typed array; getData() calls it), dispose (called by dispose()). As a
   * feed, the buffer must belong to webconv's device (env.webgpu.device, or the device given there) and
   * have usage COPY_SRC; it is copied on the GPU into the run's input.
   */
  static fromGpuBuffer(gpuBuffer, options = {}) {
    if (!gpuBuffer || typeof gpuBuffer.size !== 'number' || typeof gpuBuffer.usage !== 'number')
      throw new TypeError('Tensor.fromGpuBuffer: the first argument must be a GPUBuffer');
    const type = options.dataType;
    const ArrayType = kArrayTypes[type];
    if (!ArrayType) throw new TypeError(`Tensor.fromGpuBuffer: unsupported dataType '${type}'`);
    const dims = checkDims(options.dims ?? []);
    const size = dims.reduce((a, b) => a * b, 1);
    if (gpuBuffer.size < size * ArrayType.BYTES_PER_ELEMENT)
      throw new RangeError(`Tensor.fromGpuBuffer: a ${type}[${dims}] tensor needs ${size * ArrayType.BYTES_PER_ELEMENT} ` +
                           `bytes, the buffer has ${gpuBuffer.size}`);
    const t = new Tensor(type, new ArrayType(0), [0]);
    t.dims = dims;
    t.size = size;
    t.data = undefined;
    t.location = 'gpu-buffer';
    t.#gpuBuffer = gpuBuffer;
    t.#downloader = options.download;
    t.#disposer = options.dispose;
    return t;
  }

  /** The data on the host (a typed array); a 'gpu-buffer' tensor has it only after getData(). */
  get data() {
    if (this.location === 'gpu-buffer')
      throw new Error('Tensor: the data is on the GPU (location gpu-buffer): use await tensor.getData(), or tensor.gpuBuffer');
    return this.#data;
  }
  set data(value) {
    this.#data = value;
  }

  /** The GPUBuffer of a 'gpu-buffer' tensor. */
  get gpuBuffer() {
    if (this.location !== 'gpu-buffer') throw new Error(`Tensor: the data is not on the GPU (location '${this.location}')`);
    return this.#gpuBuffer;
  }

  /**
   * The data, as onnxruntime-web's Tensor.getData(releaseData). A 'gpu-buffer' tensor is downloaded (its
   * `download` option) and becomes a host tensor; releaseData then also disposes of its GPU buffer.
   */
  async getData(releaseData) {
    if (this.location === 'gpu-buffer') {
      if (this.#downloading) throw new Error('Tensor.getData: the tensor is being downloaded');
      this.#downloading = true;
      try {
        const data = await this[kDownload]();
        this.location = 'cpu';
        this.data = data;
        this.#gpuBuffer = undefined;
        this.#downloader = undefined;
        if (releaseData && this.#disposer) this.#disposer();
        this.#disposer = undefined;
        return data;
      } finally {
        this.#downloading = false;
      }
    }
    if (this.data === undefined) throw new Error('Tensor: the tensor was disposed');
    return this.data;
  }

  async [kDownload]() {
    if (!this.#downloader)
      throw new Error('Tensor: this gpu-buffer tensor has no download function (Tensor.fromGpuBuffer options.download)');
    const data = await this.#downloader();
    const ArrayType = kArrayTypes[this.type];
    const out = data instanceof ArrayType ? data : ArrayBuffer.isView(data) ?
      new ArrayType(data.buffer, data.byteOffset, data.byteLength / ArrayType.BYTES_PER_ELEMENT) : new ArrayType(data);
    if (out.length < this.size)
      throw new RangeError(`Tensor: the download gave ${out.length} elements for dims [${this.dims}]`);
    return out.length === this.size ? out : out.subarray(0, this.size);
  }

  /** A tensor with the same data and other dims (no copy), as onnxruntime-web's Tensor.reshape(). */
  reshape(dims) {
    if (this.location === 'gpu-buffer') {
      return Tensor.fromGpuBuffer(this.#gpuBuffer, { dataType: this.type, dims, download: this.#downloader });
    }
    return new Tensor(this.type, this.data, dims);
  }

  /**
   * A tensor from an image, as onnxruntime-web's Tensor.fromImage: ImageData, ImageBitmap, an <img>, a canvas,
   * an OffscreenCanvas, a VideoFrame, or a URL (fetched). options: resizedWidth/resizedHeight, tensorFormat
   * 'RGB' (default), 'RGBA', 'BGR' or 'RBG', tensorLayout 'NCHW' (default) or 'NHWC', dataType 'float32'
   * (default) or 'uint8', norm {mean, bias} (a number or one per color R, G, B, A): a float is
   * (pixel + bias) / mean, by default pixel / 255. Dims [1, C, H, W] (NCHW) or [1, H, W, C].
   */
  static async fromImage(image, options = {}) {
    const { data, width, height } = await imagePixels(image, options);
    const format = options.tensorFormat ?? 'RGB';
    const order = kColorOrders[format];
    if (!order) throw new TypeError(`Tensor.fromImage: tensorFormat '${format}' is not one of ${Object.keys(kColorOrders)}`);
    const layout = options.tensorLayout ?? 'NCHW';
    if (layout !== 'NCHW' && layout !== 'NHWC') throw new TypeError(`Tensor.fromImage: tensorLayout '${layout}' is not NCHW or NHWC`);
    const type = options.dataType ?? 'float32';
    if (type !== 'float32' && type !== 'uint8') throw new TypeError(`Tensor.fromImage: dataType '${type}' is not float32 or uint8`);
    const { mean, bias } = normParams(options.norm);
    const channels = order.length, n = width * height;
    const out = type === 'uint8' ? new Uint8Array(n * channels) : new Float32Array(n * channels);
    for (let p = 0; p < n; ++p)
      for (let c = 0; c < channels; ++c) {
        const color = order[c], pixel = data[p * 4 + color];
        out[layout === 'NCHW' ? c * n + p : p * channels + c] = type === 'uint8' ? pixel : (pixel + bias[color]) / mean[color];
      }
    return new Tensor(type, out, layout === 'NCHW' ? [1, channels, height, width] : [1, height, width, channels]);
  }

  /**
   * The tensor as ImageData (browsers), as onnxruntime-web's toImageData: dims [1, C, H, W] (or [1, H, W, C]
   * with options.tensorLayout 'NHWC'), C 3 or 4, options.format as fromImage's tensorFormat (default RGB, or
   * RGBA for 4 channels); a pixel is (value - bias) * mean with fromImage's norm (default value * 255).
   */
  toImageData(options = {}) {
    if (typeof ImageData === 'undefined') throw new Error('Tensor.toImageData needs ImageData (a browser)');
    const layout = options.tensorLayout ?? 'NCHW';
    const d = this.dims;
    const channels = d.length === 4 ? (layout === 'NCHW' ? d[1] : d[3]) : 0;
    if (d.length !== 4 || d[0] !== 1 || (channels !== 3 && channels !== 4))
      throw new Error(`Tensor.toImageData: dims [${d}] are not [1, 3 or 4, H, W] (${layout})`);
    const height = layout === 'NCHW' ? d[2] : d[1], width = layout === 'NCHW' ? d[3] : d[2];
    const format = options.format ?? (channels === 4 ? 'RGBA' : 'RGB');
    const order = kColorOrders[format];
    if (!order || order.length !== channels) throw new Error(`Tensor.toImageData: format '${format}' does not fit ${channels} channels`);
    const { mean, bias } = normParams(options.norm);
    const n = width * height, pixels = new Uint8ClampedArray(n * 4).fill(255);
    for (let p = 0; p < n; ++p)
      for (let c = 0; c < channels; ++c) {
        const color = order[c], v = Number(this.data[layout === 'NCHW' ? c * n + p : p * channels + c]);
        pixels[p * 4 + color] = this.type === 'uint8' ? v : (v - bias[color]) * mean[color];
      }
    return new ImageData(pixels, width, height);
  }

  /** The tensor as a PNG data URL (browsers with a DOM), through toImageData. */
  toDataURL(options = {}) {
    if (typeof document === 'undefined') throw new Error('Tensor.toDataURL needs a document (a browser page)');
    const image = this.toImageData(options);
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    canvas.getContext('2d').putImageData(image, 0, 0);
    return canvas.toDataURL();
  }

  /** As onnxruntime-web's: drops the tensor's data; a 'gpu-buffer' tensor calls its dispose option (an output's destroys its buffer). */
  dispose() {
    if (this.#disposer) this.#disposer();
    this.#disposer = undefined;
    this.#gpuBuffer = undefined;
    this.#downloader = undefined;
    this.location = 'none';
    this.data = undefined;
  }
}

// --- Images ----------------------------------------------------------------------------------------------

// A tensor format's channels as colors of an RGBA pixel (0 R, 1 G, 2 B, 3 A).
const kColorOrders = { RGB: [0, 1, 2], RGBA: [0, 1, 2, 3], BGR: [2, 1, 0], RBG: [0, 2, 1] };

// {mean, bias} per color (R, G, B, A), from a number or an array, as onnxruntime-web reads `norm`.
function normParams(norm) {
  const perColor = (v, fallback) =>
    Array.from({ length: 4 }, (_, k) => Number(Array.isArray(v) ? (v[k] ?? v[v.length - 1] ?? fallback) : (v ?? fallback)));
  return { mean: perColor(norm?.mean, 255), bias: perColor(norm?.bias, 0) };
}

// An image's RGBA bytes at the requested size. ImageData (or {data, width, height}) at its own size needs no
// canvas, so it works under Node too; anything else is drawn onto an OffscreenCanvas.
async function imagePixels(image, options) {
  if (typeof image === 'string' || image instanceof URL) {
    const response = await fetch(image);
    if (!response.ok) throw new Error(`Tensor.fromImage: fetching ${image} failed (${response.status})`);
    image = await createImageBitmap(await response.blob());
  }
  if (typeof HTMLImageElement !== 'undefined' && image instanceof HTMLImageElement && !image.complete) await image.decode();
  const size = (w, h) => ({ width: options.resizedWidth ?? w, height: options.resizedHeight ?? h });
  const isData = image && image.data && typeof image.width === 'number' && typeof image.height === 'number' &&
                 typeof image.getContext !== 'function';
  if (isData) {
    const want = size(image.width, image.height);
    if (image.data.length !== image.width * image.height * 4)
      throw new Error('Tensor.fromImage: ImageData holds RGBA bytes: data.length must be width * height * 4');
    if (want.width === image.width && want.height === image.height) return image;
    if (typeof createImageBitmap === 'undefined') throw new Error('Tensor.fromImage: resizing needs a browser');
    image = await createImageBitmap(image instanceof ImageData ? image : new ImageData(image.data, image.width, image.height));
  }
  if (typeof OffscreenCanvas === 'undefined') throw new Error('Tensor.fromImage: this image type needs a browser (OffscreenCanvas)');
  const w0 = image.displayWidth ?? image.naturalWidth ?? image.width, h0 = image.displayHeight ?? image.naturalHeight ?? image.height;
  const { width, height } = size(w0, h0);
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0, width, height);
  return ctx.getImageData(0, 0, width, height);
}

// --- The core and its queue -------------------------------------------------------------------------------

let corePromise = null;
let queueTail = Promise.resolve();
// Session handle -> its onProgress callback.
const progressListeners = new Map();

// Runs `job(core)` after every job queued before it has finished; one job at a time, in order.
function serialize(job) {
  const result = queueTail.then(() => loadCore()).then((core) => job(core));
  queueTail = result.catch(() => {});
  return result;
}

function coreUrl(file) {
  const paths = env.wasm?.wasmPaths ?? env.wasmPaths;
  // A relative path or prefix ('/static/', as apps set it for onnxruntime-web) is the page's: resolved
  // against the document, as fetch would; under Node (no document) against this module.
  const page = globalThis.document?.baseURI ?? import.meta.url;
  if (paths && typeof paths === 'object') {
    const url = file.endsWith('.wasm') ? paths.wasm : paths.mjs;
    if (url) return new URL(url, page).href;
  }
  const base = typeof paths === 'string' ? new URL(paths, page).href : new URL('./', import.meta.url).href;
  return new URL(file, base.endsWith('/') ? base : base + '/').href;
}

function loadCore() {
  if (corePromise) return corePromise;
  corePromise = (async () => {
    const { default: createWebconvCore } = await import(coreUrl('webconv-core.mjs'));
    const options = {
      locateFile: (path) => coreUrl(path),
      print: (s) => env.logger.log(s),
      printErr: (s) => env.logger.error(s),
    };
    if (isNode) {
      // Emscripten 3.1.6's glue fetches the .wasm, which Node cannot do for file: URLs: read it here.
      const { readFile } = await import('node:fs/promises');
      options.wasmBinary = await readFile(new URL(coreUrl('webconv.wasm')));
    }
    const core = await createWebconvCore(options);
    // Progress of a session's planning, called by the core (src/web/sessions.cc) while a run plans.
    core.wcProgress = (handle, phase, done, total) => {
      const listener = progressListeners.get(handle);
      if (listener) {
        try {
          listener({ phase, done, total });
        } catch (e) {
          env.logger.error(`webconv: an onProgress callback threw: ${e?.message ?? e}`);
        }
      }
    };
    return core;
  })();
  corePromise.catch(() => {
    corePromise = null; // a failed load (say, a wrong wasmPaths) may be retried
  });
  return corePromise;
}

// Small helpers over the module's heap. HEAPU8 is re-read after every allocation: memory growth replaces it.
function allocBytes(core, bytes) {
  const ptr = core._malloc(Math.max(1, bytes.byteLength));
  if (!ptr) throw new Error(`webconv: cannot allocate ${bytes.byteLength} bytes in the WebAssembly heap`);
  core.HEAPU8.set(bytes, ptr);
  return ptr;
}

function allocString(core, s) {
  const n = core.lengthBytesUTF8(s) + 1;
  const ptr = core._malloc(n);
  if (!ptr) throw new Error('webconv: cannot allocate a string in the WebAssembly heap');
  core.stringToUTF8(s, ptr, n);
  return ptr;
}

function callString(core, name, args = [], types = args.map(() => 'number')) {
  const ptr = core.ccall(name, 'number', types, args);
  return ptr ? core.UTF8ToString(ptr) : '';
}

function lastError(core) {
  return callString(core, 'wc_last_error') || 'webconv: unknown error';
}

function asBytes(view) {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

// Copies a host tensor (a handle from the core) into a Tensor, then releases the handle.
function takeTensor(core, handle) {
  try {
    const type = callString(core, 'wc_tensor_dtype', [handle]);
    const dims = JSON.parse(callString(core, 'wc_tensor_dims_json', [handle]));
    const name = callString(core, 'wc_tensor_name', [handle]);
    const ptr = core.ccall('wc_tensor_data', 'number', ['number'], [handle]);
    const bytes = core.ccall('wc_tensor_bytes', 'number', ['number'], [handle]) >>> 0;
    const ArrayType = kArrayTypes[type];
    if (!ArrayType) throw new Error(`webconv: the core returned a tensor of unsupported type '${type}'`);
    const copy = core.HEAPU8.slice(ptr, ptr + bytes); // a fresh, aligned buffer owned by JS
    const data = new ArrayType(copy.buffer, 0, bytes / ArrayType.BYTES_PER_ELEMENT);
    return { name, tensor: new Tensor(type, data, dims) };
  } finally {
    core.ccall('wc_tensor_release', null, ['number'], [handle]);
  }
}

function parseTensorFile(kind, bytes) {
  const view = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : asBytes(bytes);
  return serialize((core) => {
    const ptr = allocBytes(core, view);
    let handle;
    try {
      handle = core.ccall(`wc_tensor_from_${kind}`, 'number', ['number', 'number'], [ptr, view.byteLength]);
    } finally {
      core._free(ptr);
    }
    if (!handle) throw new Error(lastError(core));
    return takeTensor(core, handle);
  });
}

/** Parses a .npy file (the bytes) into a Tensor, with the core's own reader. */
export async function tensorFromNpy(bytes) {
  return (await parseTensorFile('npy', bytes)).tensor;
}

/** Parses an ONNX TensorProto (.pb) into {name, tensor}, with the core's own reader. */
export function tensorFromProto(bytes) {
  return parseTensorFile('pb', bytes);
}

/** The core's version and build: {webconv: '0.1.0', build: 'wasm32-emscripten-...'}. */
export function coreVersion() {
  return serialize((core) => JSON.parse(callString(core, 'wc_version_json')));
}

// --- Sessions ---------------------------------------------------------------------------------------------

// The backend asked for by onnxruntime-web's executionProviders: the first one webconv knows.
function chooseBackend(providers) {
  if (providers === undefined || providers.length === 0) return 'webgpu';
  const names = providers.map((p) => (typeof p === 'string' ? p : p?.name));
  for (const n of names) {
    if (n === 'webgpu') return 'webgpu';
    if (n === 'cpu' || n === 'wasm') return 'cpu';
    if (n === 'ref') return 'ref';
  }
  throw new Error(`webconv: none of the execution providers [${names.join(', ')}] is available ` +
                  `(webconv has 'webgpu', 'cpu' or 'wasm' for its float32 CPU backend, and 'ref' for its ` +
                  `float64 reference)`);
}

async function readModel(source) {
  if (source instanceof Uint8Array) return { bytes: source, label: null };
  if (source instanceof ArrayBuffer) return { bytes: new Uint8Array(source), label: null };
  if (ArrayBuffer.isView(source)) return { bytes: asBytes(source), label: null };
  if (typeof source === 'string' || source instanceof URL) {
    const text = String(source);
    if (isNode && !/^(https?|data|blob):/.test(text)) {
      const { readFile } = await import('node:fs/promises');
      const path = text.startsWith('file:') ? new URL(text) : text;
      return { bytes: new Uint8Array(await readFile(path)), label: text };
    }
    const response = await fetch(text);
    if (!response.ok) throw new Error(`webconv: cannot fetch '${text}': HTTP ${response.status}`);
    return { bytes: new Uint8Array(await response.arrayBuffer()), label: text };
  }
  throw new TypeError('InferenceSession.create expects a Uint8Array, an ArrayBuffer, or a URL or file path');
}

// onnxruntime-web's externalData session option: [{path, data}], `path` the location the model names a
// file by, `data` its bytes (Uint8Array, ArrayBuffer, a typed array, a Blob) or where to read them (a URL,
// or a file path under Node).
async function readExternalData(list) {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new TypeError('webconv: the session option externalData must be an array of {path, data}');
  const files = [];
  for (const entry of list) {
    const where = `externalData entry ${files.length}`;
    if (!entry || typeof entry.path !== 'string' || entry.path === '')
      throw new TypeError(`webconv: ${where} needs a path (the location the model gives)`);
    const d = entry.data;
    let bytes;
    if (d instanceof Uint8Array) bytes = d;
    else if (d instanceof ArrayBuffer) bytes = new Uint8Array(d);
    else if (ArrayBuffer.isView(d)) bytes = asBytes(d);
    else if (typeof Blob !== 'undefined' && d instanceof Blob) bytes = new Uint8Array(await d.arrayBuffer());
    else if (typeof d === 'string' || d instanceof URL) bytes = (await readModel(d)).bytes;
    else throw new TypeError(`webconv: ${where} ('${entry.path}'): data must be a Uint8Array, an ArrayBuffer, a Blob, or a URL or file path`);
    files.push({ path: entry.path, bytes });
  }
  return files;
}

// The core words a model failure as the CLI would for a file named "model": the text alone when it
// mentions "model", else "model: " + text (src/cli/common.cc InModel). When the caller named the model (a
// path or URL), reword it as the CLI does for that name, so that the message reads exactly as the CLI's.
function withModelName(message, label) {
  if (!label) return message;
  const raw = message.startsWith('model: ') ? message.slice('model: '.length) : message;
  return raw.includes(label) ? raw : `${label}: ${raw}`;
}

// onnxruntime-web's ValueMetadata. A shape the model does not declare is [] (as onnxruntime-web has it), and
// an element type it does not declare (an output known only after a run) is null.
// Session options onnxruntime-web reads that webconv accepts without acting on them, and why.
const kIgnoredSessionOptions = new Map([
  ['graphOptimizationLevel', 'webconv always applies its own rewrites (folding, fusions)'],
  ['executionMode', 'every call into the core runs one at a time'],
  ['intraOpNumThreads', 'the CPU backend runs on one thread'],
  ['interOpNumThreads', 'the CPU backend runs on one thread'],
  ['enableCpuMemArena', 'webconv manages its own memory'],
  ['enableMemPattern', 'webconv manages its own memory'],
  ['logSeverityLevel', 'errors come back as rejected promises; env.logger receives the core\'s output'],
  ['logVerbosityLevel', 'errors come back as rejected promises; env.logger receives the core\'s output'],
]);

// preferredOutputLocation: 'cpu' | 'cpu-pinned' | 'gpu-buffer' | 'ml-tensor', or {outputName: location}.
// Returns the names of the outputs to leave on the GPU (a Set; '*' for all of them).
const kOutputLocations = ['cpu', 'cpu-pinned', 'gpu-buffer', 'ml-tensor'];
function checkOutputLocations(where, backend) {
  if (where === undefined || where === null) return new Set();
  const check = (location, what) => {
    if (!kOutputLocations.includes(location))
      throw new TypeError(`preferredOutputLocation${what} must be one of ${kOutputLocations.join(', ')}, got ${JSON.stringify(location)}`);
    if (location === 'ml-tensor') noEffect("preferredOutputLocation 'ml-tensor'", 'webconv has no WebNN tensors: outputs stay on the host');
    if (location === 'gpu-buffer' && backend !== 'webgpu') {
      noEffect("preferredOutputLocation 'gpu-buffer'", 'the session runs on the CPU backend: outputs stay on the host');
      return false;
    }
    return location === 'gpu-buffer';
  };
  if (typeof where === 'string') return check(where, '') ? new Set(['*']) : new Set();
  if (typeof where !== 'object' || Array.isArray(where))
    throw new TypeError('preferredOutputLocation must be a location or {outputName: location}');
  const out = new Set();
  for (const [name, location] of Object.entries(where)) if (check(location, `['${name}']`)) out.add(name);
  return out;
}

// freeDimensionOverrides: {dimName: size}, each size a non-negative integer.
function checkOverrides(overrides) {
  if (overrides === undefined || overrides === null) return null;
  if (typeof overrides !== 'object') throw new TypeError('freeDimensionOverrides must be {dimName: size}');
  const out = new Map();
  for (const [name, size] of Object.entries(overrides)) {
    if (!Number.isInteger(size) || size < 0)
      throw new TypeError(`freeDimensionOverrides: '${name}' must be a non-negative integer, got ${size}`);
    out.set(name, size);
  }
  return out;
}

// The session's values with overridden symbolic dims fixed, as onnxruntime-web fixes them; each fixed dim
// remembers its name, which run() checks the feeds against.
function applyOverrides(info, overrides) {
  if (!overrides) return info;
  const used = new Set();
  const fix = (v) => {
    if (!Array.isArray(v.dims)) return v;
    const fixed = {};
    const dims = v.dims.map((d, k) => {
      if (typeof d !== 'string' || !overrides.has(d)) return d;
      used.add(d);
      fixed[k] = d;
      return overrides.get(d);
    });
    return { ...v, dims, fixed };
  };
  const out = { ...info, inputs: info.inputs.map(fix), outputs: info.outputs.map(fix) };
  for (const name of overrides.keys())
    if (!used.has(name)) noEffect(`freeDimensionOverrides '${name}'`, 'no input or output of the model has a dim of that name');
  return out;
}

function toMetadata(value) {
  const m = { name: value.name, isTensor: true, type: kArrayTypes[value.dtype] ? value.dtype : null,
              shape: value.dims ?? [] };
  // webconv's addition for outputs: whether a Sigmoid produces it (a probability head, not logits).
  if ('sigmoid' in value) m.sigmoid = value.sigmoid;
  return m;
}

// options.firstRun's values (src/runtime/session.h FirstRun).
const kFirstRunTiers = ['auto', 'tuned', 'quick', 'quick-only'];

// Where a planning run's time went (src/runtime/session.h PlanTiming), in the JS API's spelling.
function toPhases(p) {
  if (!p) return null;
  return {
    createMs: p.create_ms, loadMs: p.load_ms, deviceMs: p.device_ms, bindMs: p.bind_ms, planMs: p.plan_ms,
    compileMs: p.compile_ms, pipelines: p.pipelines, pipelinesCompiled: p.pipelines_compiled,
    uploadMs: p.upload_ms, programMs: p.program_ms, firstRunMs: p.first_run_ms,
    firstRunTier: p.first_run ?? null, tunedPipelines: p.tuned_pipelines ?? 0,
  };
}

function toProfile(p) {
  return {
    wallMs: p.wall_ms ?? null,
    gpuMs: p.gpu_ms ?? null,
    planned: !!p.planned,
    quick: !!p.quick,
    phases: toPhases(p.phases),
    dispatches: (p.dispatches ?? []).map((d) => ({ node: d.node, kernel: d.kernel, ms: d.ms })),
  };
}

/** An ONNX model loaded for one backend, as onnxruntime-web's InferenceSession. */
export class InferenceSession {
  #core;
  #handle;
  #info;
  #label;
  #profile = null;
  #profiling = null;  // the runs' profiles between startProfiling() and endProfiling()
  #gpuOutputs;        // outputs preferredOutputLocation leaves on the GPU ('*': all)

  constructor(token, core, handle, info, label, gpuOutputs) {
    if (token !== kCreateToken) throw new TypeError('use InferenceSession.create()');
    this.#core = core;
    this.#handle = handle;
    this.#info = info;
    this.#label = label;
    this.#gpuOutputs = gpuOutputs;
  }

  /**
   * Loads a model. `source`: Uint8Array | ArrayBuffer | URL (fetched) | file path (under Node).
   * onnxruntime-web's (buffer, byteOffset, byteLength, options) form is accepted too.
   * options.executionProviders: ['webgpu'] (default), ['cpu'] / ['wasm'] for the float32 CPU backend
   * (WebAssembly SIMD, Eigen's matrix product, one thread), or ['ref'] for the float64 reference;
   * options.enableProfiling: per-dispatch GPU times in `profile` after each run.
   * options.onProgress: called as ({phase, done, total}) while the session loads ('load') and while a run
   * plans, the first for given input shapes ('compile': pipelines done of total; 'run').
   * options.externalData: [{path, data}] for a model whose tensors live in other files: `path` as the
   * model names the file, `data` its bytes (Uint8Array, ArrayBuffer, Blob) or a URL / file path to read.
   * options.firstRun (WebGPU): the kernels of the first run. 'quick': short Conv kernels that compile fast
   * serve the first run; from the second run on the tuned kernels compile in the background and take over
   * once all are ready (settle() waits for them). 'tuned': compile the tuned kernels before the first run.
   * 'auto' (default): whichever a cost model predicts gives the first result sooner. 'quick-only': never
   * switch (for tests).
   * options.preferredOutputLocation: 'gpu-buffer' (or {outputName: 'gpu-buffer'}) leaves outputs on the GPU
   * as 'gpu-buffer' tensors (WebGPU backend): each run's in a GPUBuffer of its own, which the caller
   * disposes of (tensor.dispose()); getData() downloads it.
   * options.kernelTuning (WebGPU): overrides of the kernels' own choices, for benchmarks: {convTile
   * ('t64x64k16_r4x4'), convSplits, convF16Tiles, convSizes ('baked' | 'uniform'), convStripRows,
   * convStripDepths, convSubgroupTaps, siblingMerge, branchMerge}; a malformed field rejects naming it.
   */
  static async create(source, ...rest) {
    let options = {};
    if (source instanceof ArrayBuffer && typeof rest[0] === 'number') {
      const [offset, length, opts] = rest;
      source = new Uint8Array(source, offset, length ?? source.byteLength - offset);
      options = opts ?? {};
    } else {
      options = rest[0] ?? {};
    }
    const backend = chooseBackend(options.executionProviders);
    const overrides = checkOverrides(options.freeDimensionOverrides);
    const gpuOutputs = checkOutputLocations(options.preferredOutputLocation, backend);
    for (const [key, why] of kIgnoredSessionOptions)
      if (options[key] !== undefined) noEffect(`the session option ${key}`, why);
    if (backend !== 'webgpu' && (env.wasm?.numThreads ?? 0) > 1)
      noEffect('env.wasm.numThreads', "webconv's CPU backends run on one thread in the browser build");
    const onProgress = typeof options.onProgress === 'function' ? options.onProgress : null;
    if (onProgress) onProgress({ phase: 'load', done: 0, total: 1 });
    const { bytes, label } = await readModel(source);
    const external = await readExternalData(options.externalData);
    const firstRun = options.firstRun ?? 'auto';
    if (!kFirstRunTiers.includes(firstRun))
      throw new TypeError(`options.firstRun must be one of ${kFirstRunTiers.join(', ')}, got ${JSON.stringify(firstRun)}`);
    const tuning = options.kernelTuning ?? {};
    if (tuning === null || typeof tuning !== 'object' || Array.isArray(tuning))
      throw new TypeError('options.kernelTuning must be an object');
    const optionsJson = JSON.stringify({ backend, profile: !!options.enableProfiling, firstRun, kernelTuning: tuning });
    return serialize(async (core) => {
      // The WebGPU bridge (webgpu_bridge.js) reads the device settings when it first makes its device.
      core.webconvWebgpu = env.webgpu ?? {};
      // The core copies the model; this copy into the heap is all that touches the caller's bytes.
      const modelPtr = allocBytes(core, bytes);
      const optionsPtr = allocString(core, optionsJson);
      let handle;
      try {
        // Each external file is copied by the core and used by the wc_session_create below (calls into
        // the core are serialized, so no other session's files can come between).
        for (const f of external) {
          const dataPtr = allocBytes(core, f.bytes);
          const pathPtr = allocString(core, f.path);
          const added = core.ccall('wc_external_add', 'number', ['number', 'number', 'number'],
                                   [pathPtr, dataPtr, f.bytes.byteLength]);
          core._free(dataPtr);
          core._free(pathPtr);
          if (!added) {
            const message = lastError(core);
            core.ccall('wc_external_clear', null, [], []);
            throw new Error(message);
          }
        }
        handle = await core.ccall('wc_session_create', 'number', ['number', 'number', 'number'],
                                  [modelPtr, bytes.byteLength, optionsPtr], { async: true });
      } finally {
        core._free(modelPtr);
        core._free(optionsPtr);
      }
      if (!handle) throw new Error(withModelName(lastError(core), label));
      const info = JSON.parse(callString(core, 'wc_session_info_json', [handle]));
      if (onProgress) {
        progressListeners.set(handle, onProgress);
        onProgress({ phase: 'load', done: 1, total: 1 });
      }
      for (const name of gpuOutputs)
        if (name !== '*' && !info.outputs.some((o) => o.name === name)) {
          core.ccall('wc_session_release', null, ['number'], [handle]);
          progressListeners.delete(handle);
          throw new Error(`preferredOutputLocation: '${name}' is not an output of the model ` +
                          `(outputs: ${info.outputs.map((o) => o.name).join(', ')})`);
        }
      return new InferenceSession(kCreateToken, core, handle, applyOverrides(info, overrides), label, gpuOutputs);
    });
  }

  get inputNames() {
    return this.#info.inputs.map((v) => v.name);
  }
  get outputNames() {
    return this.#info.outputs.map((v) => v.name);
  }
  get inputMetadata() {
    return this.#info.inputs.map(toMetadata);
  }
  get outputMetadata() {
    return this.#info.outputs.map(toMetadata);
  }
  /** 'webgpu' or 'cpu'. */
  get backend() {
    return this.#info.backend;
  }
  /** The WebGPU adapter: {name, backend, type, isSoftware, hasTimestamps}; null on the CPU backend. */
  get adapter() {
    const a = this.#info.adapter;
    if (!a) return null;
    return { name: a.name, backend: a.backend, type: a.type ?? '', isSoftware: !!a.is_software,
             hasTimestamps: !!a.has_timestamps };
  }
  /**
   * The last run's profile: {wallMs, gpuMs, planned, quick, phases, dispatches: [{node, kernel, ms}]}; null
   * before a run. `quick`: the run used the quick tier's kernels (options.firstRun). `phases` (on a run that
   * planned, else null): where the time to that result went, as `webconv run --timing` prints it:
   * {createMs, loadMs, deviceMs, bindMs, planMs, compileMs, pipelines, pipelinesCompiled, uploadMs,
   * programMs, firstRunMs, firstRunTier ('tuned', 'quick' or 'quick-only'), tunedPipelines (the tuned
   * pipelines still to compile after a quick first run)}.
   */
  get profile() {
    return this.#profile;
  }

  /**
   * Runs the model. feeds: {inputName: Tensor}. fetches (optional): the output names wanted (an array, or an
   * object whose keys are names). Resolves to {outputName: Tensor}.
   */
  run(feeds, fetches) {
    if (feeds === null || typeof feeds !== 'object') return Promise.reject(new TypeError('run expects {name: Tensor}'));
    let wanted = null;
    // onnxruntime-web's pre-allocated outputs: {outputName: Tensor} in fetches, filled by the run (a host
    // tensor's data in place; a 'gpu-buffer' tensor's buffer by a GPU copy).
    const given = new Map();
    if (Array.isArray(fetches)) wanted = fetches;
    else if (fetches && typeof fetches === 'object' && Object.keys(fetches).length && !isRunOptions(fetches)) {
      wanted = Object.keys(fetches);
      for (const [name, t] of Object.entries(fetches)) {
        if (t === null || t === undefined) continue;
        if (!(t instanceof Tensor) || t.location === 'none')
          return Promise.reject(new TypeError(`fetches['${name}'] must be a Tensor to fill, or null`));
        if (t.location === 'gpu-buffer' && !(t.gpuBuffer.usage & kGpuUsageCopyDst))
          return Promise.reject(new TypeError(`fetches['${name}']: its GPUBuffer needs usage COPY_DST to be filled`));
        given.set(name, t);
      }
    }
    const names = this.inputNames;
    for (const [name, tensor] of Object.entries(feeds)) {
      if (!names.includes(name))
        return Promise.reject(new Error(`input '${name}' is not an input of the model (inputs: ${names.join(', ')})`));
      if (!(tensor instanceof Tensor) && !(tensor && kArrayTypes[tensor.type] && tensor.data && tensor.dims))
        return Promise.reject(new TypeError(`input '${name}' is not a Tensor`));
      const spec = this.#info.inputs.find((v) => v.name === name);
      for (const [k, dimName] of Object.entries(spec.fixed ?? {}))
        if (Number(tensor.dims[k]) !== spec.dims[k])
          return Promise.reject(new Error(`input '${name}' dim ${k} ('${dimName}') is fixed to ${spec.dims[k]} by ` +
                                          `freeDimensionOverrides, got ${tensor.dims[k]}`));
    }
    if (wanted)
      for (const n of wanted)
        if (!this.outputNames.includes(n))
          return Promise.reject(new Error(`'${n}' is not an output of the model (outputs: ${this.outputNames})`));
    const gpu = this.#info.backend === 'webgpu';
    for (const [name, tensor] of Object.entries(feeds)) {
      if (tensor.location !== 'gpu-buffer' || !gpu) continue;
      const b = tensor.gpuBuffer;
      if (!(b.usage & kGpuUsageCopySrc))
        return Promise.reject(new TypeError(`input '${name}': its GPUBuffer needs usage COPY_SRC to be copied into the run`));
    }
    return serialize(async (core) => {
      const handle = this.#liveHandle();
      for (const [name, tensor] of Object.entries(feeds)) {
        if (tensor.location !== 'gpu-buffer') {
          this.#setInput(core, handle, name, tensor);
          continue;
        }
        // Straight from the GPU where the kernels can take it; otherwise (a CPU session, an input the plan
        // reads on the host, a type whose GPU layout differs) through the host.
        const spec = this.#info.inputs.find((v) => v.name === name);
        if (gpu && !spec.host && kGpuWordTypes.includes(tensor.type)) this.#setGpuInput(core, handle, name, tensor);
        else this.#setInput(core, handle, name, new Tensor(tensor.type, await tensor[kDownload](), tensor.dims));
      }
      // Outputs left on the GPU: those the kernels write as they are; the others are uploaded below.
      const keep = new Set();
      if (gpu) {
        for (const o of this.#info.outputs) {
          const preferred = this.#gpuOutputs.has('*') || this.#gpuOutputs.has(o.name);
          if (given.has(o.name) ? given.get(o.name).location === 'gpu-buffer' : preferred && (!wanted || wanted.includes(o.name)))
            keep.add(o.name);
        }
        for (const o of this.#info.outputs)
          if (keep.has(o.name) && kGpuWordTypes.includes(o.dtype)) this.#keepOutput(core, handle, o.name);
      }
      const ok = await core.ccall('wc_session_run', 'number', ['number'], [handle], { async: true });
      if (!ok) throw new Error(withModelName(lastError(core), this.#label));
      const profileText = callString(core, 'wc_session_profile_json', [handle]);
      const profile = profileText ? JSON.parse(profileText) : null;
      this.#profile = profile ? toProfile(profile) : null;
      if (this.#profiling && this.#profile) this.#profiling.push(this.#profile);
      // One call describes every output; each is copied once, straight from the core's heap.
      const outputs = JSON.parse(callString(core, 'wc_session_outputs_json', [handle]) || 'null');
      if (!outputs) throw new Error(lastError(core));
      const results = {};
      const device = env.webgpu?.device;
      outputs.forEach((o, k) => {
        const key = o.name || this.outputNames[k];
        if (wanted && !wanted.includes(key)) return;
        const ArrayType = kArrayTypes[o.dtype];
        if (!ArrayType) throw new Error(`webconv: the core returned a tensor of unsupported type '${o.dtype}'`);
        if (o.gpu) {
          results[key] = gpuOutput(device, core.wcgpuTakeBuffer(o.gpu), o.dtype, o.dims, o.bytes);
          return;
        }
        const copy = core.HEAPU8.slice(o.ptr, o.ptr + o.bytes);  // a fresh, aligned buffer owned by JS
        const data = new ArrayType(copy.buffer, 0, o.bytes / ArrayType.BYTES_PER_ELEMENT);
        if (keep.has(key)) {
          // A type the kernels keep in another layout (or an output known only after the run): its bytes
          // go to a GPUBuffer of their own, as onnxruntime-web's would be.
          const size = Math.max(16, Math.ceil(o.bytes / 16) * 16);
          const buffer = device.createBuffer({ size, usage: kGpuUsageStorage | kGpuUsageCopySrc | kGpuUsageCopyDst,
                                               label: key, mappedAtCreation: true });
          new Uint8Array(buffer.getMappedRange()).set(new Uint8Array(copy.buffer, 0, o.bytes));
          buffer.unmap();
          results[key] = gpuOutput(device, buffer, o.dtype, o.dims, o.bytes);
          return;
        }
        results[key] = new Tensor(o.dtype, data, o.dims);
      });
      for (const [key, target] of given) results[key] = fillGiven(key, target, results[key], device);
      return results;
    });
  }

  /**
   * webconv's addition: after a first run on the quick tier (options.firstRun), compiles the tuned kernels
   * if they have not started, waits for them and switches to them, so the next run is a tuned one. Resolves
   * at once otherwise. Without it the switch happens by itself at a later run, once the background
   * compile is done.
   */
  settle() {
    return serialize(async (core) => {
      const handle = this.#liveHandle();
      const ok = await core.ccall('wc_session_settle', 'number', ['number'], [handle], { async: true });
      if (!ok) throw new Error(withModelName(lastError(core), this.#label));
    });
  }

  /**
   * onnxruntime-web's profiling calls: from startProfiling() to endProfiling() each run's profile is kept;
   * endProfiling() writes one line per run and per dispatch to env.logger (onnxruntime-web writes to the
   * console) and returns the profiles. Per-dispatch GPU times need enableProfiling at create().
   */
  startProfiling() {
    this.#profiling = [];
  }
  endProfiling() {
    const runs = this.#profiling ?? [];
    this.#profiling = null;
    runs.forEach((p, k) => {
      env.logger.log(`webconv profile: run ${k}: wall ${p.wallMs?.toFixed(3)} ms` +
                     (p.gpuMs !== null ? `, GPU ${p.gpuMs.toFixed(3)} ms` : '') + (p.planned ? ' (planned)' : ''));
      for (const d of p.dispatches) env.logger.log(`webconv profile:   ${d.node} ${d.kernel} ${d.ms.toFixed(4)} ms`);
    });
    return runs;
  }

  /** Frees the session in the core; the object cannot run afterwards. */
  release() {
    return serialize((core) => {
      if (this.#handle) core.ccall('wc_session_release', null, ['number'], [this.#handle]);
      progressListeners.delete(this.#handle);
      this.#handle = 0;
    });
  }

  #liveHandle() {
    if (!this.#handle) throw new Error('webconv: the session was released');
    return this.#handle;
  }

  #setGpuInput(core, handle, name, tensor) {
    const buffer = core.wcgpuImportBuffer(tensor.gpuBuffer);  // the core drops the handle after the run
    callWithInputSpec(core, name, tensor, (namePtr, typePtr, dimsPtr, rank) =>
      core.ccall('wc_session_set_gpu_input', 'number',
                 ['number', 'number', 'number', 'number', 'number', 'number', 'number'],
                 [handle, namePtr, typePtr, buffer, tensor.gpuBuffer.size, dimsPtr, rank]));
  }

  #keepOutput(core, handle, name) {
    const namePtr = allocString(core, name);
    try {
      if (!core.ccall('wc_session_keep_output', 'number', ['number', 'number'], [handle, namePtr]))
        throw new Error(lastError(core));
    } finally {
      core._free(namePtr);
    }
  }

  #setInput(core, handle, name, tensor) {
    const bytes = asBytes(tensor.data);
    // The data is copied into the heap once; the core keeps that copy as the input (take_input frees it,
    // on success with the input, on failure at once), so it is never copied again inside the module.
    let dataPtr = allocBytes(core, bytes);
    try {
      callWithInputSpec(core, name, tensor, (namePtr, typePtr, dimsPtr, rank) => {
        const owned = dataPtr;
        dataPtr = 0;
        return core.ccall('wc_session_take_input', 'number',
                          ['number', 'number', 'number', 'number', 'number', 'number', 'number'],
                          [handle, namePtr, typePtr, owned, bytes.byteLength, dimsPtr, rank]);
      });
    } finally {
      if (dataPtr) core._free(dataPtr);
    }
  }
}

const kCreateToken = Symbol('create');

// Calls `give(namePtr, typePtr, dimsPtr, rank)`, a wc_session_*_input call, with the input's name, type and
// dims in the heap (freed afterwards); its 0 becomes the core's error.
function callWithInputSpec(core, name, tensor, give) {
  const dims = tensor.dims.map((d) => BigInt(d));
  const dimsPtr = core._malloc(Math.max(8, dims.length * 8)); // malloc aligns to 8 at least
  const namePtr = allocString(core, name);
  const typePtr = allocString(core, tensor.type);
  try {
    if (!dimsPtr) throw new Error('webconv: cannot allocate in the WebAssembly heap');
    new BigInt64Array(core.HEAPU8.buffer, dimsPtr, dims.length).set(dims);
    if (!give(namePtr, typePtr, dimsPtr, dims.length)) throw new Error(lastError(core));
  } finally {
    for (const p of [dimsPtr, namePtr, typePtr]) if (p) core._free(p);
  }
}

// The types whose GPU words are their bytes: the kernels take and give them in GPU buffers as they are.
const kGpuWordTypes = ['float32', 'int32', 'uint32'];

// A pre-allocated output (fetches): `target` filled from the run's `result` and returned. The types and
// dims must agree; a 'gpu-buffer' target gets a GPU copy of the result's buffer, which is then destroyed.
function fillGiven(name, target, result, device) {
  const sameDims = target.dims.length === result.dims.length && target.dims.every((d, k) => d === result.dims[k]);
  if (target.type !== result.type || !sameDims) {
    if (result.location === 'gpu-buffer') result.dispose();
    throw new Error(`fetches['${name}'] is ${target.type}[${target.dims}], the output is ${result.type}[${result.dims}]`);
  }
  if (target.location === 'gpu-buffer' && result.location !== 'gpu-buffer') {  // a CPU session's output
    if (!device) throw new Error(`fetches['${name}']: filling a GPUBuffer from a CPU session needs env.webgpu.device`);
    device.queue.writeBuffer(target.gpuBuffer, 0, result.data);
    return target;
  }
  if (target.location === 'gpu-buffer') {
    const bytes = result.size * kArrayTypes[result.type].BYTES_PER_ELEMENT;
    const encoder = device.createCommandEncoder({ label: `webconv output ${name}` });
    const size = Math.ceil(bytes / 4) * 4;
    if (size > target.gpuBuffer.size) throw new Error(`fetches['${name}']: its GPUBuffer holds ${target.gpuBuffer.size} bytes, the output needs ${size}`);
    if (size) encoder.copyBufferToBuffer(result.gpuBuffer, 0, target.gpuBuffer, 0, size);
    device.queue.submit([encoder.finish()]);
    result.dispose();
    return target;
  }
  target.data.set(result.data);
  return target;
}

// A 'gpu-buffer' output: the caller owns `buffer` (dispose() destroys it); getData() downloads it.
function gpuOutput(device, buffer, type, dims, bytes) {
  return Tensor.fromGpuBuffer(buffer, {
    dataType: type, dims,
    download: async () => new kArrayTypes[type](await downloadGpuBuffer(device, buffer, bytes)),
    dispose: () => buffer.destroy(),
  });
}

// onnxruntime-web's run(feeds, options): an options object has only these keys.
function isRunOptions(o) {
  const keys = Object.keys(o);
  return keys.every((k) => ['logSeverityLevel', 'logVerbosityLevel', 'terminate', 'tag',
                                               'extra'].includes(k));
}
