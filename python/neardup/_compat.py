"""An imagededup-style entry point, so existing imagededup code can switch with one line.

imagededup::

    from imagededup.methods import PHash
    duplicates = PHash().find_duplicates(image_dir="photos/")

neardup::

    import neardup
    duplicates = neardup.find_duplicates(image_dir="photos/")

Both return ``{file: [duplicate files]}`` with every image of the folder as a key (an empty list
when it has no duplicate), file names relative to ``image_dir``.
"""

import json
import os

# The extensions `neardup find` lists in a folder (include/neardup/find.h, any case).
_IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".webp", ".tif", ".tiff", ".bmp",
                     ".gif", ".heic", ".heif", ".avif"}


def _listed_images(image_dir, recursive):
    found = []
    for root, dirs, files in os.walk(image_dir):
        for name in files:
            if os.path.splitext(name)[1].lower() in _IMAGE_EXTENSIONS:
                found.append(os.path.relpath(os.path.join(root, name), image_dir))
        if not recursive:
            break
    return sorted(found)


def find_duplicates(image_dir, method=None, threshold=None, scores=False, recursive=False,
                    outfile=None, cache=True):
    """``{file: [duplicates...]}`` for every image in ``image_dir``, from neardup's groups.

    ``method`` and ``threshold`` as in :func:`neardup.find` (default: its zero-flag default,
    which is what makes neardup precise on captions and overlays). A file's duplicates are the
    other members of its group. ``scores=True`` gives ``(file, score)`` tuples instead, with the
    score of the pair that joined the two (``None`` for group members matched only through
    another member). ``outfile`` also writes the dict as JSON, as imagededup does. Files that
    cannot be read are keys with an empty list; ``neardup.find`` reports why.
    """
    from . import find  # late: the package imports this module while it loads

    result = find(image_dir, method=method, threshold=threshold, recursive=recursive,
                  cache=cache)
    root = os.path.abspath(image_dir)

    def rel(path):
        return os.path.relpath(os.path.abspath(path), root)

    out = {name: [] for name in _listed_images(image_dir, recursive)}
    for group in result["groups"]:
        members = [rel(f["path"]) for f in group["files"]]
        pair_score = {}
        for p in group["pairs"]:
            a, b = rel(p["a"]), rel(p["b"])
            pair_score[(a, b)] = pair_score[(b, a)] = p["score"]
        for m in members:
            others = [o for o in members if o != m]
            out[m] = [(o, pair_score.get((m, o))) for o in others] if scores else others
    if outfile:
        with open(outfile, "w", encoding="utf-8") as f:
            json.dump(out, f, indent=2)
    return out
