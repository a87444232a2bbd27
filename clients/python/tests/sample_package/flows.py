import os, batch_executor as ct
from . import helpers
from .helpers import double as twice


@ct.electron
def relative(x):
    return helpers.double(x) + twice(x) + len(os.sep)


@ct.electron
def uses_the_client():
    return ct.electron
