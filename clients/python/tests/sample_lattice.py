"""Electrons and lattices as a Covalent user writes them, with only the import line changed."""

import time

import batch_executor as ct

executor = ct.AWSBatchExecutor(vcpu=1, memory=0.5, time_limit=300)


@ct.electron(executor=executor)
def add(x, y):
    return x + y


@ct.electron
def load(n):
    return list(range(1, n + 1))


class Model:
    """Defined here, used by train only: the source of score does not carry it."""

    def __init__(self, weights):
        self.weights = weights

    def predict(self, x):
        return sum(self.weights) * x


@ct.electron
def train(data):
    return Model([w / len(data) for w in data])


@ct.electron
def score(model, x):
    return {"prediction": model.predict(x), "class": type(model).__name__}


@ct.lattice
def load_train_score(n, x):
    data = load(n)
    model = train(data)
    return {"score": score(model, x), "model": model}


@ct.lattice(executor="awsbatch")
def two_steps(a, b):
    return add(add(a, b), b)


@ct.electron(deps_pip=ct.DepsPip(packages=["boto3"]))
def boto3_version():
    import boto3

    return boto3.__version__


@ct.lattice
def with_requirements():
    return boto3_version()


@ct.electron
def fails(x):
    raise ValueError("cannot use %r" % (x,))


@ct.lattice
def failing(x):
    return add(fails(x), 1)


@ct.electron
def pair(x):
    return [x, x + 1]


@ct.electron
def point(x, y):
    return Point(x, y)


@ct.lattice
def operations(x):
    a, b = pair(x)
    p = pair(x + 1)
    where = point(a, b)
    return {"sum": add(a * 10, b), "tail": p[1:], "less": a < b, "x": where.x, "neg": -p[0]}


@ct.lattice
def iterates_a_proxy(a):
    return [add(v, 1) for v in pair(a)]


@ct.lattice
def tests_a_proxy(a):
    if add(a, 1):
        return 1
    return 0


def slow_printer(lines, pause):
    for i in range(lines):
        print("line", i, flush=True)
        time.sleep(pause)
    return lines


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


def make_point(x, y):
    return Point(x, y)


def a_set(n):
    return set(range(n))


def raises(message):
    return helper_that_raises(message)


def helper_that_raises(message):
    raise RuntimeError(message)


def a_lock():
    import threading

    return threading.Lock()
