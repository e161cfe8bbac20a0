"""Shared fixtures: the CLI to compare with, the example folder, images made in code."""

import json
import os
import shutil
import struct
import subprocess

import numpy as np
import pytest

EXAMPLES = os.environ.get("NEARDUP_EXAMPLES",
                          os.path.join(os.path.dirname(__file__), "..", "..", "examples"))
CLI = os.environ.get("NEARDUP_CLI", "neardup")


def run_cli(*args, cwd=None):
    """The CLI's stdout (the exit status may be 1 when some file failed)."""
    env = dict(os.environ, XDG_CACHE_HOME=os.environ.get("XDG_CACHE_HOME", "/nonexistent"))
    r = subprocess.run([CLI, *args], capture_output=True, text=True, cwd=cwd, env=env)
    assert r.returncode in (0, 1), r.stderr
    return r.stdout


def cli_json(*args, cwd=None):
    return json.loads(run_cli(*args, "--json", cwd=cwd))


def write_bmp(path, rgb):
    """A 24-bit BMP of an HxWx3 uint8 array (a lossless file without an image library)."""
    h, w, _ = rgb.shape
    row = (w * 3 + 3) & ~3
    pixels = bytearray()
    for y in range(h - 1, -1, -1):
        line = rgb[y, :, ::-1].tobytes()
        pixels += line + b"\0" * (row - len(line))
    header = b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    with open(path, "wb") as f:
        f.write(header + info + pixels)


def scene(seed, h=192, w=256):
    """A picture with structure (gradients and blocks), different for each seed."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.zeros((h, w, 3), np.float64)
    for c in range(3):
        fx, fy, ph = rng.uniform(0.01, 0.06, 2).tolist() + [rng.uniform(0, 6.3)]
        img[..., c] = 127 + 100 * np.sin(fx * x + fy * y + ph)
    for _ in range(6):
        y0, x0 = rng.integers(0, h - 40), rng.integers(0, w - 40)
        img[y0:y0 + 40, x0:x0 + 40] = rng.integers(0, 255, 3)
    return img.clip(0, 255).astype(np.uint8)


@pytest.fixture
def examples(tmp_path):
    """A copy of examples/ (so nothing a test does can touch the repository's files)."""
    d = tmp_path / "examples"
    shutil.copytree(EXAMPLES, d, ignore=shutil.ignore_patterns("consumer"))
    return str(d)
