"""Sizes no machine holds raise cmech.TooLargeError (a CmechError and a MemoryError) naming the size,
never abort the interpreter; long samples stop on Ctrl-C (issue 23)."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import pytest

import cmech


def test_lengths_beyond_any_address_space_are_refused():
    even = cmech.Process.named("even")
    with pytest.raises(cmech.TooLargeError, match=r"a sample of 2305843009213693952 symbols needs") as e:
        even.sample(2**61)
    assert isinstance(e.value, MemoryError) and isinstance(e.value, cmech.CmechError)
    delay = cmech.Transducer.named("delay")
    with pytest.raises(cmech.TooLargeError, match=r"2305843009213693952 steps of 'delay' needs"):
        delay.drive(cmech.Process.named("golden-mean"), 2**61)


def test_a_sample_larger_than_memory_raises_instead_of_aborting():
    """10^10 symbols (80 GB) under a 4 GB address-space limit: Python sees a MemoryError and carries
    on; before, the allocation failure killed the interpreter with SIGABRT."""
    pytest.importorskip("resource")
    code = textwrap.dedent(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, ({4 << 30}, {4 << 30}))
        import cmech
        for call in (
            lambda: cmech.Process.named("even").sample(10**10),
            lambda: cmech.Transducer.named("delay").drive(cmech.Process.named("even"), 10**10),
        ):
            try:
                call()
            except MemoryError as e:
                print(type(e).__name__, e)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines == [
        "TooLargeError a sample of 10000000000 symbols needs 10000000000 elements (74.5 GiB), more memory "
        "than can be allocated",
        "TooLargeError 10000000000 steps of 'delay' needs 10000000000 elements (74.5 GiB), more memory "
        "than can be allocated",
    ], out.stdout


def test_ctrl_c_stops_a_long_sample():
    """The sample is drawn in chunks with Python's signals checked between them: SIGINT raises
    KeyboardInterrupt within a moment, not when 10^9 symbols are done."""
    code = textwrap.dedent(
        """
        import sys, time
        import cmech
        even = cmech.Process.named("even")
        print("ready", flush=True)
        start = time.monotonic()
        try:
            even.sample(10**9)
            print("finished", flush=True)
        except KeyboardInterrupt:
            print("interrupted", time.monotonic() - start, flush=True)
        except cmech.TooLargeError:
            print("too large", flush=True)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    child.send_signal(signal.SIGINT)
    out, _ = child.communicate(timeout=60)
    if out.startswith("too large"):
        pytest.skip("this machine cannot reserve 8 GB")
    word, seconds = out.split()
    assert word == "interrupted", out
    assert float(seconds) < 5, out
