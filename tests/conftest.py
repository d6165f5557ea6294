"""Shared fixtures for the unit tests."""

import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def pytest_configure(config):
    # tests that start Jupyter kernels (the grader's); registered here too so this file alone suffices
    config.addinivalue_line("markers", "slow: starts Jupyter kernels (the grader's tests); takes seconds each")
