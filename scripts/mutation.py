"""Mutation testing of the money and order rules (`make mutation`), as a pytest plugin.

    python -m pytest -p scripts.mutation --mutate offers.money tests/offers/payments/...

Each mutant changes one thing in the target module (a comparison flipped, a
constant moved by one, an element dropped from a set or a table, a call
statement deleted, the rounding mode changed, `and`/`or` swapped, a `not`
dropped). The mutant is patched into the running process (the functions'
code objects, the module's constants), and the selected tests run against it
in one pytest session, so the database is set up once. A mutant is killed when
any test fails (or errors, or runs past a time limit); survivors are printed
with their line, and the score per module is killed / (mutants - equivalents).

Mutants judged equivalent (they cannot change behaviour) are listed with the
reason in `scripts/mutation_equivalents.txt` as `module:line:description`.

Written instead of using mutmut or cosmic-ray because both run each mutant in
a fresh process (or a copied tree), which costs a Django set-up and a test
database per mutant here; this plugin needs neither.
"""

import ast
import copy
import importlib
import signal
import sys
import time
import types
from dataclasses import dataclass
from pathlib import Path

import pytest
from _pytest.runner import runtestprotocol

EQUIVALENTS_FILE = Path(__file__).with_name("mutation_equivalents.txt")
SECONDS_PER_MUTANT = 60
COMPARE_SWAPS = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
BINOP_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.FloorDiv, ast.FloorDiv: ast.Mult, ast.Div: ast.Mult}
NAME_SWAPS = {"ROUND_HALF_UP": "ROUND_HALF_EVEN", "ROUND_HALF_EVEN": "ROUND_HALF_UP", "True": "False"}


@dataclass
class Mutant:
    line: int
    description: str
    top_index: int  # which top-level statement of the module it changes
    tree: ast.Module

    @property
    def key(self):
        return f"{self.line}:{self.description}"


def pytest_addoption(parser):
    parser.addoption("--mutate", action="append", default=[], help="module to mutate (repeatable)")
    parser.addoption("--mutation-threshold", type=float, default=90.0, help="lowest score per module that passes")


class _Collector(ast.NodeVisitor):
    """Finds every place a mutation applies; each is (path to the node, a function that changes a copy)."""

    def __init__(self):
        self.sites = []

    def generic_visit(self, node):
        for mutation in self._mutations(node):
            self.sites.append((node, *mutation))
        super().generic_visit(node)

    def _mutations(self, node):
        if isinstance(node, ast.Compare):
            for index, op in enumerate(node.ops):
                swap = COMPARE_SWAPS.get(type(op))
                if swap:

                    def apply(n, index=index, swap=swap):
                        n.ops[index] = swap()

                    yield f"{type(op).__name__} -> {swap.__name__}", apply
        elif isinstance(node, ast.BinOp) and type(node.op) in BINOP_SWAPS:
            swap = BINOP_SWAPS[type(node.op)]

            def apply(n, swap=swap):
                n.op = swap()

            yield f"{type(node.op).__name__} -> {swap.__name__}", apply
        elif isinstance(node, ast.BoolOp):
            other = ast.Or if isinstance(node.op, ast.And) else ast.And

            def apply(n, other=other):
                n.op = other()

            yield f"{type(node.op).__name__} -> {other.__name__}", apply
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield "drop not", "drop_not"
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            for delta in (1, -1):

                def apply(n, delta=delta):
                    n.value = n.value + delta

                yield f"{node.value} -> {node.value + delta}", apply
        elif isinstance(node, ast.Constant) and type(node.value) is bool:

            def apply(n):
                n.value = not n.value

            yield f"{node.value} -> {not node.value}", apply
        elif isinstance(node, ast.Name) and node.id in NAME_SWAPS and node.id not in ("True",):

            def apply(n):
                n.id = NAME_SWAPS[n.id]

            yield f"{node.id} -> {NAME_SWAPS[node.id]}", apply
        elif (
            isinstance(node, ast.Set | ast.Tuple | ast.List)
            and len(node.elts) > 1
            and isinstance(node.ctx if hasattr(node, "ctx") else ast.Load(), ast.Load)
        ):
            for index, element in enumerate(node.elts):
                label = ast.unparse(element)[:60]

                def apply(n, index=index):
                    del n.elts[index]

                yield f"drop element {label}", apply
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.For | ast.If | ast.With | ast.Try):
            for field in ("body", "orelse", "finalbody"):
                for index, statement in enumerate(getattr(node, field, []) or []):
                    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                        label = ast.unparse(statement)[:60]

                        def apply(n, field=field, index=index):
                            getattr(n, field)[index] = ast.Pass()

                        yield f"delete {label}", apply


def _path_to(root, target):
    """Field/index steps from root to target, so the same node can be found in a deep copy."""
    stack = [(root, [])]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        for field, value in ast.iter_fields(node):
            if isinstance(value, list):
                for index, child in enumerate(value):
                    if isinstance(child, ast.AST):
                        stack.append((child, [*path, (field, index)]))
            elif isinstance(value, ast.AST):
                stack.append((value, [*path, (field, None)]))
    raise LookupError


def _follow(root, path):
    node = root
    for field, index in path:
        node = getattr(node, field) if index is None else getattr(node, field)[index]
    return node


def _parent_of(root, path):
    return _follow(root, path[:-1]), path[-1]


def mutants_of(module) -> list[Mutant]:
    source = Path(module.__file__).read_text()
    tree = ast.parse(source)
    collector = _Collector()
    for statement in tree.body:
        # Docstrings and imports carry no behaviour worth mutating.
        if isinstance(statement, ast.Import | ast.ImportFrom) or (
            isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
        ):
            continue
        collector.visit(statement)
    mutants = []
    for node, description, apply in collector.sites:
        if _in_docstring_or_annotation(tree, node):
            continue
        path = _path_to(tree, node)
        mutated = copy.deepcopy(tree)
        target = _follow(mutated, path)
        if apply == "drop_not":
            parent, (field, index) = _parent_of(mutated, path)
            replacement = target.operand
            if index is None:
                setattr(parent, field, replacement)
            else:
                getattr(parent, field)[index] = replacement
        else:
            apply(target)
        ast.fix_missing_locations(mutated)
        mutants.append(Mutant(getattr(node, "lineno", 0), description, path[0][1], mutated))
    return mutants


def _in_docstring_or_annotation(tree, node):
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


class Patch:
    """Puts one mutant's version of one top-level statement into the live module, and takes it out again."""

    def __init__(self, module, mutant):
        self.module, self.mutant = module, mutant
        self.restore = []

    def __enter__(self):
        namespace = {"__name__": self.module.__name__, "__file__": self.module.__file__}
        code = compile(self.mutant.tree, self.module.__file__, "exec")
        exec(code, namespace)  # noqa: S102 (the project's own source, mutated)
        statement = self.mutant.tree.body[self.mutant.top_index]
        for name in _names_defined_by(statement):
            old, new = getattr(self.module, name, None), namespace.get(name)
            self._replace(name, old, new)
        return self

    def _replace(self, name, old, new):
        if isinstance(old, types.FunctionType) and isinstance(new, types.FunctionType):
            self.restore.append(lambda f=old, c=old.__code__, d=old.__defaults__: _set_code(f, c, d))
            _set_code(old, new.__code__, new.__defaults__)
        elif isinstance(old, type) and isinstance(new, type):
            for attribute, value in vars(new).items():
                target = vars(old).get(attribute)
                target_function = getattr(target, "fget", None) or getattr(target, "__func__", None) or target
                value_function = getattr(value, "fget", None) or getattr(value, "__func__", None) or value
                if isinstance(target_function, types.FunctionType) and isinstance(value_function, types.FunctionType):
                    self._replace(f"{name}.{attribute}", target_function, value_function)
        elif isinstance(old, dict) and isinstance(new, dict):
            saved = dict(old)
            self.restore.append(lambda o=old, s=saved: (o.clear(), o.update(s)))
            old.clear()
            old.update(new)
        else:
            self.restore.append(lambda n=name, o=old: setattr(self.module, n, o))
            setattr(self.module, name, new)

    def __exit__(self, *exc):
        for undo in reversed(self.restore):
            undo()


def _set_code(function, code, defaults):
    function.__code__ = code
    function.__defaults__ = defaults


def _names_defined_by(statement):
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [statement.name]
    if isinstance(statement, ast.Assign):
        return [t.id for t in statement.targets if isinstance(t, ast.Name)]
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return [statement.target.id]
    return []


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout("mutant ran past its time limit")


def _run_all(items, verbose=False):
    """True when every item passes. Fixtures are torn down towards another item, so session fixtures stay."""
    for item in items:
        # Whichever item runs next (the first one again after a failure), they share the session.
        nextitem = next((other for other in (items[0], items[-1]) if other is not item), None)
        reports = runtestprotocol(item, nextitem=nextitem, log=False)
        failed = [report for report in reports if report.failed]
        if failed:
            if verbose:
                sys.stdout.write(f"{item.nodeid} failed:\n{failed[0].longreprtext[-2000:]}\n")
            return False
    return True


def _equivalents():
    if not EQUIVALENTS_FILE.exists():
        return set()
    keys = set()
    for line in EQUIVALENTS_FILE.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            keys.add(line)
    return keys


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    modules = session.config.getoption("mutate")
    if not modules or session.config.option.collectonly:
        return None
    items = session.items
    if not items:
        raise pytest.UsageError("no tests selected to run against the mutants")
    if not _run_all(items, verbose=True):
        raise pytest.UsageError("the selected tests fail without any mutant: fix them first")
    equivalents = _equivalents()
    signal.signal(signal.SIGALRM, _alarm)
    summary = []
    for name in modules:
        module = importlib.import_module(name)
        mutants = mutants_of(module)
        killed, survivors, skipped = 0, [], 0
        started = time.monotonic()
        for mutant in mutants:
            if f"{name}:{mutant.key}" in equivalents:
                skipped += 1
                continue
            try:
                signal.alarm(SECONDS_PER_MUTANT)
                with Patch(module, mutant):
                    passed = _run_all(items)
            except _Timeout:
                passed = False
            except Exception:  # a mutant that cannot even be built is as good as killed
                passed = False
            finally:
                signal.alarm(0)
            if passed:
                survivors.append(mutant)
            else:
                killed += 1
        counted = len(mutants) - skipped
        score = 100 * killed / counted if counted else 100.0
        summary.append((name, killed, counted, skipped, score))
        out = sys.stdout
        out.write(f"\n{name}: {killed}/{counted} killed ({score:.1f} %), {skipped} equivalent, ")
        out.write(f"{time.monotonic() - started:.0f} s\n")
        for mutant in survivors:
            out.write(f"  survived {name}:{mutant.key}\n")
    sys.stdout.write("\nmutation score per module\n")
    for name, killed, counted, skipped, score in summary:
        sys.stdout.write(f"  {name:32} {score:5.1f} %  ({killed}/{counted} killed, {skipped} equivalent)\n")
    threshold = session.config.getoption("mutation_threshold")
    below = [name for name, _, _, _, score in summary if score < threshold]
    if below:
        sys.stdout.write(f"below {threshold} %: {', '.join(below)}\n")
        session.testsfailed = len(below)
    return True
