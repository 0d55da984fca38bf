"""The package's dependency graph is one-way, read from every module's imports (ast, lazy imports included).

Layers, lowest first (a package may import only packages of a lower layer; the foundation modules also each
other, without cycles):
  0 foundation: skeleton, config_fields, errors, frames, image_encoding, compressed_image, shipped_models
  1 motion      (features, encoder, intents, descriptors, windows, track buffer, MotionClip)
  2 data        (generator and dataset loaders: clips labelled with motion's intents and captions)
  3 pose, language
  4 runtime     (motion-model runtimes; loads the motion model through language)
  5 behavior    (the ROS-free behaviour stage)
  6 messages    (ROS adapters: messages <-> core types, used by the nodes and the replay)
  7 replay      (offline driver of the pose and behaviour stages, through the adapters, not the nodes)
  8 nodes       (the rclpy nodes)
  9 training, benchmark
 10 cli
The core (layers 0-5) imports no rclpy and no ROS message package.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "ros_ws" / "src" / "llamo_ros" / "llamo_ros"
FOUNDATION = ("skeleton", "config_fields", "errors", "frames", "image_encoding", "compressed_image", "shipped_models")
LAYER = {**{name: 0 for name in FOUNDATION}, "motion": 1, "data": 2, "pose": 3, "language": 3, "runtime": 4,
         "behavior": 5, "messages": 6, "replay": 7, "nodes": 8, "training": 9, "benchmark": 9, "cli": 10}
CORE_TOP = LAYER["behavior"]
ROS_MODULES = ("rclpy", "rosidl_runtime_py", "llamo_msgs", "std_msgs", "sensor_msgs", "geometry_msgs",
               "visualization_msgs", "diagnostic_msgs", "builtin_interfaces", "rcl_interfaces", "lifecycle_msgs",
               "tf2_ros", "ament_index_python")
ROS_FREE_EXCEPTIONS = {"ament_index_python"}   # shipped_models finds the installed share folder when it exists


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, source: str | None = None) -> list[tuple[str, int]]:
    """(absolute module name, line) of every import in the file (or `source` as if it were that file),
    relative ones resolved."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text() if source is None else source, str(path))):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            out.append((module, node.lineno))
    return out


def top_package(module: str) -> str | None:
    """llamo_ros.<top>... -> <top>; None for anything outside llamo_ros (and for llamo_ros itself)."""
    parts = module.split(".")
    return parts[1] if parts[0] == "llamo_ros" and len(parts) > 1 else None


MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def edges() -> list[tuple[str, str, str]]:
    """(importing top package, imported top package, 'file:line') across packages."""
    out = []
    for path in MODULES:
        src = top_package(module_name(path))
        for module, line in imports(path):
            dst = top_package(module)
            if src and dst and dst != src:
                out.append((src, dst, f"{path.relative_to(PACKAGE)}:{line}"))
    return out


def test_every_package_has_a_layer():
    tops = {top_package(module_name(p)) for p in MODULES} - {None}
    assert tops <= set(LAYER), f"packages without a layer (add them to LAYER): {sorted(tops - set(LAYER))}"


def test_imports_only_go_down_the_layers():
    bad = [f"{where}: {src} (layer {LAYER[src]}) imports {dst} (layer {LAYER[dst]})"
           for src, dst, where in edges()
           if LAYER[dst] > LAYER[src] or (LAYER[dst] == LAYER[src] and LAYER[src] != 0)]
    assert not bad, "imports against the layer order:\n" + "\n".join(bad)


def test_no_import_cycles_between_packages():
    graph: dict[str, set[str]] = {}
    for src, dst, _ in edges():
        graph.setdefault(src, set()).add(dst)
    state: dict[str, int] = {}   # 1 visiting, 2 done

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                loop = trail + [node, nxt]
                return loop[loop.index(nxt):]
            if nxt not in state and (cycle := visit(nxt, trail + [node])):
                return cycle
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start, [])
            assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_core_imports_no_ros():
    bad = []
    for path in MODULES:
        top = top_package(module_name(path))
        if top is None or LAYER[top] > CORE_TOP:
            continue
        for module, line in imports(path):
            root = (module or "").split(".")[0]
            if root in ROS_MODULES and root not in ROS_FREE_EXCEPTIONS:
                bad.append(f"{path.relative_to(PACKAGE)}:{line}: {module}")
    assert not bad, "ROS imports in the ROS-free core:\n" + "\n".join(bad)


@pytest.mark.parametrize("source, expected", [
    ("from llamo_ros.training import checkpoint\n", "llamo_ros.training"),
    ("def f():\n    import llamo_ros.nodes.pose_node\n", "llamo_ros.nodes.pose_node"),
    ("from ..nodes import pose_node\n", "llamo_ros.nodes"),
])
def test_the_rule_sees_top_level_lazy_and_relative_imports(source, expected):
    assert imports(PACKAGE / "motion" / "probe.py", source)[0][0] == expected
