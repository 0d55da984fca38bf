"""Point the ROS wheels' generated CMake exports at this interpreter's Python and numpy headers.

The `ros-*` wheels are built on a manylinux image; their `*__rosidl_generator_pyExport.cmake` files
hard-code that machine's include folders (e.g. /opt/python/cp311-cp311/include/python3.11), and CMake's
generate step fails on any interface package that depends on them. Idempotent: run it after every
install of ROS wheels.
"""
from __future__ import annotations

import re
import sys
import sysconfig
from pathlib import Path

import numpy

# INTERFACE_INCLUDE_DIRECTORIES "<python include>;<numpy include>" as written by the wheel builder.
_INCLUDE_LINE = re.compile(r'(INTERFACE_INCLUDE_DIRECTORIES\s+")([^"]*)(")')


def fixed_include_list(old: str, python_include: str, numpy_include: str) -> str:
    """Replace Python and numpy include folders in a CMake list, keeping any other entries."""
    out = []
    for entry in old.split(";"):
        if re.search(r"/include/python3\.\d+$", entry):
            entry = python_include
        elif entry.rstrip("/").endswith(("numpy/_core/include", "numpy/core/include")):
            entry = numpy_include
        out.append(entry)
    return ";".join(out)


def main(prefix: str = sys.prefix) -> int:
    python_include = sysconfig.get_paths()["include"]
    numpy_include = numpy.get_include()
    files = sorted(Path(prefix, "share").glob("*/cmake/*__rosidl_generator_pyExport.cmake"))
    changed = 0
    for path in files:
        text = path.read_text()
        new = _INCLUDE_LINE.sub(
            lambda m: m.group(1) + fixed_include_list(m.group(2), python_include, numpy_include) + m.group(3),
            text)
        if new != text:
            path.write_text(new)
            changed += 1
    print(f"fix_rosidl_include_paths: {len(files)} export files, {changed} rewritten "
          f"(python: {python_include}, numpy: {numpy_include})")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
