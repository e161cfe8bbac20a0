"""neardup.Index: the round trip of `neardup index` from Python."""

import os

import numpy as np
import pytest

import neardup
from conftest import cli_json, scene, write_bmp


def test_index_round_trip(examples, tmp_path):
    path = str(tmp_path / "refs.idx")
    harbour = os.path.join(examples, "harbour.jpg")
    with neardup.Index(path, method="pdq8") as ix:
        assert ix.method == "pdq8" and not ix.closed
        added = ix.add(examples)
        assert added["added"] == 9 and added["errors"] == []
        assert ix.add(examples)["unchanged"] == 9  # nothing described twice
        hits = ix.query(harbour, k=3)
        assert hits[0]["path"] == os.path.abspath(harbour) and hits[0]["distance"] == 0
        assert hits[0]["score"] == 1 and len(hits) == 3
        rotated = [h["path"] for h in ix.query(os.path.join(examples, "harbour_rotated.jpg"))]
        assert os.path.abspath(harbour) in rotated[:3]
        both = ix.query([np.rot90(scene(5)).copy(), harbour], k=2, orientations=True)
        assert both[1][0]["distance"] == 0 and len(both[0]) == 2
        both = ix.query([harbour, os.path.join(examples, "robot.jpg")], k=1)
        assert [h[0]["path"] for h in both] == [os.path.abspath(harbour),
                                                os.path.abspath(os.path.join(examples,
                                                                             "robot.jpg"))]
        pairs = ix.dups()
        assert any({os.path.basename(a), os.path.basename(b)} ==
                   {"harbour.jpg", "harbour_rotated.jpg"} for a, b, _ in pairs)
        assert ix.stats()["images"] == 9
        assert ix.remove([harbour, "/not/indexed.jpg"]) == ["/not/indexed.jpg"]
        assert ix.stats()["images"] == 8
    assert ix.closed
    with pytest.raises(neardup.Error, match="closed"):
        ix.stats()
    # Reopened: the stored method; the CLI reads what Python wrote and says the same.
    with neardup.Index(path) as again:
        assert again.method == "pdq8" and again.stats()["images"] == 8
        # catalog_bytes counts SQLite's write-ahead log, whose size changes as processes open
        # and checkpoint the catalog: every other field must agree.
        ours, cli = again.stats(), cli_json("index", "stats", path)
        varying = ("catalog_bytes", "bytes_per_image")
        assert {k: v for k, v in ours.items() if k not in varying} == \
            {k: v for k, v in cli.items() if k not in varying}
        assert ours["catalog_bytes"] > 0 and cli["catalog_bytes"] > 0
    with pytest.raises(neardup.InvalidArgumentError, match="pdq8"):
        neardup.Index(path, method="phash")


def test_index_query_with_arrays_and_bad_input(tmp_path, examples):
    with neardup.Index(str(tmp_path / "i"), method="phash") as ix:
        ix.add(os.path.join(examples, "robot.jpg"))
        hits = ix.query(scene(3), k=1)
        assert len(hits) == 1 and 0 <= hits[0]["score"] <= 1
        # phash does not see through a quarter turn; the eight orientations do.
        picture = scene(8)
        write_bmp(str(tmp_path / "scene8.bmp"), picture)
        ix.add(str(tmp_path / "scene8.bmp"))
        sideways = np.rot90(picture).copy()
        upright = ix.query(sideways, k=1)[0]
        turned = ix.query(sideways, k=1, orientations=True)[0]
        assert turned["path"].endswith("scene8.bmp") and turned["distance"] == 0
        assert upright["distance"] > neardup.method_info("phash")["default_threshold"]
        # The same picture pasted into a flat page: found through the region inside it.
        page = np.full((600, 800, 3), 240, np.uint8)
        page[:50] = (40, 90, 160)
        page[300:492, 420:676] = picture
        whole = ix.query(page, k=1)[0]
        inside = ix.query(page, k=1, regions=True)[0]
        assert inside["path"].endswith("scene8.bmp") and inside["distance"] <= 8
        assert whole["distance"] > inside["distance"] and whole["view"] is None
        x, y, w, h = inside["view"]["region"]  # the pasted window, in fractions of the page
        assert abs(x - 420 / 800) < 0.02 and abs(y - 300 / 600) < 0.02
        assert abs(w - 256 / 800) < 0.02 and abs(h - 192 / 600) < 0.02
        assert turned["view"]["turn"] in (90, 270) and not turned["view"]["mirrored"]
        with pytest.raises(neardup.NotFoundError, match="missing.jpg"):
            ix.query(str(tmp_path / "missing.jpg"))
        with pytest.raises(ValueError):
            ix.query(np.zeros((4, 4), np.int16))
    with pytest.raises(neardup.Error):
        neardup.Index(str(tmp_path / "x"), method="no-such-method")
