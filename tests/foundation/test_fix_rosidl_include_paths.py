"""The rewrite of the ROS wheels' build-machine include folders keeps other entries and is idempotent."""
from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("fix_rosidl_include_paths",
                                              REPO / "tools" / "fix_rosidl_include_paths.py")
fix = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fix)


def test_rewrites_python_and_numpy_includes_only():
    old = ("/opt/python/cp311-cp311/include/python3.11;/opt/x/include;"
           "/opt/python/cp311-cp311/lib/python3.11/site-packages/numpy/_core/include")
    assert fix.fixed_include_list(old, "/py/include", "/np/include") == "/py/include;/opt/x/include;/np/include"


def test_rewrites_a_prefix_tree_once(tmp_path, capsys):
    cmake = tmp_path / "share" / "std_msgs" / "cmake" / "export_std_msgs__rosidl_generator_pyExport.cmake"
    cmake.parent.mkdir(parents=True)
    cmake.write_text('set_target_properties(x PROPERTIES\n  INTERFACE_INCLUDE_DIRECTORIES '
                     '"/opt/python/cp311-cp311/include/python3.11;/b/numpy/core/include"\n)\n')
    fix.main(str(tmp_path))
    text = cmake.read_text()
    assert "/opt/python/cp311-cp311" not in text and fix.numpy.get_include() in text
    fix.main(str(tmp_path))
    assert cmake.read_text() == text
    assert "1 rewritten" in capsys.readouterr().out.splitlines()[0]
