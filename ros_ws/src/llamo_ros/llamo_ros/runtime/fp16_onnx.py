"""fp32 ONNX -> fp16 ONNX, with the onnx package only (for TensorRT 11's strongly typed networks).

Every float32 tensor of the graph becomes float16: initializers, Constant / ConstantOfShape values,
Cast(to=FLOAT) targets and therefore every op's output. Graph inputs and outputs stay float32 (a Cast
right after each input and right before each output), so the fp16 model has the same call signature as
the fp32 one. Ops listed in `keep_fp32_ops` run in float32 between Casts (default: LayerNormalization,
whose variance overflows fp16 on large activations - TensorRT warns about exactly this).

onnxruntime on CPU crashes while optimising fp16 graphs: run the result with graph optimisations
disabled (`OnnxRuntimeOptions(graph_optimizations=False)`).
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

DEFAULT_KEEP_FP32_OPS = ("LayerNormalization",)
_F32, _F16 = TensorProto.FLOAT, TensorProto.FLOAT16


def _to_fp16(tensor: TensorProto) -> TensorProto:
    if tensor.data_type != _F32:
        return tensor
    array = numpy_helper.to_array(tensor)
    if np.abs(array).max(initial=0.0) > np.finfo(np.float16).max:
        raise ValueError(f"tensor {tensor.name!r} has values beyond the fp16 range")
    return numpy_helper.from_array(array.astype(np.float16), tensor.name)


def _float_tensors(model: onnx.ModelProto) -> set[str]:
    """Names of every float32 tensor in the graph (inputs, initializers, node outputs via shape inference)."""
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    g = inferred.graph
    names = {v.name for v in list(g.input) + list(g.output) + list(g.value_info)
             if v.type.tensor_type.elem_type == _F32}
    names |= {t.name for t in g.initializer if t.data_type == _F32}
    for node in g.node:
        if node.op_type == "Constant" and node.attribute and node.attribute[0].t.data_type == _F32:
            names.add(node.output[0])
    return names


def convert_to_fp16(model: onnx.ModelProto, keep_fp32_ops: tuple[str, ...] = DEFAULT_KEEP_FP32_OPS) -> onnx.ModelProto:
    """A float16 copy of `model` with float32 inputs/outputs; ops in `keep_fp32_ops` stay float32."""
    if model.functions:
        raise ValueError("models with ONNX functions are not supported; export with optimize=True (inlined)")
    floats = _float_tensors(model)
    out = onnx.ModelProto()
    out.CopyFrom(model)
    g = out.graph
    del g.value_info[:]  # types change; the checker re-infers them
    for i, init in enumerate(g.initializer):
        g.initializer[i].CopyFrom(_to_fp16(init))

    nodes = []
    # Graph inputs stay fp32: cast once, and consumers read the fp16 copy.
    renamed = {}
    for inp in g.input:
        if inp.name in floats and inp.type.tensor_type.elem_type == _F32:
            renamed[inp.name] = f"{inp.name}__fp16"
            nodes.append(helper.make_node("Cast", [inp.name], [renamed[inp.name]], to=_F16,
                                          name=f"{inp.name}__cast_fp16"))
    outputs = {o.name for o in g.output if o.type.tensor_type.elem_type == _F32}
    for node in g.node:
        node = _copy(node)
        node.input[:] = [renamed.get(n, n) for n in node.input]
        if node.op_type in keep_fp32_ops:
            pre, post = [], []
            for k, name in enumerate(node.input):
                if name and name in floats or name in renamed.values():
                    cast = f"{name}__fp32_for_{node.name or node.output[0]}"
                    pre.append(helper.make_node("Cast", [name], [cast], to=_F32, name=f"{cast}__cast"))
                    node.input[k] = cast
            for k, name in enumerate(node.output):
                if name in floats:
                    raw = f"{name}__fp32"
                    post.append(helper.make_node("Cast", [raw], [name], to=_F16, name=f"{name}__cast_fp16"))
                    node.output[k] = raw
            nodes += pre + [node] + post
            continue
        for attr in node.attribute:
            if node.op_type == "Cast" and attr.name == "to" and attr.i == _F32:
                attr.i = _F16
            if node.op_type in ("Constant", "ConstantOfShape") and attr.type == onnx.AttributeProto.TENSOR:
                attr.t.CopyFrom(_to_fp16(attr.t))
        nodes.append(node)
    # Graph outputs stay fp32: the producer writes an fp16 tensor, a final Cast writes the output name.
    for k, node in enumerate(nodes):
        for j, name in enumerate(node.output):
            if name in outputs and not (node.op_type == "Cast" and node.name == f"{name}__cast_fp32"):
                node.output[j] = f"{name}__fp16"
                for other in nodes[k + 1:]:
                    other.input[:] = [f"{name}__fp16" if n == name else n for n in other.input]
                nodes.append(helper.make_node("Cast", [f"{name}__fp16"], [name], to=_F32, name=f"{name}__cast_fp32"))
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(out, full_check=True)
    return out


def _copy(node: onnx.NodeProto) -> onnx.NodeProto:
    copy = onnx.NodeProto()
    copy.CopyFrom(node)
    return copy


def write_fp16_onnx(src: str | os.PathLike, dst: str | os.PathLike,
                    keep_fp32_ops: tuple[str, ...] = DEFAULT_KEEP_FP32_OPS) -> Path:
    """Convert the ONNX file `src` to float16 at `dst` (checked with onnx.checker); returns `dst`."""
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(convert_to_fp16(onnx.load(str(src)), keep_fp32_ops), str(dst))
    return dst
