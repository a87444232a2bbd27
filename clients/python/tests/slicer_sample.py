"""A module written as for Covalent, with only its import line changed: the slicer's subject."""
from __future__ import annotations

import functools
import math as m, os
from fractions import Fraction

import batch_executor as ct

try:
    import a_module_that_is_not_installed as fastjson
except ImportError:
    fastjson = None

SCALE = 3
WORKING_DIR = os.getcwd()  # work at import time, needed by no electron
executor = ct.AWSBatchExecutor(vcpu=2, memory=4, time_limit=600)
IMPORTED = []
IMPORTED.append("imported")


class Base:
    kind = "base"


class Model(Base):
    def __init__(self, weight):
        self.weight = weight

    def predict(self, x):
        return scale(self.weight * x)


def scale(value):
    return value * SCALE


@ct.electron(
    executor=executor,
)
def train(xs):
    return Model(Fraction(sum(xs), len(xs)))


@ct.electron
def score(model, x):
    return model.predict(x)


@ct.electron
@functools.lru_cache(maxsize=None)
def root(x):
    return m.sqrt(x)


@ct.electron
def encode(value):
    return "fast" if fastjson is not None else "plain"


def shadowing(SCALE):
    scale = 2
    return [SCALE * scale for _ in range(1)]


@ct.lattice
def pipeline(xs, x):
    return score(train(xs), x)


print("slicer_sample was imported")

if __name__ == "__main__":
    ct.dispatch(pipeline)([1, 2], 3)
