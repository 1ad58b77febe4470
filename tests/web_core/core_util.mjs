// Helpers shared by the WebAssembly core's tests: loading the module under Node, the raw C ABI
// (web_abi.md) wrapped just enough to call it, .npy reading/writing, and output comparison.
// The same ABI wrapper is served to the browser test's page (it has no Node-only code).

// Calls the C ABI of an instantiated core module. Every function mirrors one export; failures throw
// an Error carrying wc_last_error()'s text.
export class RawCore {
  constructor(m) { this.m = m; }
  lastError() { return this.m.ccall('wc_last_error', 'string', [], []); }
  copyIn(bytes) {
    const p = this.m._malloc(Math.max(1, bytes.length));
    this.m.HEAPU8.set(bytes, p);
    return p;
  }
  async createSession(modelBytes, options) {
    const p = this.copyIn(modelBytes);
    try {
      const h = await this.m.ccall('wc_session_create', 'number', ['number', 'number', 'string'],
                                   [p, modelBytes.length, JSON.stringify(options)], {async: true});
      if (!h) throw new Error(this.lastError());
      return h;
    } finally {
      this.m._free(p);
    }
  }
  // The module's view of the bytes it was given, after the call: the caller's copy must be unchanged.
  async createSessionKeepingBuffer(modelBytes, options) {
    const p = this.copyIn(modelBytes);
    const h = await this.m.ccall('wc_session_create', 'number', ['number', 'number', 'string'],
                                 [p, modelBytes.length, JSON.stringify(options)], {async: true});
    const after = this.m.HEAPU8.slice(p, p + modelBytes.length);
    this.m._free(p);
    return {handle: h, error: h ? '' : this.lastError(), after};
  }
  info(s) { return JSON.parse(this.m.ccall('wc_session_info_json', 'string', ['number'], [s])); }
  setInput(s, name, dtype, data, dims) { this.#giveInput('wc_session_set_input', s, name, dtype, data, dims); }
  // As setInput, through wc_session_take_input: the core keeps the malloc'ed copy itself (and frees it on
  // failure), so only the dims are freed here.
  takeInput(s, name, dtype, data, dims) { this.#giveInput('wc_session_take_input', s, name, dtype, data, dims); }
  #giveInput(fn, s, name, dtype, data, dims) {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const p = this.copyIn(bytes);
    const d = this.m._malloc(8 * Math.max(1, dims.length));
    for (let i = 0; i < dims.length; ++i) {
      this.m.HEAP32[(d >> 2) + 2 * i] = dims[i];
      this.m.HEAP32[(d >> 2) + 2 * i + 1] = 0;
    }
    const ok = this.m.ccall(fn, 'number', ['number', 'string', 'string', 'number', 'number', 'number', 'number'],
                            [s, name, dtype, p, bytes.length, d, dims.length]);
    if (fn !== 'wc_session_take_input') this.m._free(p);
    this.m._free(d);
    if (!ok) throw new Error(this.lastError());
  }
  async run(s) {
    const ok = await this.m.ccall('wc_session_run', 'number', ['number'], [s], {async: true});
    if (!ok) throw new Error(this.lastError());
  }
  outputs(s) {
    const n = this.m.ccall('wc_session_output_count', 'number', ['number'], [s]);
    const out = {};
    for (let i = 0; i < n; ++i) {
      const t = this.m.ccall('wc_session_output', 'number', ['number', 'number'], [s, i]);
      if (!t) throw new Error(this.lastError());
      const tensor = this.tensor(t);
      out[tensor.name] = tensor;
    }
    return out;
  }
  profile(s) { return JSON.parse(this.m.ccall('wc_session_profile_json', 'string', ['number'], [s])); }
  release(s) { this.m.ccall('wc_session_release', null, ['number'], [s]); }
  // Reads a tensor handle into JS and releases it.
  tensor(t) {
    const name = this.m.ccall('wc_tensor_name', 'string', ['number'], [t]);
    const dtype = this.m.ccall('wc_tensor_dtype', 'string', ['number'], [t]);
    const dims = JSON.parse(this.m.ccall('wc_tensor_dims_json', 'string', ['number'], [t]));
    const p = this.m.ccall('wc_tensor_data', 'number', ['number'], [t]);
    const n = this.m.ccall('wc_tensor_bytes', 'number', ['number'], [t]);
    const bytes = this.m.HEAPU8.slice(p, p + n);
    this.m.ccall('wc_tensor_release', null, ['number'], [t]);
    return {name, dtype, dims, bytes};
  }
  parseTensor(kind, bytes) {
    const p = this.copyIn(bytes);
    const t = this.m.ccall(kind === 'npy' ? 'wc_tensor_from_npy' : 'wc_tensor_from_pb', 'number',
                           ['number', 'number'], [p, bytes.length]);
    this.m._free(p);
    if (!t) throw new Error(this.lastError());
    return this.tensor(t);
  }
  version() { return JSON.parse(this.m.ccall('wc_version_json', 'string', [], [])); }
}

// Float32 values of a tensor read by RawCore.tensor.
export function floats(t) {
  if (t.dtype !== 'float32') throw new Error(`expected float32, got ${t.dtype}`);
  return new Float32Array(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength / 4);
}

// Max abs error and whether every element meets |a-b| <= atol + rtol*|b| (`webconv check`'s rule).
export function compare(got, want, atol, rtol) {
  if (got.length !== want.length) return {ok: false, maxAbs: Infinity, message: `length ${got.length} != ${want.length}`};
  let maxAbs = 0, ok = true, first = '';
  for (let i = 0; i < got.length; ++i) {
    const e = Math.abs(got[i] - want[i]);
    if (!(e <= atol + rtol * Math.abs(want[i]))) {
      if (ok) first = `element ${i}: got ${got[i]}, want ${want[i]}`;
      ok = false;
    }
    if (!(e <= maxAbs)) maxAbs = e;
  }
  return {ok, maxAbs, message: first};
}

// A float32 .npy file (version 1.0, C order).
export function npyFloat32(data, dims) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims.join(', ')}${dims.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = header.length & 0xff;
  out[9] = header.length >> 8;
  for (let i = 0; i < header.length; ++i) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

// Reads a little-endian float32 .npy file (what `webconv run` writes for float outputs).
export function readNpyFloat32(file) {
  const bytes = new Uint8Array(file);  // a copy: Node's file Buffers may be views into a shared pool
  const major = bytes[6];
  const hlen = major === 1 ? bytes[8] | (bytes[9] << 8) : new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + hlen));
  if (!header.includes("'<f4'")) throw new Error(`not a float32 .npy: ${header}`);
  const shape = header.match(/'shape': \(([^)]*)\)/)[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const body = bytes.slice(start + hlen);
  return {dims: shape, data: new Float32Array(body.buffer, 0, body.byteLength / 4)};
}

// Deterministic uniform [0,1) floats (mulberry32), so a failure replays from its printed seed.
export function randomFloats(n, seed) {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; ++i) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return out;
}
