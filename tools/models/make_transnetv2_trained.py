#!/usr/bin/python3
"""Writes models/transnetv2.onnx, the trained TransNetV2 that `webconv shots` uses by default, from what the
repository keeps: the graph PyTorch exported (models/transnetv2/graph.onnx, its large initializers
emptied) and the trained weights in float16 (models/transnetv2/weights.f16.npz, by state-dict name).
Deterministic: the same two files give the same model. Training: tools/train/train.py (NOTES.md has the
run); the model: tools/train/model.py (TransNetV2 as published; input uint8 [1, 100, 27, 48, 3], outputs
the single-frame and all-frames logits).

    /usr/bin/python3 tools/models/make_transnetv2_trained.py [OUT] [--graph G] [--weights W]
"""
import argparse
import os

import numpy as np
import onnx
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def build(graph_path, weights_path):
    model = onnx.load(graph_path)
    weights = np.load(weights_path)
    filled = 0
    for i, init in enumerate(model.graph.initializer):
        if init.name not in weights.files:
            continue
        value = weights[init.name].astype(np.float32)
        if list(value.shape) != list(init.dims):
            raise SystemExit(f"{init.name}: weights {list(value.shape)} but the graph says {list(init.dims)}")
        model.graph.initializer[i].CopyFrom(numpy_helper.from_array(value, init.name))
        filled += 1
    empty = [t.name for t in model.graph.initializer
             if t.data_type == onnx.TensorProto.FLOAT and not t.raw_data and not t.float_data and np.prod(t.dims) > 0]
    if empty:
        raise SystemExit(f"no weights for {len(empty)} initializers, e.g. {empty[:3]}")
    onnx.helper.set_model_props(model, {"webconv.trained": "tools/train/train.py on synthetic shots"})
    onnx.checker.check_model(model)
    return model, filled


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out", nargs="?", default=os.path.join(ROOT, "models/transnetv2.onnx"))
    p.add_argument("--graph", default=os.path.join(ROOT, "models/transnetv2/graph.onnx"))
    p.add_argument("--weights", default=os.path.join(ROOT, "models/transnetv2/weights.f16.npz"))
    a = p.parse_args()
    model, filled = build(a.graph, a.weights)
    onnx.save(model, a.out)
    print(f"wrote {a.out} (TransNetV2 trained on synthetic shots; {filled} weight tensors from {a.weights})")


if __name__ == "__main__":
    main()
