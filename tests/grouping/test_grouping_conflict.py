"""What tells twin faults apart when their stack traces embed alike (grouping.conflict), and how
the replay and the validation choice use it: pure functions, no database."""

from dataclasses import dataclass

import numpy as np

from grouping.conflict import conflicts, distinguishing, first_match, sites
from monitor import limits
from tests.helpers.events import normalized
from training import evaluate, metrics

RENAMED = (
    "TypeError: emailCurrent is not a function\n  loadEmail in app",
    "TypeError: emailEntry is not a function\n  loadEmail in app",
)  # a release renames
HOOK = "NotFoundError: hook <int> not found\n  resolveHook in app\n  O in app"
TARGET = "NotFoundError: target <int> not found\n  resolveHook in app\n  O in app"
LON = ('CoercionError: cannot coerce \'x<int>\' to int\n'
       '  select_sample in etl.extract: out = coerce(data["lon"], "int")')
SAMPLE = (
    "CoercionError: cannot coerce 'x<int>' to int\n"
    '  select_sample in etl.extract: out_<int> = coerce(data["sample"], "int", strict=True)'
)


def test_a_word_of_the_message_or_a_name_of_the_crash_line_tells_twins_apart():
    assert conflicts(HOOK, TARGET)
    assert conflicts(
        "TypeError: e.retry.map is not a function\n  buildSize in app",
        "TypeError: e.size.map is not a function\n  buildSize in app",
    )
    assert conflicts(LON, SAMPLE)  # same message; the crash lines name other data
    assert not conflicts(LON, LON.replace("out =", "result ="))  # a release's edit
    # one message raised in two functions: two sites, not one site reached two ways
    assert conflicts(
        "SyntaxError: Cannot convert <int> to a BigInt\n  syncTarget in app\n  x in app",
        "SyntaxError: Cannot convert <int> to a BigInt\n  syncBatch in app\n  x in app",
    )


def test_what_varies_between_events_of_one_fault_does_not_conflict():
    # quoted data (paths, input), minified names (per release), a crash line without names
    assert not conflicts(
        "FileNotFoundError: [Errno <int>] No such file: '/var/app/lat-482.json'",
        "FileNotFoundError: [Errno <int>] No such file: '/var/app/lat-9.json'",
    )
    assert not conflicts(
        "ValueError: invalid literal for int(): 'abc'\n  parse in app.forms",
        "ValueError: invalid literal for int(): 'xyz'\n  parse in app.forms",
    )
    assert not conflicts(
        "TypeError: t is not a function\n  loadCoupon in app",
        "TypeError: r is not a function\n  loadCoupon in app",
    )
    # an id whose digits the cleaning parameterized leaves a word glued to a placeholder
    assert not conflicts("Error: Checkout failed for run run-a<int>",
                         "Error: Checkout failed for run qz<int>")
    assert conflicts("Error: hook <int> not found", "Error: target <int> not found")
    assert not conflicts(*RENAMED)  # a release renames the local the message names
    assert conflicts(RENAMED[0], RENAMED[0].replace("emailCurrent", "e.mail"))  # a property
    # a helper extracted in a release keeps its caller in the stack; a minified caller is no site
    assert not conflicts(
        HOOK, HOOK.replace("  resolveHook", "  resolveHookPart in app\n  resolveHook")
    )
    assert not conflicts("E: boom\n  O in app\n  run in app", "E: boom\n  P in app\n  run in app")
    # a minified crash frame: the nearest named function is the site
    assert conflicts("E: boom\n  V in app\n  renderImage in app", "E: boom\n  renderBatch in app")
    assert not conflicts(LON, LON.replace('coerce(data["lon"], "int")', "int(value)"))
    # a release adds an argument: a superset of the names, not other data
    assert not conflicts(
        'FileNotFoundError: <str>\n  load in etl: open(data["lat_path"])',
        'FileNotFoundError: <str>\n  load in etl: open(data["lat_path"], encoding="utf-8")',
    )
    assert distinguishing(HOOK) == ("NotFoundError: hook <int> not found", frozenset())
    assert distinguishing(RENAMED[0])[0] == "TypeError: <var> <id> not <id> function"
    # class names and constants are not variables; a message without a type is masked too
    assert conflicts(
        "DoesNotExist: UserProfile matching query does not exist.\n  get in app",
        "DoesNotExist: OrderItem matching query does not exist.\n  get in app",
    )
    assert not conflicts(
        "Could not open 'a-1.json'\n  load in app", "Could not open 'b-2.json'\n  load in app"
    )
    # Ruby blocks name their method; PHP closures are unnamed
    assert (
        sites("E: x\n  block in Orders#create in app/orders.rb: y")[0] == "block in Orders#create"
    )
    assert sites("E: x\n  {closure} in app.php\n  handle in app.php")[0] == "handle"
    assert distinguishing(
        "TypeError: total_cost() missing <int> required positional argument: <str>"
    )[0].startswith("TypeError: total_cost()")  # a call stays
    assert distinguishing(LON)[1] == frozenset({"lon", "int"})


def test_only_a_bounded_start_of_a_hostile_text_is_read():
    text = "E: " + "'a" * 200_000 + "\n  " + '"x" ' * 200_000
    header, names = distinguishing(text)
    masks = header.count("<str>") + header.count("<id>")
    assert masks <= limits.CONFLICT_LINE_CHARS and names == {"x"}
    # what differs past the bound does not count
    long_header = "E: " + "x" * (limits.CONFLICT_LINE_CHARS + 100)
    assert not conflicts(long_header + " hook", long_header + " target")
    long_crash = "E: boom\n  f in m: " + "y" * limits.CONFLICT_LINE_CHARS
    assert not conflicts(long_crash + ' data["lon"]', long_crash + ' data["sample"]')
    assert conflicts("E: hook\n  f in m", "E: target\n  f in m")
    crash, stack = sites("E: boom\n" + "  handle in app\n" * 6 + "  other in app\n" * 500_000)
    assert crash == "handle" and stack == {"handle"}  # the frames of the cleaned text only
    assert len(sites("E: boom\n  " + "f" * 1_000_000 + " in app")[0]) < limits.CONFLICT_LINE_CHARS


@dataclass
class Near:
    distance: float
    text: str


def test_the_nearest_that_does_not_conflict_may_be_a_little_further():
    near = [Near(0.03, TARGET), Near(0.05, HOOK), Near(0.30, HOOK)]
    assert first_match(HOOK, near, 0.10, 0.0) is near[1]
    assert first_match(HOOK, near, 0.10, 0.04) is near[0]  # close enough despite the conflict
    assert first_match(HOOK, near, 0.04, 0.0) is None  # the agreeing one is past the threshold
    assert first_match(HOOK, [], 0.10, 0.0) is None


def dataset(rows: list[tuple[str, str, float]]) -> tuple[metrics.Dataset, np.ndarray]:
    """(bug, text, angle) per event, each its own fingerprint; cosine distance between two
    events is 1 - cos(the difference of their angles)."""
    one = normalized(crash_function="resolve")
    n = len(rows)
    vectors = np.array([[np.cos(angle), np.sin(angle)] for _, _, angle in rows])
    data = metrics.Dataset([bug for bug, _, _ in rows], [one] * n, [f"h{i}" for i in range(n)],
                           [True] * n, [text for _, text, _ in rows], ["javascript"] * n,
                           ["NotFoundError"] * n)
    return data, vectors


def at(distance: float) -> float:
    return float(np.arccos(1 - distance))


def test_the_conflict_threshold_is_a_veto_validation_can_afford():
    """Chosen after the threshold, for it: the smallest that costs validation no more than the
    slack of F1. Validation without conflicting releases of one fault chooses "never"; one whose
    releases rename the crash function keeps that release's distance."""
    plain, plain_vectors = dataset([("hook", HOOK, 0.0), ("hook", HOOK, at(0.079)),
                                    ("target", TARGET, 1.5)])
    choice = evaluate.choose(plain, plain_vectors)
    assert (choice.thresholds["javascript"], choice.conflicts["javascript"]) == (0.08, 0.0)
    without = evaluate.choose(plain, plain_vectors, use_conflicts=False)
    assert without.conflicts["javascript"] == 0.08
    moved = RENAMED[0].replace("loadEmail", "loadMail")
    renamed, renamed_vectors = dataset([("email", RENAMED[0], 0.0), ("email", moved, at(0.059)),
                                        ("target", TARGET, 1.5)])
    assert evaluate.choose(renamed, renamed_vectors).conflicts["javascript"] == 0.06
    # unseen twins, closer than one fault's releases: the veto keeps them apart
    twins, twin_vectors = dataset([("hook", HOOK, 0.0), ("target", TARGET, at(0.029))])
    assert metrics.simulate_ml(twins, twin_vectors, 0.08) == [0, 0]
    assert metrics.simulate_ml(twins, twin_vectors, choice.thresholds,
                               conflict=choice.conflicts) == [0, 1]
    # the veto never buys a larger threshold: twins only the veto separates keep it small
    vetoed, vetoed_vectors = dataset([("hook", HOOK, 0.0), ("target", TARGET, at(0.049)),
                                      ("hook", HOOK, at(0.079))])
    assert evaluate.choose(vetoed, vetoed_vectors).thresholds["javascript"] < 0.05
