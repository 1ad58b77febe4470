// Shared helpers of the browser tests (Node side): command-line flags, failing with a message, the web/dist
// check, tolerance comparison (compare.mjs), medians, .npy reading and writing, seeded inputs, and running
// the native CLI.
import fs from 'node:fs';
import path from 'node:path';

export { compareArrays } from './compare.mjs';

// --name value pairs into an object; repeated flags collect into arrays when listed in `multi`.
export function parseFlags(argv, multi = []) {
  const out = {};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (!a.startsWith('--')) fail(`unexpected argument '${a}'`);
    const key = a.slice(2);
    const value = argv[i + 1];
    if (value === undefined) fail(`${a} needs a value`);
    ++i;
    if (multi.includes(key)) (out[key] ??= []).push(value);
    else out[key] = value;
  }
  return out;
}

export function fail(message) {
  console.log(`FAILED: ${message}`);
  process.exit(1);
}

export function requireDist(dist) {
  for (const f of ['webconv.mjs', 'webconv-core.mjs', 'webconv.wasm'])
    if (!fs.existsSync(path.join(dist, f)))
      fail(`${path.join(dist, f)} is missing: build the browser package first with web/build.sh`);
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[n >> 1] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

// Reads a float32/float64/int .npy (little-endian, C order) in Node: {dtype, dims, data}.
export function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') fail(`${file} is not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const header = buf.toString('latin1', major === 1 ? 10 : 12, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1].split(',').filter((s) => s.trim()).map(Number);
  if (/True/.test(/'fortran_order':\s*(\w+)/.exec(header)?.[1] ?? '')) fail(`${file}: Fortran order`);
  const types = { '<f4': ['float32', Float32Array], '<f8': ['float64', Float64Array], '<i4': ['int32', Int32Array],
                  '<i8': ['int64', BigInt64Array], '|u1': ['uint8', Uint8Array] };
  const t = types[descr];
  if (!t) fail(`${file}: unsupported dtype ${descr}`);
  const bytes = buf.subarray(start);
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return { dtype: t[0], dims: shape, data: new t[1](copy.buffer) };
}

// Writes a float32 array as a C-order .npy (version 1.0).
export function writeNpyFloat32(file, data, dims) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims.join(', ')}${dims.length === 1 ? ',' : ''}), }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'),
                                        Buffer.from(data.buffer, data.byteOffset, data.byteLength)]));
}

// Deterministic pseudo-random floats in [-1, 1) from a seed (a 32-bit LCG), for inputs both sides share.
export function seededFloats(count, seed) {
  const out = new Float32Array(count);
  let s = seed >>> 0;
  for (let k = 0; k < count; ++k) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[k] = (s / 4294967296) * 2 - 1;
  }
  return out;
}

// Runs a command; resolves to {code, stdout, stderr, ms}.
export async function runCommand(cmd, args, options = {}) {
  const { spawn } = await import('node:child_process');
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
  });
}
