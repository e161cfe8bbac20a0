"""neardup: find near-duplicate images (resized, re-encoded, cropped, rotated, flipped,
recoloured, captioned or pasted copies) from Python.

The functions are the C++ library's, with the same defaults as the ``neardup`` command:

>>> import neardup
>>> neardup.hash("a.jpg")["hash"]                 # PDQ hex, as `neardup hash` prints it
>>> neardup.describe(["a.jpg", "b.jpg"])          # N x 256 uint8 (pdq8: N x 8*32)
>>> neardup.describe(paths, method="cnn:mobilenet_v2")   # N x 384 float32, L2-normalised
>>> neardup.find("photos/")["groups"]             # what `neardup find --json photos/` prints
>>> neardup.find_duplicates("photos/")            # {file: [duplicates]}, as imagededup returns
>>> with neardup.Index("refs.idx", method="pdq8") as ix:
...     ix.add("reference/"); ix.query("upload.jpg", k=5)

Images are paths (str, bytes, os.PathLike) or numpy uint8 arrays, HxW (grey) or HxWxC with C = 1,
3 (RGB order) or 4 (RGBA, composited over white). Errors are :class:`neardup.Error` subclasses
(see :mod:`neardup.errors`) whose message names the file and the reason. Decoding, describing and
searching run with the GIL released, on all cores unless ``threads`` says otherwise.
Nothing here writes, moves or deletes an image; ``find`` writes only its descriptor cache.
"""

import os as _os

from . import _paths


def _locate_installed_files():
    # Learned methods need their model files and the LibTorch plugin; the library looks for
    # them beside the running binary, which for Python is the interpreter. Point it at the
    # build tree's or the install prefix's copies unless the user chose others.
    here = _os.path.dirname(_os.path.abspath(__file__))
    models = _os.path.normpath(_os.path.join(here, _paths.MODEL_DIR))
    plugin = _os.path.normpath(_os.path.join(here, _paths.NN_PLUGIN))
    if "NEARDUP_MODEL_DIR" not in _os.environ and _os.path.isdir(models):
        _os.environ["NEARDUP_MODEL_DIR"] = models
    if "NEARDUP_NN_PLUGIN" not in _os.environ and _os.path.isfile(plugin):
        _os.environ["NEARDUP_NN_PLUGIN"] = plugin


_locate_installed_files()

from . import _neardup  # noqa: E402
from .errors import (  # noqa: E402,F401
    CorruptionError,
    Error,
    InvalidArgumentError,
    IOError,
    NotFoundError,
    ResourceExhaustedError,
    UnimplementedError,
)
from ._compat import find_duplicates  # noqa: E402,F401

__version__ = _paths.VERSION


def hash(image, method="pdq8"):  # noqa: A001 - the name users expect
    """The perceptual hash of one image, decoded at full size as ``neardup hash`` does.

    Returns a dict: ``method``, ``bits``, ``hash`` (hex; PDQ's 64 digits in PDQ's own order, so
    it equals Meta's reference implementation and ``neardup hash``), ``quality`` (PDQ's 0-100,
    100 for the others); ``variants`` (hex of the 8 rotations/mirrors) for pdq8; ``int`` and
    ``bytes`` (big-endian) for the 64-bit hashes (phash, dhash, ahash, whash).
    """
    return _neardup.hash(image, method)


def describe(images, method="pdq8", threads=0, progress=None, errors="raise"):
    """Descriptors of many images as one numpy array, in the order given.

    ``images``: a path or array, or a list of them. Files are decoded and described in parallel
    exactly as ``neardup find`` does (never from a cache). Learned methods (e.g.
    ``"cnn:mobilenet_v2"``) give an N x D float32 array of unit vectors (compare with a dot
    product: cosine similarity); hashes give an N x (bits/8 * variants) uint8 array of the packed
    64-bit words in little-endian byte order (``numpy.unpackbits(..., bitorder="little")``
    gives the bits). ``progress(done, total)`` is called as images complete.
    ``errors="raise"`` raises the first failure (its message names the file);
    ``errors="return"`` returns ``(array, {index: message})`` with zero rows for failures.
    """
    return _neardup.describe(images, method, threads, progress, errors)


def find(folders, method=None, threshold=None, recursive=False, cache=True, cache_path="",
         threads=0, progress=None, mode="confirmed"):
    """Groups of near-duplicates, as ``neardup find --json`` prints them.

    Returns a dict with ``cwd``, ``roots``, ``method``, ``threshold``, ``threshold_unit``,
    ``groups`` (each with ``files`` -- path, keep, score, reason, width, height, bytes,
    mtime_ns, format, sha256 -- and the ``pairs`` that joined it with their evidence),
    ``errors`` (unreadable files, each with its reason) and ``stats``. ``method=None`` is the
    command's default (``neardup.default_method()``); ``threshold`` is in the method's unit
    (``method_info(m)["threshold_unit"]``). The result can be saved with ``json.dump`` and
    given to ``neardup act``. ``mode``: ``"confirmed"`` (the default: a pair merges two groups only
    when every member then matches the group's hub or half the others, so one false match
    cannot merge two groups), ``"strict"`` (every member matches the kept file) or
    ``"connected"`` (any chain of pairs), as ``find``'s ``--strict`` and ``--connected``. ``cache_path`` is
    ``--cache``; ``cache=False`` is ``--no-cache``.
    """
    return _neardup.find(folders, method, threshold, recursive, cache, cache_path, threads,
                         progress, mode)


def pairs(folders, k=10, method=None, recursive=False, cache=True, cache_path="", threads=0):
    """Every image's k most similar other images, matching or not: a list of
    ``(a, b, score)`` with score in [0, 1], higher = more similar (``neardup pairs --csv``)."""
    return _neardup.pairs(folders, k, method, recursive, cache, cache_path, threads)


def compare(a, b, method=None):
    """Whether two images are near-duplicates under one method (default: ``find``'s).

    Returns a dict: ``method``, ``distance`` (the method's unit), ``score`` in [0, 1],
    ``threshold``, ``match``; for a fused method also ``evidence`` (hash distance, votes, the
    geometric verification's inliers and the matched region in both images' pixels).
    """
    m = method or default_method()
    e = _neardup.explain(a, b, [m], False)
    if not e["methods"]:
        raise InvalidArgumentError("%s: could not run (%s)" % (m, "; ".join(e["not_run"])),
                                   "invalid argument")
    out = dict(e["methods"][0])
    if "fused" in e:
        out["evidence"] = e["fused"]
    return out


def explain(a, b, methods=None, picture=False):
    """Every method's verdict on a pair, as ``neardup explain --json`` prints it (``methods``,
    ``fused`` evidence with the matched region, ``near_duplicate``, ``verdict_method``,
    ``not_run``). ``picture=True`` adds ``picture`` (the explanation drawn: both images, inlier
    lines, matched region, one line per verdict; HxWx3 uint8) and ``aligned``
    ({method: (a, b)}: what each STN model compared)."""
    return _neardup.explain(a, b, list(methods or []), picture)


def decode(path, min_side=0):
    """The pixels of an image file as neardup sees them: HxWx3 RGB or HxW grey uint8, upright
    (EXIF orientation applied), alpha composited. ``min_side`` > 0 lets a JPEG decode at a
    smaller DCT scale whose shorter side is still at least that many pixels."""
    return _neardup.decode(path, min_side)


def default_method():
    """The method ``find``, ``pairs`` and ``compare`` use when none is given."""
    return _neardup.default_method()


def method_names():
    """Method names this installation can make (hashes, fused, and installed learned models)."""
    return _neardup.method_names()


def method_info(method):
    """A method's metric, dimensions, variants, default threshold and its unit and range."""
    return _neardup.method_info(method)


class Index(_neardup.Index):
    """A persistent index folder for copy detection (``neardup index``), opened or created.

    ``Index(path, method=None, factory="")`` opens the index at ``path``, or creates it with
    ``method`` (default ``"pdq8"``) and a Faiss ``factory`` string (default exact search) when the
    folder does not exist or is empty. Methods:

    - ``add(inputs, recursive=False, threads=0, progress=None)`` -> ``{added, unchanged,
      skipped_non_images, errors, warnings}``; files already indexed unchanged are skipped.
    - ``query(image_or_list, k=10, orientations=False, regions=False)`` -> hits ``{id, path,
      distance, score}`` best first (a list of such lists for a list of queries);
      ``orientations=True`` also asks with each query turned by 90/180/270 degrees and mirrored
      (``index query --orientations``), ``regions=True`` with the pictures found inside it (a
      photo pasted into a screenshot; ``index query --regions``). Each hit's ``view`` says which
      view found it: ``None`` (the query as it is), ``{"turn": 90, "mirrored": False}``, or
      ``{"region": (x, y, width, height)}`` in fractions of the query's width and height.
    - ``remove(paths)`` -> the paths that were not indexed.
    - ``dups(threshold=None, threads=0)`` -> ``(a, b, distance)`` for every pair within threshold.
    - ``stats()`` -> what ``neardup index stats --json`` prints (path, method, index, dims,
      images, vectors, trained, catalog_bytes, vector_bytes, bytes_per_image).
    - ``close()``; ``method``, ``path`` and ``closed`` properties.

    Use it as a context manager to close it at the end of a ``with`` block.
    """

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        state = "closed" if self.closed else self.method
        return "neardup.Index(%r, %s)" % (self.path, state)
