// Tolerance comparison with the rules of src/runtime/compare.cc, shared by the Node side of the browser
// tests and the pages they drive (it imports nothing, so a page can load it as a module).

// Compares flat numeric arrays: |a - e| <= atol + rtol |e| elementwise, NaN matching NaN, infinities equal.
// Returns {ok, maxAbs, maxRel, bad, worst, message}.
export function compareArrays(actual, expected, { atol, rtol }) {
  if (actual.length !== expected.length)
    return { ok: false, message: `${actual.length} elements != expected ${expected.length}` };
  let maxAbs = 0, maxRel = 0, bad = 0, worst = -1, worstExcess = -Infinity;
  for (let i = 0; i < expected.length; ++i) {
    const a = Number(actual[i]), e = Number(expected[i]); // int64 values arrive as BigInt
    let diff, ok;
    if (Number.isNaN(a) || Number.isNaN(e)) {
      ok = Number.isNaN(a) && Number.isNaN(e);
      diff = ok ? 0 : Infinity;
    } else if (!Number.isFinite(a) || !Number.isFinite(e)) {
      ok = a === e;
      diff = ok ? 0 : Infinity;
    } else {
      diff = Math.abs(a - e);
      ok = diff <= atol + rtol * Math.abs(e);
      if (e !== 0) maxRel = Math.max(maxRel, diff / Math.abs(e));
    }
    maxAbs = Math.max(maxAbs, diff);
    if (!ok) {
      const excess = diff - (atol + rtol * Math.abs(e));
      if (excess > worstExcess) (worstExcess = excess), (worst = i);
      ++bad;
    }
  }
  const message = bad
    ? `${bad} of ${expected.length} elements outside tolerance (atol ${atol}, rtol ${rtol}); worst at index ` +
      `${worst}: got ${actual[worst]}, expected ${expected[worst]}; max abs err ${maxAbs}, max rel err ${maxRel}`
    : `max abs err ${maxAbs.toExponential(2)}, max rel err ${maxRel.toExponential(2)}`;
  return { ok: bad === 0, maxAbs, maxRel, bad, worst, message };
}


// float16 data are raw half bits: compared exactly (no conv-family case carries them).
const kFloatTypes = ['float32', 'float64'];

// Tensors ({type, dims, data}): dtype and dims must match; floats within tolerance, integers and bools exact.
export function compareTensors(actual, expected, tolerance) {
  if (actual.type !== expected.type) return { ok: false, message: `dtype ${actual.type} != expected ${expected.type}` };
  if (actual.dims.join(',') !== expected.dims.join(','))
    return { ok: false, message: `shape [${actual.dims}] != expected [${expected.dims}]` };
  if (kFloatTypes.includes(expected.type)) return compareArrays(actual.data, expected.data, tolerance);
  for (let i = 0; i < expected.data.length; ++i)
    if (actual.data[i] !== expected.data[i])
      return { ok: false, message: `${expected.type} element ${i}: got ${actual.data[i]}, expected ${expected.data[i]}` };
  return { ok: true, message: 'exact' };
}
