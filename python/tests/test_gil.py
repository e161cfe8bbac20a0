"""The GIL is released while neardup works: other Python threads run meanwhile."""

import os
import shutil
import threading
import time

import pytest

import neardup
from conftest import EXAMPLES


@pytest.fixture
def files(tmp_path):
    """64 JPEG files (copies of the examples under other names: each is decoded)."""
    out = []
    for i in range(8):
        for name in sorted(os.listdir(EXAMPLES)):
            if name.endswith(".jpg"):
                out.append(str(tmp_path / ("%d-%s" % (i, name))))
                shutil.copy(os.path.join(EXAMPLES, name), out[-1])
    return out


def test_python_threads_run_while_describing(files):
    # If describe() held the GIL, the counting thread could not run until it returned.
    count, stop = [0], threading.Event()

    def counter():
        while not stop.is_set():
            count[0] += 1

    t = threading.Thread(target=counter)
    t.start()
    time.sleep(0.05)  # the counter is running
    before = count[0]
    neardup.describe(files, "pdq8", threads=1)
    during = count[0] - before
    stop.set()
    t.join()
    assert during > 1000


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="needs two cores")
def test_two_threads_describe_faster_than_one(files):
    def work():
        neardup.describe(files, "pdq8", threads=1)

    best = None
    for _ in range(3):  # the best of three runs, since CI machines are noisy
        start = time.perf_counter()
        work()
        work()
        serial = time.perf_counter() - start
        threads = [threading.Thread(target=work) for _ in range(2)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        parallel = time.perf_counter() - start
        best = min(best or 9, parallel / serial)
        if best < 0.8:
            break
    assert best < 0.8, "two threads took %.2f of the serial time" % best
