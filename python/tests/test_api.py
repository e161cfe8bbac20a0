"""neardup's Python functions against the CLI and against their contracts."""

import json
import os

import numpy as np
import pytest

import neardup
from conftest import cli_json, run_cli, scene, write_bmp

HASHES = ["pdq", "pdq8", "phash", "dhash", "ahash", "whash"]


def jpgs(folder):
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".jpg"))


def test_hashes_equal_the_cli(examples):
    files = jpgs(examples)
    cli = {entry["path"]: entry for entry in cli_json("hash", *files)}
    for path in files:
        for method in HASHES:
            h = neardup.hash(path, method)
            want = cli[path][method]
            if method == "pdq8":
                assert h["variants"] == want
                assert h["hash"] == want[0]
            else:
                assert h["hash"] == want, (path, method)
        assert neardup.hash(path, "pdq")["quality"] == cli[path]["pdq_quality"]


def test_64_bit_hashes_as_int_and_bytes(examples):
    h = neardup.hash(os.path.join(examples, "robot.jpg"), "phash")
    assert h["bits"] == 64
    assert format(h["int"], "016x") == h["hash"]
    assert h["bytes"] == h["int"].to_bytes(8, "big")
    assert "int" not in neardup.hash(os.path.join(examples, "robot.jpg"), "pdq")


def test_arrays_hash_and_describe_as_their_files(tmp_path):
    img = scene(1)
    path = str(tmp_path / "scene.bmp")
    write_bmp(path, img)
    for method in ("pdq", "phash"):
        assert neardup.hash(img, method) == neardup.hash(path, method)
    by_file = neardup.describe([path, path], "pdq8")
    by_array = neardup.describe([img, img], "pdq8")
    assert by_file.dtype == np.uint8 and by_file.shape == (2, 8 * 32)
    np.testing.assert_array_equal(by_file, by_array)
    # Grey as HxW and as HxWx1 are the same image; RGBA is composited over white.
    grey = img[..., 1].copy()
    assert neardup.hash(grey)["hash"] == neardup.hash(grey[..., None])["hash"]
    rgba = np.dstack([img, np.full(img.shape[:2], 255, np.uint8)])
    assert neardup.hash(rgba) == neardup.hash(img)
    # A strided view is read correctly (copied to contiguous pixels).
    big = np.zeros((img.shape[0], img.shape[1] * 2, 3), np.uint8)
    big[:, ::2] = img
    assert neardup.hash(big[:, ::2])["hash"] == neardup.hash(img)["hash"]


def test_decode_gives_the_pixels_hash_sees(examples, tmp_path):
    img = scene(4)
    path = str(tmp_path / "s.bmp")
    write_bmp(path, img)
    np.testing.assert_array_equal(neardup.decode(path), img)
    jpg = os.path.join(examples, "harbour.jpg")
    pixels = neardup.decode(jpg)
    assert pixels.dtype == np.uint8 and pixels.shape == (512, 487, 3)
    assert neardup.hash(pixels) == neardup.hash(jpg)
    assert min(neardup.decode(jpg, min_side=64).shape[:2]) >= 64
    with pytest.raises(neardup.NotFoundError, match="nope.jpg"):
        neardup.decode(str(tmp_path / "nope.jpg"))


def test_describe_rows_are_the_packed_hash_words(examples):
    path = os.path.join(examples, "robot.jpg")
    row = neardup.describe(path, "phash")
    assert row.shape == (1, 8)
    word = int.from_bytes(row[0].tobytes(), "little")
    # describe() decodes as find does (JPEG DCT scaling), hash() at full size: close, not equal.
    assert bin(word ^ neardup.hash(path, "phash")["int"]).count("1") <= 6


def test_describe_learned_gives_unit_vectors_that_rank_copies(examples):
    method = "cnn:mobilenet_v2"
    if method not in neardup.method_names():
        pytest.skip("no shipped model in this build")
    names = ["harbour.jpg", "harbour_rotated.jpg", "robot.jpg", "portrait.jpg"]
    v = neardup.describe([os.path.join(examples, n) for n in names], method)
    assert v.dtype == np.float32 and v.shape == (4, neardup.method_info(method)["dims"])
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1, atol=1e-3)
    cos = v @ v.T
    assert cos[0, 1] > cos[0, 2] and cos[0, 1] > cos[0, 3]


def test_bad_input_raises_with_the_file_and_the_reason(examples, tmp_path):
    missing = str(tmp_path / "missing.jpg")
    with pytest.raises(neardup.NotFoundError) as e:
        neardup.describe([os.path.join(examples, "robot.jpg"), missing])
    assert missing in e.value.message and e.value.code == "not found"
    assert isinstance(e.value, LookupError) and isinstance(e.value, neardup.Error)
    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    with pytest.raises(neardup.Error) as e:
        neardup.hash(str(text))
    assert str(text) in str(e.value)
    arr, failed = neardup.describe([os.path.join(examples, "robot.jpg"), str(text)],
                                   errors="return")
    assert arr.shape == (2, 256) and arr[1].sum() == 0 and arr[0].sum() > 0
    assert list(failed) == [1] and str(text) in failed[1]
    with pytest.raises(ValueError, match="uint8"):
        neardup.hash(np.zeros((8, 8, 3), np.float32))
    with pytest.raises(ValueError, match="shape"):
        neardup.hash(np.zeros((8, 8, 2), np.uint8))
    with pytest.raises(neardup.NotFoundError, match="no-such-method"):
        neardup.describe([missing], "no-such-method")
    with pytest.raises(neardup.InvalidArgumentError, match="folder"):
        neardup.describe([examples])
    with pytest.raises(TypeError, match="int"):
        neardup.describe(42)
    with pytest.raises(TypeError, match="list"):
        neardup.hash([1, 2])


def comparable(doc):
    """find --json without what differs between two runs (timing, working folder)."""
    doc = dict(doc)
    doc.pop("cwd")
    doc["stats"] = {k: v for k, v in doc["stats"].items() if k not in ("seconds", "cached",
                                                                         "decoded")}
    return doc


def test_find_equals_the_cli_json(examples):
    cli = cli_json("find", "--no-cache", examples, cwd=examples)
    py = neardup.find(examples, cache=False)
    assert py["method"] == cli["method"] == neardup.default_method()
    assert len(py["groups"]) >= 2
    assert comparable(py) == comparable(cli)


def test_find_with_a_method_and_threshold_equals_the_cli(examples):
    cli = cli_json("find", "--no-cache", "-m", "pdq8", "-t", "60", examples)
    py = neardup.find([examples], method="pdq8", threshold=60, cache=False)
    assert py["threshold"] == 60 and py["threshold_unit"] == "bits"
    assert comparable(py) == comparable(cli)


def test_find_reports_unreadable_files_and_goes_on(examples):
    bad = os.path.join(examples, "broken.jpg")
    with open(bad, "wb") as f:
        f.write(b"\xff\xd8\xff\xe0 truncated")
    r = neardup.find(examples, method="pdq8", cache=False)
    assert [e["path"] for e in r["errors"]] == [bad]
    assert r["stats"]["images"] == 9 and r["groups"]


def test_pairs_equal_the_cli_csv(examples):
    rows = run_cli("pairs", "--no-cache", "-m", "pdq8", "-k", "3", examples).splitlines()[1:]
    cli = [(a, b, float(s)) for a, b, s in (r.rsplit(",", 2) for r in rows)]
    py = neardup.pairs(examples, k=3, method="pdq8", cache=False)
    assert [(a, b) for a, b, _ in py] == [(a, b) for a, b, _ in cli]
    assert np.allclose([s for *_, s in py], [s for *_, s in cli], atol=1e-6)


def test_compare_and_explain_give_the_evidence(examples):
    a = os.path.join(examples, "portrait.jpg")
    b = os.path.join(examples, "portrait_cropped.jpg")  # a crop: verified by local features
    c = os.path.join(examples, "robot.jpg")
    yes = neardup.compare(a, b, method="fused")
    assert yes["match"] and yes["method"] == "fused"
    assert yes["evidence"]["verified"]
    region = yes["evidence"]["verification"]
    assert region["match"] and region["inliers"] >= 10
    assert len(region["region_a"]) == 4 and len(region["region_b"]) == 4
    assert not neardup.compare(a, c, method="fused")["match"]
    rotated = neardup.compare(os.path.join(examples, "harbour.jpg"),
                              os.path.join(examples, "harbour_rotated.jpg"), method="pdq8")
    assert rotated["match"] and rotated["method"] == "pdq8" and "evidence" not in rotated
    cli = cli_json("explain", a, b, "-m", "pdq8", "-m", "fused")
    py = neardup.explain(a, b, methods=["pdq8", "fused"], picture=True)
    assert py["methods"] == cli["methods"] and py["fused"] == cli["fused"]
    assert py["near_duplicate"] == cli["near_duplicate"]
    pic = py["picture"]
    assert pic.dtype == np.uint8 and pic.ndim == 3 and pic.shape[2] == 3 and pic.shape[0] > 100


def test_find_duplicates_like_imagededup(examples, tmp_path):
    out = tmp_path / "dups.json"
    d = neardup.find_duplicates(examples, outfile=str(out), cache=False)
    assert sorted(d) == sorted(f for f in os.listdir(examples) if f.endswith((".jpg", ".png")))
    assert "harbour_rotated.jpg" in d["harbour.jpg"]
    for f, dups in d.items():  # symmetric, never the file itself
        assert f not in dups
        for g in dups:
            assert f in d[g]
    assert json.loads(out.read_text()) == d
    scored = neardup.find_duplicates(examples, scores=True, cache=False)
    assert {f for f, _ in scored["harbour.jpg"]} == set(d["harbour.jpg"])
    assert any(s is not None and 0 < s <= 1 for _, s in scored["harbour.jpg"])


def test_progress_is_called_and_its_exception_propagates(examples):
    calls = []
    neardup.describe(jpgs(examples), progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (len(jpgs(examples)), len(jpgs(examples)))

    def fail(done, total):
        raise KeyError("stop")

    with pytest.raises(KeyError):
        neardup.find(examples, method="pdq8", cache=False, progress=fail)


def test_method_info():
    info = neardup.method_info("pdq8")
    assert info == {"name": "pdq8", "metric": "hamming", "pair_pipeline": False, "dims": 256,
                    "variants": 8, "default_threshold": info["default_threshold"],
                    "threshold_unit": "bits", "threshold_range": (0.0, 256.0)}
    assert "pdq8" in neardup.method_names() and neardup.__version__
