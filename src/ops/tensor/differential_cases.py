"""Differential cases for the tensor family (Transpose, Concat, Gather, GatherElements, GatherND, Slice):
awkward shapes, every opset form, several dtypes. Writes one model and its .npy inputs per case, then runs
`webconv check` (WebGPU against the float64 reference) on each. Needs Debian's python3-onnx:

  /usr/bin/python3 src/ops/tensor/differential_cases.py --webconv build/webconv [--seed N] [--out DIR]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto as TP
from onnx import helper as h
from onnx import numpy_helper as nh

ap = argparse.ArgumentParser()
ap.add_argument('--webconv', required=True)
ap.add_argument('--seed', type=int, default=7)
ap.add_argument('--out', default=None)
args = ap.parse_args()
print('seed', args.seed)
rng = np.random.default_rng(args.seed)
out = args.out or tempfile.mkdtemp(prefix='webconv_tensor_')
NP = {TP.FLOAT: np.float32, TP.INT64: np.int64, TP.INT32: np.int32, TP.UINT8: np.uint8, TP.BOOL: np.bool_,
      TP.INT8: np.int8, TP.UINT16: np.uint16, TP.INT16: np.int16, TP.UINT32: np.uint32}
I64_MAX, I64_MIN = np.iinfo(np.int64).max, np.iinfo(np.int64).min


def rand(dt, shape):
    if dt == TP.FLOAT:
        return rng.standard_normal(shape).astype(np.float32)
    if dt == TP.BOOL:
        return rng.integers(0, 2, shape).astype(np.bool_)
    info = np.iinfo(NP[dt])
    return rng.integers(max(info.min, -1000), min(info.max, 1000), shape).astype(NP[dt])


def save(name, node, inputs, out_dt, opset, inits=()):
    """inputs: (name, dtype, array) fed as graph inputs; inits: (name, array) initializers."""
    os.makedirs(f'{out}/{name}', exist_ok=True)
    vis = []
    for iname, dt, arr in inputs:
        vis.append(h.make_tensor_value_info(iname, dt, arr.shape))
        np.save(f'{out}/{name}/{iname}.npy', arr)
    g = h.make_graph([node], name, vis, [h.make_tensor_value_info('y', out_dt, None)],
                     initializer=[nh.from_array(a, n) for n, a in inits])
    m = h.make_model(g, opset_imports=[h.make_opsetid('', opset)])
    m.ir_version = 7
    onnx.save(m, f'{out}/{name}/model.onnx')
    with open(f'{out}/{name}/inputs', 'w') as f:
        f.write(' '.join(f'--input {n}={out}/{name}/{n}.npy' for n, _, _ in inputs))


def transposes():
    for i, (dt, shape, perm, opset) in enumerate([
            (TP.FLOAT, (2, 3, 1, 5, 7), (4, 2, 0, 3, 1), 13), (TP.INT64, (3, 5, 6), (1, 2, 0), 1),
            (TP.UINT8, (7, 9), (1, 0), 13), (TP.BOOL, (3, 1, 4), None, 13),
            (TP.INT8, (1, 1, 6), (2, 0, 1), 13),
            # rank 9 that merges below the kernel's 8 axes
            (TP.FLOAT, (2, 1, 3, 1, 2, 1, 2, 3, 2), (8, 7, 6, 5, 4, 3, 2, 1, 0), 13),
            (TP.FLOAT, (2, 3, 4, 5, 6), (0, 1, 2, 3, 4), 13), (TP.INT32, (9, 1, 65), (2, 1, 0), 13),
            (TP.FLOAT, (33, 17, 3), (2, 0, 1), 13), (TP.FLOAT, (), None, 13)]):
        attrs = {} if perm is None else {'perm': list(perm)}
        save(f'transpose_{i}', h.make_node('Transpose', ['x'], ['y'], **attrs), [('x', dt, rand(dt, shape))],
             dt, opset)


def concats():
    for i, (dt, shapes, axis, opset) in enumerate([
            (TP.FLOAT, [(2, 3, 4), (2, 0, 4), (2, 5, 4), (2, 1, 4)], 1, 13),
            (TP.INT32, [(3, 5), (3, 1)], -1, 11),
            (TP.FLOAT, [(2, 3), (2, 6)], None, 1), (TP.INT64, [(1, 7), (4, 7), (2, 7)], 0, 4),
            (TP.BOOL, [(3, 2, 1), (3, 2, 3)], 2, 13), (TP.FLOAT, [(5,)], 0, 13),
            (TP.UINT8, [(2, 0, 3), (2, 0, 3)], 0, 13), (TP.FLOAT, [(6, 1, 7), (6, 9, 7)], -2, 13),
            # several workgroups of four-element threads, with a tail
            (TP.FLOAT, [(2, 301, 3), (2, 45, 3)], 1, 13)]):
        names = [f'x{k}' for k in range(len(shapes))]
        attrs = {} if axis is None else {'axis': axis}
        save(f'concat_{i}', h.make_node('Concat', names, ['y'], **attrs),
             [(n, dt, rand(dt, s)) for n, s in zip(names, shapes)], dt, opset)


def gathers():
    for i, (dt, shape, axis, idx, idt, opset, as_init) in enumerate([
            (TP.FLOAT, (5, 4, 3), 1, [[0, -1], [3, 2], [-4, 1]], TP.INT32, 13, False),
            (TP.INT64, (6, 2), 0, 4, TP.INT64, 11, False),
            (TP.FLOAT, (3, 7), -1, [6, 0, -7, 3], TP.INT64, 1, True),
            (TP.BOOL, (2, 3, 4), 2, [[3], [0]], TP.INT64, 13, False),
            (TP.FLOAT, (9,), 0, [], TP.INT64, 13, False),
            (TP.UINT16, (2, 1, 5), 1, [0, 0, -1], TP.INT32, 13, True)]):
        ia = np.array(idx, dtype=NP[idt]).reshape(np.array(idx).shape)
        ins = [('x', dt, rand(dt, shape))] + ([] if as_init else [('idx', idt, ia)])
        save(f'gather_{i}', h.make_node('Gather', ['x', 'idx'], ['y'], axis=axis), ins, dt, opset,
             [('idx', ia)] if as_init else [])
    save('gather_elements_0', h.make_node('GatherElements', ['x', 'idx'], ['y'], axis=0),
         [('x', TP.FLOAT, rand(TP.FLOAT, (4, 3, 5))), ('idx', TP.INT64, rng.integers(-4, 4, (2, 3, 4)))],
         TP.FLOAT, 13)
    save('gather_elements_1', h.make_node('GatherElements', ['x', 'idx'], ['y'], axis=-1),
         [('x', TP.INT32, rand(TP.INT32, (3, 7))),
          ('idx', TP.INT32, rng.integers(-7, 7, (2, 9)).astype(np.int32))],
         TP.INT32, 11)
    save('gathernd_0', h.make_node('GatherND', ['x', 'idx'], ['y'], batch_dims=2),
         [('x', TP.FLOAT, rand(TP.FLOAT, (2, 3, 4, 5, 6))),
          ('idx', TP.INT64, rng.integers(-4, 4, (2, 3, 7, 1)))],
         TP.FLOAT, 13)
    save('gathernd_1', h.make_node('GatherND', ['x', 'idx'], ['y']),
         [('x', TP.INT64, rand(TP.INT64, (4, 5, 3))), ('idx', TP.INT64, rng.integers(-4, 4, (6, 2)))],
         TP.INT64, 11)


def slices():
    for i, (shape, starts, ends, axes, opset) in enumerate([
            ((6, 7, 8), [1, -3], [I64_MAX, -1], [0, 2], 9), ((5, 4), [0, 1], [-1, 1000], None, 1),
            ((4, 5, 6), [2], [2], [1], 9), ((3, 4), [-100], [100], [-1], 1)]):
        attrs = {'starts': starts, 'ends': ends}
        if axes is not None:
            attrs['axes'] = axes
        save(f'slice_attr_{i}', h.make_node('Slice', ['x'], ['y'], **attrs),
             [('x', TP.FLOAT, rand(TP.FLOAT, shape))], TP.FLOAT, opset)
    # Inputs form; starts/ends/axes/steps are graph inputs, bound by value.
    for i, (dt, shape, starts, ends, axes, steps, opset) in enumerate([
            (TP.FLOAT, (6, 7, 8), [5, -1, 0], [-7, -8, 8], [0, 1, 2], [-2, -3, 3], 13),
            (TP.INT64, (10, 3), [9], [-11], [0], [-4], 10),
            (TP.FLOAT, (2, 3, 4, 5), [0, 1], [1, 3], [1, 3], None, 11),
            (TP.INT32, (8,), [7], [0], None, [-1], 13),
            (TP.UINT8, (4, 4), [3, 0], [-5, 4], None, [-1, 2], 13),
            (TP.FLOAT, (5, 6), [1, 2], [2, 3], [0, 1], [1000, -1000], 13),
            (TP.FLOAT, (5, 6), [4], [1], [0], [1], 13)]):
        ins = [('x', dt, rand(dt, shape)), ('starts', TP.INT64, np.array(starts, np.int64)),
               ('ends', TP.INT64, np.array(ends, np.int64))]
        names = ['x', 'starts', 'ends']
        if axes is not None:
            ins.append(('axes', TP.INT64, np.array(axes, np.int64)))
            names.append('axes')
        if steps is not None:
            if axes is None:
                names.append('')
            ins.append(('steps', TP.INT64, np.array(steps, np.int64)))
            names.append('steps')
        save(f'slice_in_{i}', h.make_node('Slice', names, ['y']), ins, dt, opset)


transposes()
concats()
gathers()
slices()
failed = []
for name in sorted(os.listdir(out)):
    with open(f'{out}/{name}/inputs') as f:
        inputs = f.read().split()
    r = subprocess.run([args.webconv, 'check', f'{out}/{name}/model.onnx'] + inputs,
                       capture_output=True, text=True)
    print(('ok    ' if r.returncode == 0 else 'FAIL  ') + name)
    if r.returncode != 0:
        failed.append(name)
        print(r.stdout + r.stderr)
print(f'{len(failed)} failed (seed {args.seed}, cases in {out})')
sys.exit(1 if failed else 0)
