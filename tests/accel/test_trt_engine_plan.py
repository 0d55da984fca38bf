"""Everything up to the TensorRT engine, tested without TensorRT: profiles, precision plans per version,
cache keys and metadata, the fp16 ONNX, calibration batches. Engine build/run: visible skips."""
from __future__ import annotations

import json

import numpy as np
import onnx
import pytest

from feature_windows import random_windows
from llamo_ros.runtime.calibration import calibration_batches, load_windows
from llamo_ros.runtime.engine_cache import EngineCache, EngineKey, EngineMetadata, file_sha256, read_metadata
from llamo_ros.runtime.onnx_runtime import OnnxMotionRuntime, OnnxRuntimeOptions
from llamo_ros.runtime.tensorrt_compat import tensorrt_features
from llamo_ros.runtime.trt_engine_plan import ShapeProfile, plan_precision

# fp16 ONNX vs fp32 ONNX (onnxruntime CPU, graph optimisations off), stated tolerance:
# probabilities within 2e-3 absolute; path within 1e-2 m absolute (fp16 has ~3 significant digits).
FP16_ATOL_PROBS, FP16_ATOL_PATH = 2e-3, 1e-2


# ---- shape profile -------------------------------------------------------------------------------
def test_default_profile_shapes():
    p = ShapeProfile()
    assert p.input_shapes() == {"features": ((1, 4, 80), (1, 32, 80), (8, 64, 80))}
    assert p.accepts((1, 32, 80)) and p.accepts((8, 64, 80))
    assert not p.accepts((9, 32, 80)) and not p.accepts((1, 30, 80)) and not p.accepts((1, 68, 80))


@pytest.mark.parametrize("kw", [dict(min_batch=2, opt_batch=1), dict(opt_window=30), dict(max_window=2, min_window=4),
                                dict(min_batch=0)])
def test_profile_rejects_bad_ranges(kw):
    with pytest.raises(ValueError):
        ShapeProfile(**kw)


# ---- precision plan per TensorRT version -----------------------------------------------------------
def test_version_features():
    t10, t11 = tensorrt_features("10.3.0"), tensorrt_features("11.0.0.1")
    assert t10.precision_flags and t10.int8_calibrator and not t10.strongly_typed_only
    assert not t11.precision_flags and not t11.int8_calibrator and t11.strongly_typed_only
    with pytest.raises(ValueError):
        tensorrt_features("8.6.1")


@pytest.mark.parametrize("precision,flags,variant,calib", [
    ("fp32", (), "fp32", False), ("fp16", ("FP16",), "fp32", False), ("int8", ("FP16", "INT8"), "fp32", True)])
def test_tensorrt10_plan_uses_builder_flags(precision, flags, variant, calib):
    plan = plan_precision(precision, "10.3.0")
    assert (plan.builder_flags, plan.onnx_variant, plan.needs_calibrator, plan.strongly_typed) == \
        (flags, variant, calib, False)


@pytest.mark.parametrize("precision,variant", [("fp32", "fp32"), ("fp16", "fp16"), ("int8", "qdq")])
def test_tensorrt11_plan_is_strongly_typed(precision, variant):
    plan = plan_precision(precision, "11.0.0")
    assert plan.strongly_typed and plan.builder_flags == () and not plan.needs_calibrator
    assert plan.onnx_variant == variant


def test_unknown_precision():
    with pytest.raises(ValueError):
        plan_precision("int4", "10.3.0")


def test_tensorrt11_int8_without_qdq_onnx_says_modelopt(tmp_path):
    from llamo_ros.runtime.trt_engine_build import EngineBuildConfig, parse_onnx_variant
    with pytest.raises(ValueError, match="ModelOpt"):
        parse_onnx_variant(plan_precision("int8", "11.0.0"), tmp_path / "m.onnx", EngineBuildConfig("int8"), tmp_path)


# ---- engine cache -----------------------------------------------------------------------------------
def _key(**kw):
    base = dict(gpu_name="NVIDIA H100 80GB HBM3", tensorrt_version="10.3.0", onnx_sha256="ab" * 32,
                precision="fp16", profile=ShapeProfile())
    return EngineKey(**{**base, **kw})


def test_cache_key_composition():
    k = _key()
    parts = k.relative_dir().parts
    assert parts[0] == "nvidia-h100-80gb-hbm3" and parts[1] == "trt-10.3.0"
    assert parts[2].startswith("abababababababab-fp16-")
    dirs = {_key().relative_dir(), _key(gpu_name="Orin").relative_dir(), _key(tensorrt_version="11.0.0").relative_dir(),
            _key(onnx_sha256="cd" * 32).relative_dir(), _key(precision="int8").relative_dir(),
            _key(profile=ShapeProfile(max_batch=16)).relative_dir()}
    assert len(dirs) == 6  # every component changes the entry


def test_cache_store_lookup_and_metadata(tmp_path, small_onnx):
    cache = EngineCache(tmp_path)
    key = _key(onnx_sha256=file_sha256(small_onnx))
    assert cache.lookup(key) is None
    meta = EngineMetadata.describe(key, plan_precision("fp16", "10.3.0"), onnx_path=str(small_onnx))
    path = cache.store(key, b"engine-bytes", meta)
    assert cache.lookup(key) == path and path.read_bytes() == b"engine-bytes"
    described = read_metadata(path)
    assert described.key["gpu_name"] == key.gpu_name and described.key["onnx_sha256"] == key.onnx_sha256
    assert described.plan["builder_flags"] == ["FP16"] and described.output_names[:2] == ["intent_probs", "future_path"]
    assert json.loads((path.parent / "motion_model.json").read_text())["key"]["profile"]["max_window"] == 64
    assert cache.lookup(_key(tensorrt_version="10.4.0")) is None


def test_cache_rejects_mismatched_metadata(tmp_path):
    cache = EngineCache(tmp_path)
    key = _key()
    path = cache.store(key, b"x", EngineMetadata.describe(key, plan_precision("fp16", "10.3.0")))
    meta = json.loads((path.parent / "motion_model.json").read_text())
    meta["key"]["onnx_sha256"] = "00" * 32   # an engine copied in from elsewhere
    (path.parent / "motion_model.json").write_text(json.dumps(meta))
    assert cache.lookup(key) is None
    (path.parent / "motion_model.json").write_text("{not json")
    assert cache.lookup(key) is None


# ---- fp16 ONNX -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fp16_onnx(small_onnx, tmp_path_factory):
    from llamo_ros.runtime.fp16_onnx import write_fp16_onnx
    return write_fp16_onnx(small_onnx, tmp_path_factory.mktemp("fp16") / "motion_small.fp16.onnx")


def test_fp16_onnx_is_valid_and_fp16_inside(fp16_onnx):
    m = onnx.load(str(fp16_onnx))
    onnx.checker.check_model(m, full_check=True)
    assert [i.type.tensor_type.elem_type for i in m.graph.input] == [onnx.TensorProto.FLOAT]
    assert all(o.type.tensor_type.elem_type == onnx.TensorProto.FLOAT for o in m.graph.output)
    types = {t.data_type for t in m.graph.initializer}
    assert onnx.TensorProto.FLOAT not in types and onnx.TensorProto.FLOAT16 in types
    # LayerNormalization is kept fp32 between Casts by default
    ln = [n for n in m.graph.node if n.op_type == "LayerNormalization"]
    producers = {out: n for n in m.graph.node for out in n.output}
    assert ln
    for n in ln:
        cast = producers[n.input[0]]
        assert cast.op_type == "Cast" and cast.attribute[0].i == onnx.TensorProto.FLOAT


@pytest.mark.parametrize("batch,frames", [(1, 32), (4, 64), (8, 4), (3, 16)])
def test_fp16_onnx_close_to_fp32(small_onnx, fp16_onnx, batch, frames, real_windows):
    off = OnnxRuntimeOptions(threads=1, graph_optimizations=False)
    rt32, rt16 = OnnxMotionRuntime(small_onnx, off), OnnxMotionRuntime(fp16_onnx, off)
    x = random_windows(batch, frames, seed=frames) if frames != 32 else real_windows[:batch]
    p32, path32 = rt32(x)
    p16, path16 = rt16(x)
    assert p16.dtype == np.float32 and p16.shape == p32.shape
    np.testing.assert_allclose(p16, p32, atol=FP16_ATOL_PROBS, rtol=0)
    np.testing.assert_allclose(path16, path32, atol=FP16_ATOL_PATH, rtol=0)
    assert np.abs(p16 - p32).max() > 0  # it really ran in fp16


def test_fp16_conversion_without_keep_list(small_onnx):
    from llamo_ros.runtime.fp16_onnx import convert_to_fp16
    m = convert_to_fp16(onnx.load(str(small_onnx)), keep_fp32_ops=())
    assert sum(n.op_type == "Cast" for n in m.graph.node) == 4  # 1 input + 3 outputs


# ---- calibration ---------------------------------------------------------------------------------
def test_calibration_batches_from_generated_motion(real_windows):
    assert real_windows.shape == (16, 32, 80) and real_windows.dtype == np.float32
    assert np.isfinite(real_windows).all() and set(np.unique(real_windows[..., 79])) <= {0.0, 1.0}
    batches = calibration_batches(real_windows, 5)
    assert len(batches) == 3  # trailing partial batch dropped
    assert all(b.shape == (5, 32, 80) and b.dtype == np.float32 and b.flags.c_contiguous for b in batches)
    with pytest.raises(ValueError):
        calibration_batches(real_windows, 17)


def test_calibration_windows_from_npy(tmp_path):
    good = tmp_path / "calib.npy"
    np.save(good, random_windows(6, 32).astype(np.float64))
    w = load_windows(good)
    assert w.dtype == np.float32 and w.shape == (6, 32, 80)
    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((6, 32, 79), np.float32))
    with pytest.raises(ValueError):
        load_windows(bad)
    nan = random_windows(2, 32)
    nan[0, 0, 0] = np.nan
    np.save(bad, nan)
    with pytest.raises(ValueError, match="NaN"):
        load_windows(bad)


# ---- engine build and run: need TensorRT + CUDA ------------------------------------------------------
@pytest.mark.gpu
@pytest.mark.parametrize("precision", ["fp32", "fp16", "int8"])
def test_tensorrt_engine_matches_pytorch(precision, small_model, small_onnx, tmp_path, real_windows):
    from llamo_ros.runtime.tensorrt_compat import BackendUnavailable, import_tensorrt
    try:
        trt = import_tensorrt()
    except BackendUnavailable as exc:
        pytest.skip(str(exc))
    from llamo_ros.runtime.torch_runtime import TorchMotionRuntime
    from llamo_ros.runtime.trt_engine_build import EngineBuildConfig, engine_for
    from llamo_ros.runtime.trt_runtime import TensorRTMotionRuntime
    if precision == "int8" and not tensorrt_features(trt.__version__).int8_calibrator:
        pytest.skip(f"TensorRT {trt.__version__}: INT8 needs a ModelOpt Q/DQ ONNX")
    engine = engine_for(small_onnx, EngineBuildConfig(precision=precision, cache_root=str(tmp_path),
                                                      calibration_windows=64))
    assert read_metadata(engine).key["precision"] == precision
    rt, ref = TensorRTMotionRuntime(engine), TorchMotionRuntime(small_model)
    tol = {"fp32": (1e-4, 1e-3), "fp16": (FP16_ATOL_PROBS, FP16_ATOL_PATH), "int8": (5e-2, 1e-1)}[precision]
    for x in (real_windows[:1], real_windows[:8], random_windows(3, 64)):
        p, path = rt(x)
        p_ref, path_ref = ref(x)
        np.testing.assert_allclose(p, p_ref, atol=tol[0], rtol=0)
        np.testing.assert_allclose(path, path_ref, atol=tol[1], rtol=0)
    assert engine_for(small_onnx, EngineBuildConfig(precision=precision, cache_root=str(tmp_path),
                                                    calibration_windows=64)) == engine  # cache hit


@pytest.mark.gpu
def test_selection_picks_tensorrt_when_present(small_onnx):
    from llamo_ros.runtime.tensorrt_compat import BackendUnavailable, import_tensorrt
    try:
        import_tensorrt()
    except BackendUnavailable as exc:
        pytest.skip(str(exc))
    from llamo_ros.runtime import select_motion_runtime
    rt = select_motion_runtime(onnx_path=str(small_onnx), preference=("tensorrt",), precision="fp32")
    assert rt.name.startswith("tensorrt:")
