// Runs an ONNX model on ONNX Runtime's CPU execution provider (npm onnxruntime-node), the independent
// oracle for the real-model tests: .npy inputs in, one .npy per output out (named like webconv's).
//
//   node tests/models/ort_run.mjs MODEL [--input NAME=FILE.npy]... [--output-dir DIR]
//
// Exit codes: 0 success, 2 usage error, 3 ONNX Runtime refused the model (session creation or run;
// its message is printed on one line, prefixed "ort refused:"). Graph optimizations are switched off
// so the oracle computes each node as written (no fusion of Conv+BatchNorm etc. into new arithmetic).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// .npy dtype descriptors (little-endian) and the ONNX Runtime tensor type and typed array for each.
const NPY_TYPES = {
  '<f4': ['float32', Float32Array],
  '<f8': ['float64', Float64Array],
  '<i4': ['int32', Int32Array],
  '<i8': ['int64', BigInt64Array],
  '|u1': ['uint8', Uint8Array],
  '|i1': ['int8', Int8Array],
  '|b1': ['bool', Uint8Array],
};

function usage(msg) {
  process.stderr.write(`ort_run: ${msg}\nusage: node ort_run.mjs MODEL [--input NAME=FILE.npy]... [--output-dir DIR]\n`);
  process.exit(2);
}

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 10 || buf.toString('latin1', 0, 6) !== '\x93NUMPY') usage(`'${file}' is not a .npy file`);
  const major = buf[6];
  const headerLen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + headerLen);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) usage(`'${file}': cannot parse the .npy header`);
  if (fortran) usage(`'${file}': Fortran-order .npy is not supported`);
  const type = NPY_TYPES[descr];
  if (!type) usage(`'${file}': unsupported .npy dtype ${descr}`);
  const dims = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const [ortType, Typed] = type;
  const dataStart = start + headerLen;
  // Copy into an aligned buffer: the data offset in the file need not be a multiple of the element size.
  const bytes = new Uint8Array(count * Typed.BYTES_PER_ELEMENT);
  if (buf.length < dataStart + bytes.length) usage(`'${file}': truncated data`);
  bytes.set(buf.subarray(dataStart, dataStart + bytes.length));
  const data = new Typed(bytes.buffer);
  return { ortType, data: ortType === 'bool' ? Array.from(data, (v) => v !== 0) : data, dims };
}

function writeNpy(file, tensor) {
  const entry = Object.entries(NPY_TYPES).find(([, [t]]) => t === tensor.type);
  if (!entry) throw new Error(`cannot write ONNX Runtime tensor type ${tensor.type} to .npy`);
  const dims = tensor.dims.map(Number);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${entry[0]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad so that magic + version + length + header is a multiple of 64, ending with a newline.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  const data = tensor.type === 'bool' ? Uint8Array.from(tensor.data, (v) => (v ? 1 : 0)) : tensor.data;
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([prefix, Buffer.from(header, 'latin1'), body]));
}

// Same mapping as webconv's `run`: keep [A-Za-z0-9._-], map the rest to '_'.
function fileNameFor(output) {
  let s = output.replace(/[^A-Za-z0-9._-]/g, '_');
  if (!s.length || s[0] === '.') s = '_' + s;
  return s + '.npy';
}

async function main() {
  const argv = process.argv.slice(2);
  let model = null;
  let outDir = 'ort_out';
  const inputs = {};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    if (a === '--input' || a === '--output-dir') {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      const v = argv[++i];
      if (a === '--output-dir') {
        outDir = v;
        continue;
      }
      const eq = v.indexOf('=');
      if (eq <= 0) usage(`--input expects NAME=FILE.npy, got '${v}'`);
      inputs[v.slice(0, eq)] = v.slice(eq + 1);
    } else if (a.startsWith('--')) {
      usage(`unknown option ${a}`);
    } else if (model === null) {
      model = a;
    } else {
      usage('expects one MODEL');
    }
  }
  if (model === null) usage('expects one MODEL');

  const ort = require('onnxruntime-node');
  const feeds = {};
  for (const [name, file] of Object.entries(inputs)) {
    const { ortType, data, dims } = readNpy(file);
    feeds[name] = new ort.Tensor(ortType, data, dims);
  }
  let outputs;
  try {
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'disabled',
    });
    for (const name of session.inputNames)
      if (!(name in feeds)) usage(`input '${name}' not given (ort_run never invents inputs)`);
    outputs = await session.run(feeds);
  } catch (e) {
    process.stderr.write(`ort refused: ${String(e.message ?? e).replace(/\s+/g, ' ')}\n`);
    process.exit(3);
  }
  fs.mkdirSync(outDir, { recursive: true });
  for (const [name, tensor] of Object.entries(outputs)) {
    const file = path.join(outDir, fileNameFor(name));
    writeNpy(file, tensor);
    console.log(`output '${name}': ${tensor.type}[${tensor.dims.join(',')}] -> ${file}`);
  }
}

main().catch((e) => {
  process.stderr.write(`ort_run: ${e.stack ?? e}\n`);
  process.exit(1);
});
