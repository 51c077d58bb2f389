"""The defect corpus of the conformance kit and its runner (``runner.py``)."""
