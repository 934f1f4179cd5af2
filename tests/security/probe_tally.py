"""The probe families' counts (issue 15: attempted / handled / defects), shared by the tests.

Printed with ``pytest -s``; a defect fails the test with the probes that got through.
"""
from __future__ import annotations


class Tally:
    """attempted / handled / defects of one probe family."""

    def __init__(self, family: str):
        self.family, self.attempted, self.defects = family, 0, []

    def record(self, probe: str, handled: bool) -> None:
        self.attempted += 1
        if not handled:
            self.defects.append(probe)

    def check(self) -> None:
        summary = (f"{self.family}: attempted {self.attempted}, handled "
                   f"{self.attempted - len(self.defects)}, defects {len(self.defects)}")
        print(summary)
        assert not self.defects, summary + ": " + ", ".join(self.defects)
