// Runs one ONNX model once under ONNX Runtime (npm onnxruntime-node) and says what happened: the
// output shapes, or ONNX Runtime's error. docs/differences-from-ort-web.md uses it to show how ONNX
// Runtime treats a model; with --verbose, ONNX Runtime's own log (which says on which execution
// provider each node was placed) goes to stderr.
//
//   node tools/docs/ort_probe.mjs MODEL [--ep webgpu|cpu] [--verbose]
//
// Float32 inputs get a fixed pseudo-random sequence in [-1, 1), int64 inputs zeros; inputs of other
// types are a usage error. Exit codes: 0 ran, 2 usage error, 3 ONNX Runtime refused the model.
// The WebGPU EP needs a Vulkan driver; on a machine without a GPU point it at SwiftShader:
//   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function usage(msg) {
  process.stderr.write(`ort_probe: ${msg}\nusage: node ort_probe.mjs MODEL [--ep webgpu|cpu] [--verbose]\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
let model = null;
let ep = 'webgpu';
let verbose = false;
for (let i = 0; i < argv.length; ++i) {
  const a = argv[i];
  if (a === '--ep') ep = i + 1 < argv.length ? argv[++i] : usage('--ep needs a value');
  else if (a === '--verbose') verbose = true;
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else if (model === null) model = a;
  else usage('expects one MODEL');
}
if (model === null) usage('expects one MODEL');
if (ep !== 'webgpu' && ep !== 'cpu') usage(`--ep must be webgpu or cpu, got '${ep}'`);

const ort = require('onnxruntime-node');
let session;
try {
  const options = { executionProviders: [ep] };
  if (verbose) Object.assign(options, { logSeverityLevel: 0, logVerbosityLevel: 0 });
  session = await ort.InferenceSession.create(fs.readFileSync(model), options);
} catch (e) {
  console.log(`ort ${ep}: refused at session creation: ${String(e.message || e).split('\n')[0]}`);
  process.exit(3);
}
const feeds = {};
for (const meta of session.inputMetadata) {
  if (!meta.isTensor || !meta.shape.every((d) => typeof d === 'number')) usage(`input '${meta.name}' needs fixed dims`);
  const count = meta.shape.reduce((x, y) => x * y, 1);
  if (meta.type === 'float32') {
    const data = new Float32Array(count);
    let s = 12345;
    for (let k = 0; k < count; ++k) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      data[k] = (s / 4294967296) * 2 - 1;
    }
    feeds[meta.name] = new ort.Tensor('float32', data, meta.shape);
  } else if (meta.type === 'int64') {
    feeds[meta.name] = new ort.Tensor('int64', new BigInt64Array(count), meta.shape);
  } else {
    usage(`input '${meta.name}' has type ${meta.type}; only float32 and int64 inputs are generated`);
  }
}
try {
  const out = await session.run(feeds);
  for (const [name, t] of Object.entries(out)) console.log(`ort ${ep}: ran: output '${name}' ${t.type}[${t.dims.join(',')}]`);
} catch (e) {
  console.log(`ort ${ep}: refused at run: ${String(e.message || e).split('\n')[0]}`);
  process.exit(3);
}
