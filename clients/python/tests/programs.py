"""Workflows written as Covalent's own functional tests and how-to guides write theirs, with only
the import line changed; test_programs.py dispatches them and checks what those tests check. Each
block names the Covalent file it follows. They are our own programs: the same behaviour, our
code."""

import os
import sys

import batch_executor as ct

# ---- tests/functional_tests/basic_dispatcher_test.py ------------------------------------------


@ct.electron
def prefix_a(text):
    print("prefix_a")
    return "a" + text


@ct.electron
def prefix_b(text):
    print("prefix_b")
    return "b" + text


@ct.electron
def joined(first, second):
    return first + second


@ct.lattice
def two_prefixes(name):
    return joined(first=prefix_a(text=name), second=prefix_b(text=name))


@ct.lattice
def raises_while_built(name):
    prefix_a(text=name)
    raise RuntimeError("this lattice fails while its graph is built: " + name)


# ---- tests/functional_tests/qa_basic_workflow_test.py -----------------------------------------


@ct.electron
def comma_join(a, b):
    return ", ".join([a, b])


@ct.electron
def exclaim(text):
    return text + "!"


@ct.lattice
def greeting(a, b):
    return exclaim(comma_join(a, b))


# ---- tests/functional_tests/electron_return_value_test.py -------------------------------------


@ct.electron
def identity(x):
    return x


@ct.lattice
def arithmetic(a, b):
    x = identity(x=a)
    y = identity(x=b)
    return [x + 1, x - 1, x * 1, x / 1, 1 + x, 1 - x, 1 * x, 1 / x, x + y, x - y, x * y, x / y]


# ---- tests/functional_tests/workflow_stack_test.py --------------------------------------------


@ct.electron
def gather(nested):
    return nested


@ct.lattice
def nested_iterables():
    firsts = [identity(x=i) for i in range(2)]
    seconds = [identity(x=i) for i in range(2, 4)]
    return gather(nested=[firsts, seconds])


@ct.electron
def five_terms(a, b, c, d, e):
    return a + b + c + d + e


@ct.lattice
def positional_and_keywords(a, b, c):
    return five_terms(a, b, c, d=4, e=5)


MARK = "/tmp/batch-executor-deps-bash-mark"


@ct.electron(deps_bash=ct.DepsBash(["touch " + MARK]))
def after_bash(x):
    return [x, os.path.isfile(MARK)]


@ct.lattice
def with_deps_bash(x):
    return after_bash(x)


NOTE = "/tmp/batch-executor-call-before-note"


def write_note(path):
    with open(path, "w") as f:
        f.write("Hello")


def remove_note(path):
    os.remove(path)


@ct.electron(call_before=[ct.DepsCall(write_note, args=[NOTE])],
             call_after=ct.DepsCall(remove_note, args=[NOTE]))
def read_note(path):
    with open(path) as f:
        return os.path.isfile(path), f.read()


@ct.lattice
def with_call_before_and_after(path):
    return read_note(path)


def give(value):
    return value


@ct.electron(call_before=[ct.DepsCall(give, args=[5], retval_keyword="y")])
def pair_with_injected(x, y=0):
    return x, y


@ct.lattice
def injected_value(x):
    return pair_with_injected(x)


@ct.electron(call_before=[ct.DepsCall(give, args=[n], retval_keyword="y") for n in (1, 2, 3)])
def all_injected(y=None):
    return y


@ct.lattice
def injected_values():
    return all_injected()


@ct.electron
def every_kind_of_parameter(a, /, b, *args, c, **kwargs):
    return a * b * c, args, kwargs


@ct.lattice
def every_kind_of_argument(a, /, b, *args, c, **kwargs):
    return every_kind_of_parameter(a, b, *args, c=c, **kwargs)


@ct.electron
def always_fails():
    assert False, "this electron always fails"


@ct.lattice
def leaf_failure():
    always_fails()
    return 1


@ct.electron
def prints_both(a, b):
    print(a)
    print(b, file=sys.stderr)
    return a + b


@ct.lattice
def printing(a, b):
    return prints_both(a, b)


@ct.electron
def six_numbers():
    return [0, 1, 2, 3, 4, 5]


@ct.lattice
def items_of_a_result():
    numbers = six_numbers()
    return [numbers[2], numbers[identity(x=3)], numbers[-1]]


# ---- tests/functional_tests/qa_call_deps_retval_test.py ---------------------------------------


def hello():
    return "hello"


def howdy():
    return "howdy"


def hey():
    return "hey"


@ct.electron(call_before=[ct.DepsCall(hello, retval_keyword="greetings"),
                          ct.DepsCall(howdy, retval_keyword="greetings")])
def all_greetings(greetings=None):
    return greetings


@ct.electron(call_before=[ct.DepsCall(hey, retval_keyword="greeting")])
def one_greeting(greeting=None):
    return "%s, whats up?" % greeting


@ct.lattice
def greetings_workflow():
    return [one_greeting()] + all_greetings()


# ---- tests/functional_tests/qa_deps_workflow_test.py ------------------------------------------

HOME_NOTE = "/tmp/batch-executor-deps-home"


def forget_home_note():
    os.remove(HOME_NOTE)


@ct.electron(call_before=[ct.DepsBash(["echo $HOME >> " + HOME_NOTE])],
             call_after=[ct.DepsCall(forget_home_note)])
def deps_results():
    with open(HOME_NOTE) as f:
        return [f.read(), sum(1 for i in range(3) for j in range(3) if i == j)]


@ct.lattice
def deps_workflow():
    return deps_results()


# ---- tests/functional_tests/error_reporting_test.py -------------------------------------------


@ct.electron
def prints_then_fails():
    print("Hello from Task 0", file=sys.stdout)
    print("Hello from Task 0", file=sys.stderr)
    raise RuntimeError("Error 0")


@ct.electron
def prints_only():
    print("Hello from Task 1", file=sys.stdout)


@ct.lattice
def reports_errors():
    prints_then_fails()
    prints_only()


# ---- tests/functional_tests/workflow_failure_test.py ------------------------------------------


@ct.electron
def twice(x):
    return 2 * x


@ct.lattice
def goes_on_after_a_failure(x):
    always_fails()
    return twice(twice(twice(x)))


# ---- tests/functional_tests/results_manager_test.py -------------------------------------------


@ct.electron
def plus(a, b):
    return a + b


@ct.lattice
def granular(a, b):
    return identity(x=plus(a=a, b=b))


# ---- doc/source/how_to/collection/query_electron_execution_result.ipynb and
# ---- doc/source/how_to/collection/query_lattice_execution_result.ipynb ------------------------


@ct.electron
def add(x, y):
    return x + y


@ct.electron
def multiply(x, y):
    return x * y


@ct.lattice
def add_multiply(x, y):
    return multiply(x=add(x=x, y=y), y=y)


# ---- tests/functional_tests/workflow_stack_test.py (test_decorated_function), and functions that
# ---- are not top-level: they travel pickled with cloudpickle ---------------------------------


def plain_decorator(func):
    def inner(*args, **kwargs):
        return func(*args, **kwargs)

    return inner


@ct.electron
@plain_decorator
def squared(x):
    return x**2


def multiplier(k):
    def times(x):
        return x * k

    return ct.electron(times)


triple = multiplier(3)
increment = ct.electron(lambda x: x + 1)


def counting_electron():
    class Counter:
        def __init__(self, n):
            self.items = list(range(n))

        def total(self):
            return len(self.items)

    def count(n):
        return Counter(n).total()

    return ct.electron(count)


counted = counting_electron()


@ct.lattice
def not_top_level():
    return [squared(x=5), triple(4), increment(1), counted(3)]


# ---- doc/source/how_to/orchestration/wait_for_another_electron.ipynb -------------------------


@ct.electron
def squares_slowly(a):
    import time

    time.sleep(1)
    return a**2


@ct.electron
def cubes_slowly(a):
    import time

    time.sleep(1)
    return a**3


@ct.electron
def fourth_power_slowly(a):
    import time

    time.sleep(1)
    return a**4


@ct.electron
def product(x, y):
    return x * y


@ct.electron
def cubed(b):
    return b**3


@ct.lattice
def waits_for_one():
    squared_two = squares_slowly(2)
    twelve = product(squared_two, 3)
    hundred_and_twenty_five = cubed(5).wait_for(squared_two)
    return product(twelve, hundred_and_twenty_five)


@ct.lattice
def waits_for_several():
    first = squares_slowly(2)
    second = cubes_slowly(2)
    third = fourth_power_slowly(2)
    twelve = product(first, 3)
    hundred_and_twenty_five = cubed(5).wait_for([first, second, third])
    return product(twelve, hundred_and_twenty_five)


# ---- tests/functional_tests/workflow_stack_test.py (test_wait_for) ----------------------------


@ct.electron
def squares(a):
    return a**2


@ct.electron
def cubes(a):
    return a**3


@ct.lattice
def waits_with_ct_wait():
    first = squares(2)
    second = cubes(2)
    twelve = product(first, 3)
    hundred_and_twenty_five = ct.wait(cubed(5), [first, second])
    return product(twelve, hundred_and_twenty_five)


# ---- tests/functional_tests/workflow_stack_test.py (test_intermediate_electron_failure) -------


@ct.electron
def fails_on_anything(x):
    assert False, "fails whatever it gets: %r" % (x,)


@ct.lattice
def intermediate_failure(x):
    first = fails_on_anything(x)
    return fails_on_anything(first)


# ---- tests/functional_tests/workflow_stack_test.py (test_electrons_with_positional_args and
# ---- test_lattice_with_positional_args) -------------------------------------------------------


@ct.electron
def summed(a, b):
    return a + b


@ct.lattice
def electron_takes_positional(a, b):
    return summed(a, b)


@ct.lattice
def lattice_takes_positional(a, b):
    return summed(a=a, b=b)


# ---- doc/source/how_to/execution/synchronize_lattice.ipynb ------------------------------------


@ct.lattice
@ct.electron
def plus_five(x):
    return x + 5
# ---- doc/source/how_to/execution/redispatch.ipynb ---------------------------------------------


@ct.electron
def task_1(a, b):
    return a + b


@ct.electron
def task_2(a, b):
    return a / b


@ct.electron
def task_2_redefined(a, b):
    return a * b


@ct.lattice
def redispatched(a, b):
    res_1 = task_1(a, b)
    res_2 = task_2(res_1, b)
    return res_2


# ---- tests/functional_tests/workflow_cancellation_test.py (test_cancel_task) -------------------


@ct.electron
def sleeping_task(delay):
    import time

    time.sleep(delay)
    print("Slept for %s seconds" % delay)
    return delay


@ct.lattice
def two_sleeps(x):
    res = sleeping_task(x)
    sleeping_task(res)
    return 1


# ---- tests/functional_tests/workflow_stack_test.py (test_sublatticing) -------------------------


@ct.electron
def summed_ab(a, b):
    return a + b


sublattice_add = ct.lattice(summed_ab)


@ct.lattice
def sublatticing(a, b):
    res_1 = ct.electron(sublattice_add)(a=a, b=b)
    return identity(x=res_1)


# ---- covalent/_workflow/electron.py (a lattice in an electron is built where it runs, with the
# ---- real values of its inputs: Covalent's dynamic workflows, an if and a for on a result) -----


@ct.electron
def count_for(n):
    return n + 1


@ct.electron
def square_of(i):
    return i * i


@ct.electron
def negated(x):
    return -x


@ct.electron
def totalled(values):
    return sum(values)


@ct.electron
@ct.lattice
def grow_or_shrink(x, n):
    if x < 5:  # x and n are values here: the sublattice runs once its inputs exist
        parts = [square_of(i) for i in range(n)]
    else:
        parts = [negated(x)]
    return totalled(parts)


@ct.lattice
def dynamic(n):
    count = count_for(n)  # 3 for n=2: the sublattice's loop runs over a result
    small = grow_or_shrink(2, count)  # 0 + 1 + 4
    large = grow_or_shrink(count_for(8), count)  # -9
    return [small, large]


# ---- tests/functional_tests/qa_sublattice_stress_test.py (a sublattice calling sublattices) ---


@ct.lattice
def inflate(values):
    return [square_of(v) for v in values]


@ct.electron
@ct.lattice
def inflate_twice(values):
    once = ct.electron(inflate)(values)
    return ct.electron(inflate)(once)


@ct.lattice
def nested_sublattices(values):
    return totalled(inflate_twice(values))


# ---- tests/functional_tests/file_transfer_test.py (test_local_file_transfer, orders BEFORE and
# AFTER; test_local_file_transfer_with_kwargs_single) -------------------------------------------
# The files are made when the module is imported (the test makes them in pytest's tmp_path), in a
# directory of /tmp, which a task's container may write too.

import tempfile  # noqa: E402

FT_DIR = tempfile.mkdtemp(prefix="batch-executor-transfers-")
MOCK_CONTENTS = "hello"
FT_SOURCE = os.path.join(FT_DIR, "source.txt")
FT_DEST_BEFORE = os.path.join(FT_DIR, "dest_before.txt")
FT_DEST_AFTER = os.path.join(FT_DIR, "dest_after.txt")
FT_DEST_KWARGS = os.path.join(FT_DIR, "dest.txt")
with open(FT_SOURCE, "w") as _source:
    _source.write(MOCK_CONTENTS)


@ct.electron(files=[ct.fs.FileTransfer(FT_SOURCE, FT_DEST_BEFORE, order=ct.fs.Order.BEFORE)])
def transfer_me_before(files=[]):
    pass


@ct.lattice
def transfer_before():
    return transfer_me_before()


@ct.electron(files=[ct.fs.FileTransfer(FT_SOURCE, FT_DEST_AFTER, order=ct.fs.Order.AFTER)])
def transfer_me_after(files=[]):
    pass


@ct.lattice
def transfer_after():
    return transfer_me_after()


FT_KWARGS = ct.fs.FileTransfer(FT_SOURCE, FT_DEST_KWARGS)


@ct.electron(files=[FT_KWARGS])
def test_transfer(files=[]):
    return files


@ct.lattice
def transfer_with_kwargs():
    return test_transfer()


# ---- doc/source/how_to/coding/file_transfers_for_workflows_local.ipynb -------------------------
# (the guide's files are in the notebook's directory; here in one of /tmp)

HOWTO_SOURCE = os.path.join(FT_DIR, "my_source_file")
HOWTO_DEST = os.path.join(FT_DIR, "my_dest_file")
file_content = """Mares eat oats and does eat oats
And little lambs eat ivy ...
"""
with open(HOWTO_SOURCE, "w") as _f:
    _f.write(file_content)


@ct.electron(
        files=[ct.fs.FileTransfer(str(HOWTO_SOURCE), str(HOWTO_DEST))]  # defaults to Rsync
)
def my_file_transfer_task(files=None):
    from_file, to_file = files[0]
    with open(to_file, 'w') as f_to, open(from_file, 'r') as f_from:
        for line in f_from:
            f_to.write(line)
    return to_file


@ct.lattice()
def my_workflow():
    return my_file_transfer_task()


# ---- doc/source/how_to/coding/file_transfers_to_from_s3.ipynb (its transfers, refused on the
# local backend: S3 transfers run on AWS Batch with the execution profile's role) ----------------


@ct.electron(files=[ct.fs.TransferFromRemote("s3://covalent-tmp/unprocessed_file.png",
                                             "/tmp/unprocessed_file.png",
                                             strategy=ct.fs_strategies.S3())])
def from_s3(files=[]):
    return files


@ct.lattice
def s3_workflow():
    return from_s3()
