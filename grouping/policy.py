"""The grouping policy of a project: which model decides, with which key rules, text shape,
thresholds per platform family, conflict thresholds and project adjustment, and which named
fingerprint configuration makes its hashes. The one home every reader asks: ML decisions, shadow
models, the issue page, similar issues, the assist retrieval, backfill and the evaluation
replays; none looks a threshold or a model up on its own, so none reads neighbours in a space
other than the one decisions use.

Where each value comes from, once:
- model: the registry's served model (embeddings.registry), or the one a caller names (a
  shadow model, a candidate being backfilled);
- key rules: the model's own, chosen on validation, over the grouping rules (grouping.rules);
- text shape (frames, crash line and message shapes per family): the model's manifest's where
  it chose one (`choices.frames`, `choices.lines`, `choices.messages`, lab.select), over the
  grouping rules';
- thresholds: the project's threshold where an admin set one, else the model's (chosen on
  validation), else the grouping rules'; a family without its own takes "default" (a model's
  thresholds without one take the rules' default);
- conflict thresholds: the model's when it chose its own thresholds (a model trained before
  conflicts has none, and no veto), else the rules'; never looser than the threshold;
- fingerprint configuration: grouping.fingerprint.DEFAULT_CONFIG for every project;
- the project's adaptation (grouping.adapt): its answers move its threshold per family within
  MAX_ADAPTATION of the threshold it would otherwise have (`bounds`), unless the project
  turned adaptation off;
- suggestion bands ("likely the same — merge?"): SUGGESTION_BANDS, chosen per family on
  left-out mined codebases;
- which rule decided a family (`rule_for`): the project's threshold, the model's choice, the
  grouping rules' own choice for the family, or their fallback for families without codebases
  ("default", lab/select.py), named so the issue page can say it;
- minified JavaScript that no source map resolved (`MINIFIED_GATE`, `rule_for_event`), a
  browser bundle or a Node service's esbuild bundle (grouping.clean.minified_unresolved): its own
  candidate key, chosen on the mined JavaScript choice codebases, each left out in turn
  (lab.select --minified): such stacks differ only by the few names a minifier kept, and the
  family's key lets different faults of one bundle meet; the gate's key is where the stack ran
  in the bundle (the types and the application frames' places, no message), and joins by
  itself (texts of minified stacks carry names every build renames);
- the rename path (`RENAME_PATH`, grouping.rename): where the key finds no match, an issue of
  the same crash statement at a renamed site function, or at the same function moved to
  another file with the same line; one for every family and model, chosen
  on every family's choice codebases pooled, each left out in turn (lab.rename_path);
- a Go error reported from its capture path (`STACKLESS_GATE`, grouping.clean.capture_path: an
  error with no stack of its own, whose frames sentry-go took where `CaptureException` was
  called): keyed by what the error says (grouping.clean.error_key: the chain's types and the
  outermost message's template), not by the entry point that reported it, and joined by that
  key alone (its frames are the entry point's, so its text's distance reads the reporter).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from grouping import rules as grouping_rules
from grouping.clean import (
    LINE_SHAPES,
    MESSAGE_SHAPES,
    bundle_places,
    capture_path,
    clean_event,
    error_key,
    js_values_out,
    kept_function_names,
    kept_names,
    match_key,
    minified_unresolved,
    strip_noise,
)
from grouping.families import family_of, for_family
from grouping.fingerprint import CONFIGURATIONS, DEFAULT_CONFIG, components_hash, group
from grouping.rename import Record, RenamePath, record_of

if TYPE_CHECKING:
    from embeddings.models import EmbeddingModel
    from monitor.models import Project

Limits = float | Mapping[str, float]  # one limit for every family, or per family

# How far beyond the threshold a candidate is still offered as "likely the same — merge?", per
# family: the widest band (0.01-0.10) at which three in four suggestions were true duplicates
# on the mined codebases, each left out in turn (bench/feedback_sim.py --choose-band, stock
# model; docs/ml-grouping.md). JavaScript and Ruby had no such band (under half at every
# width): they get no suggestions. Families without mined codebases keep a conservative
# default.
SUGGESTION_BANDS: Mapping[str, float] = {"python": 0.10, "go": 0.10, "javascript": 0.0,
                                         "ruby": 0.0, "default": 0.04}
MAX_ADAPTATION = 0.05  # the furthest a project's answers may move its threshold either way
# What the crash line does (its calls and attribute reads; a line with none, its shape with
# locals as `x`), within 0.2, joined where no event of the new event's release in the candidate
# issue crashed in a third site; a function that kept its name in another file is another site
# where its crash line reads as written: the path the serving criterion chose
# (docs/ml-grouping.md, "The rename path"; lab.rename_path).
RENAME_PATH = RenamePath(signature="operations", tight=0.2, evidence="site", moves="line")

# Candidate keys for events whose application frames are a minified bundle's, unresolved
# (grouping.clean.minified_unresolved); what two such events must share before ML compares them:
# - "fingerprint": nothing: they never join by ML (fingerprinting alone groups them);
# - "nearest": the exception type and the crash frame's nearest kept name;
# - "export": the type and the nearest export name V8 reports (`[as cart/applyCoupon]`);
# - "path": the type and every kept name from the crash frame up to that export name;
# - "template": the type and the message's template (grouping.parameterize);
# - "path+template": both;
# - "values": the fingerprint with the JavaScript values its messages print as placeholders
#   (grouping.clean.js_values_out): `You passed undefined` and `You passed null` from one
#   stack are one key; nothing else of the fingerprint changes (quoted names stay);
# - "names": the type and every function name the minifier kept along the application's frames,
#   each once, in no order (grouping.clean.kept_function_names): no file, line, column, mangled
#   name, receiver or entry point, so neither a new build nor a click handler changes it;
# - "places": the types and each application frame's place in the bundle (file, line, column:
#   grouping.clean.bundle_places), no message: one spot of one build's code whatever the input;
# - "by-platform": a browser bundle's "values", a Node bundle's "places" (PLATFORM_GATE_KEYS).
MINIFIED_KEYS = ("fingerprint", "nearest", "export", "path", "template", "path+template",
                 "names", "values", "places", "by-platform")
PLATFORM_GATE_KEYS = {"javascript": "values", "node": "places"}
JOIN = 2.0  # a distance no cosine distance exceeds: a gate that joins by its key alone


def limit_for(limits: Limits | None, family: str) -> float | None:
    """A limit given for all families, or per family (grouping.families.for_family: a family's
    own, the family's it falls back to, "default"); None: none."""
    if isinstance(limits, Mapping):
        return for_family(limits, family, None)
    return limits


def event_text(event: dict, rules: grouping_rules.Rules | None = None) -> str:
    """The embedding text of a normalized event (grouping.clean.clean_event) in the grouping
    rules' shape; a model embeds `GroupingPolicy.text`, its manifest's shape over the rules."""
    return clean_event(event, rules=rules or grouping_rules.CURRENT)


@dataclass(frozen=True)
class RuleChoice:
    """What decides a family: its threshold, its candidate-key rule and where they come from."""

    threshold: float
    key: str
    source: str


@dataclass(frozen=True)
class MinifiedGate:
    """How ML treats minified JavaScript that no source map resolved: its candidate key (one of
    MINIFIED_KEYS) and the sentence that says what chose it."""

    key: str
    source: str
    # the key alone joins (distance not read): a minified stack's text carries the names and
    # bundle file a new build renames, so its distance moves with every release
    join: bool = False


# Chosen by lab.select --minified with the served JavaScript rule (docs/ml-grouping.md, "The
# minified gate, chosen leaving each codebase out"): each of the family's 6 choice codebases
# left out in turn, with the Node codebases' releases shipped as minified bundles (lab.select
# --with-minified), among the gates that lower no left-out codebase's pair precision below
# fingerprinting's (lab.select.admissible); the report-only ones only scored. "by-platform"
# keys a browser bundle by its values and a Node bundle by its places: each platform's key is
# the one its own codebases chose ("values" on the browser codebases before the Node bundles
# existed; "places" on the Node ones), and together they score the same worst left-out codebase
# as "places" for all, with a better median (issues per bug 6.36 against 6.47) and a better
# worst pair precision (0.808 against 0.802). Before: "places" for both, "values" (which keyed
# no Node bundle), "fingerprint" (no ML join, bench/minified_js.py --choose).
MINIFIED_GATE = MinifiedGate(
    "by-platform", "minified JavaScript without a source map joins by its key alone: in a browser "
    "bundle the fingerprint without the values its message prints, in a Node bundle the "
    "exception types and frame places (chosen leaving out each of 6 codebases in turn, Node "
    "bundles included)", join=True)


@dataclass(frozen=True)
class StacklessGate:
    """How ML treats a Go error reported from its capture path (grouping.clean.capture_path):
    keyed by what the error says (grouping.clean.error_key), joined by that key alone; and the
    sentence that says what chose it."""

    source: str


# Go errors without a stack of their own carry the frames of the entry point that reported
# them, so one fault reported by an HTTP handler, the CLI and a worker made one issue per entry
# point; keyed by the chain's types and the outermost message's template instead, they make one.
# Measured leaving out each Go choice codebase in turn (docs/ml-grouping.md, "Go errors
# reported from their capture path"): the worst left-out codebase's issues per bug fall (1.93 →
# 1.56; cronhook 1.93 → 1.48), no codebase's pair precision falls.
STACKLESS_GATE = StacklessGate(
    "a Go error with no stack of its own (its frames are where it was reported) joins by what "
    "it says: the chain's types and the outermost message's template (chosen leaving out each "
    "of Go's 5 choice codebases in turn)")


def gate_key(rule: str, event: dict) -> str:
    """The key rule a minified gate applies to the event: "by-platform" is its platform's
    (PLATFORM_GATE_KEYS), any other rule itself."""
    if rule != "by-platform":
        return rule
    return PLATFORM_GATE_KEYS.get(str(event.get("platform")), "values")


def minified_key(event: dict, rule: str, fingerprint: str) -> str:
    """The candidate key of a minified, unresolved JavaScript event under `rule`
    (MINIFIED_KEYS); `fingerprint` names the configuration whose hash keys "fingerprint"."""
    rule = gate_key(rule, event)
    exceptions = [e for e in event.get("exception") or [] if isinstance(e, dict)]
    root = exceptions[0] if exceptions else {}
    exc_type = str(root.get("type") or "")
    if rule == "fingerprint":
        return f"minified|{group(event, fingerprint).hash}"
    if rule == "values":
        return f"minified|{values_hash(event, fingerprint)}"
    if rule == "places":
        return f"minified|{components_hash(bundle_places(event))}"
    if rule == "names":
        return "minified|" + "|".join([exc_type, *kept_function_names(event)])[:240]
    names = kept_names(event)
    parts = [exc_type]
    if rule == "nearest":
        parts.append(names[0] if names else "")
    elif rule == "export":
        parts.append(names[-1] if names else "")
    elif rule in ("path", "path+template"):
        parts.append(">".join(names))
    if rule in ("template", "path+template"):
        value = str(root.get("value") or event.get("message") or "")
        parts.append(strip_noise(value.strip().split("\n", 1)[0][:200]))
    return "minified|" + "|".join(parts)[:240]


def values_hash(event: dict, fingerprint: str) -> str:
    """The fingerprint's components under the named configuration, its messages (`value:`)
    with the JavaScript values they print as placeholders (grouping.clean.js_values_out),
    hashed: one stack failing on `undefined` and on `null` keys alike."""
    _, components = CONFIGURATIONS[fingerprint](event)
    return components_hash([js_values_out(c) if c.startswith("value:") else c
                            for c in components])


@dataclass(frozen=True)
class GroupingPolicy:
    rules: grouping_rules.Rules  # the text shape (frames, code lines) and the default key rules
    thresholds: Limits
    conflict_thresholds: Limits | None = None  # none: the thresholds
    key_rules: Mapping[str, str] = field(default_factory=dict)  # the model's, over the rules'
    project_threshold: float | None = None  # the project's adjustment (an admin's)
    platform: str | None = None  # the project's: the family of events that name none
    model: EmbeddingModel | None = None  # None in evaluation replays (vectors given)
    fingerprint_config: str = DEFAULT_CONFIG
    adapted_thresholds: Mapping[str, float] = field(default_factory=dict)  # grouping.adapt
    bands: Limits = field(default_factory=lambda: SUGGESTION_BANDS)
    # per family ("default": the rest), what chose the thresholds and key rules
    sources: Mapping[str, str] = field(default_factory=dict)
    minified: MinifiedGate | None = MINIFIED_GATE  # minified JavaScript without a source map
    stackless: StacklessGate | None = STACKLESS_GATE  # Go errors reported from their capture path
    rename: RenamePath | None = RENAME_PATH  # None: the key's candidates alone

    def statement_of(self, event: dict) -> Record:
        """What an issue vector keeps of the event for the rename path (embeddings.store.save):
        its statement's digest in the path's shape, its site function and file; nothing without
        a path or a statement, whoever stores it (the decision, a shadow model,
        backfill_embeddings, backfill_rename_records)."""
        return record_of(event, self.rename)

    def family(self, platform: str | None) -> str:
        return family_of(platform or self.platform)

    def base_threshold(self, family: str) -> float:
        """The threshold without the project's adaptation: the admin's, else the model's."""
        if self.project_threshold is not None:
            return self.project_threshold
        return limit_for(self.thresholds, family) or 0.0

    def suggestion_band(self, family: str) -> float:
        band = limit_for(self.bands, family)
        return 0.0 if band is None else band

    def bounds(self, family: str) -> tuple[float, float]:
        """The safe range the project's adaptation may move the threshold within: the base
        threshold ± MAX_ADAPTATION, never below 0."""
        base = self.base_threshold(family)
        return max(0.0, base - MAX_ADAPTATION), base + MAX_ADAPTATION

    def threshold(self, family: str) -> float:
        """The cosine distance within which a new fingerprint joins (0: nothing joins): the
        project's adapted one where it has one (kept within `bounds`), else the base."""
        adapted = for_family(self.adapted_thresholds, family, None)
        if adapted is None:
            return self.base_threshold(family)
        low, high = self.bounds(family)
        return min(high, max(low, adapted))

    def adjustment(self, family: str) -> str:
        """The project adjustment in force, in words (empty: none)."""
        parts = []
        if self.project_threshold is not None:
            parts.append(f"set by an admin to {self.project_threshold:.3f}")
        if for_family(self.adapted_thresholds, family, None) is not None:
            parts.append(f"adapted to the project's answers: {self.threshold(family):.3f}")
        return "; ".join(parts)

    def suggests(self, family: str, distance: float) -> bool:
        """Whether a candidate that did not join is offered as "likely the same — merge?"."""
        band = self.suggestion_band(family)
        return band > 0 and distance <= self.threshold(family) + band

    def conflict_threshold(self, family: str) -> float:
        """The same for a candidate whose text conflicts (grouping.conflict)."""
        threshold = self.threshold(family)
        conflict = limit_for(self.conflict_thresholds, family)
        return threshold if conflict is None else min(threshold, conflict)

    def source(self, family: str) -> str:
        """Which choice decides the family: an admin's threshold, the model's, the grouping
        rules' for the family, else their fallback."""
        if self.project_threshold is not None:
            return f"project: threshold {self.project_threshold:g} set by an admin"
        return for_family(self.sources, family, "") or self.rules.source_for(family)

    def rule_for(self, family: str) -> RuleChoice:
        return RuleChoice(self.threshold(family), self.key_rule(family), self.source(family))

    def gated(self, event: dict) -> bool:
        """Whether the minified gate keys the event (grouping.clean.minified_unresolved)."""
        return self.minified is not None and minified_unresolved(event)

    def stackless_keyed(self, event: dict) -> bool:
        """Whether the stackless gate keys the event (grouping.clean.capture_path)."""
        return self.stackless is not None and capture_path(event)

    def joins_by_key(self, event: dict) -> bool:
        """Whether the minified gate keys the event and joins by its key alone, or the
        stackless gate does (it always joins by its key). An admin's threshold for the project
        stands instead (0: nothing joins, whatever the rule)."""
        if self.project_threshold is not None:
            return False
        if self.stackless_keyed(event):
            return True
        return self.minified is not None and self.minified.join and self.gated(event)

    def event_threshold(self, event: dict, family: str) -> float:
        """The family's threshold, or JOIN for an event joined by its key alone."""
        return JOIN if self.joins_by_key(event) else self.threshold(family)

    def event_conflict_threshold(self, event: dict, family: str) -> float:
        """The conflict threshold for the event (JOIN for one joined by key: texts not read)."""
        return JOIN if self.joins_by_key(event) else self.conflict_threshold(family)

    def rule_for_event(self, event: dict) -> RuleChoice:
        """What decides this event: the minified gate for a minified bundle's frames that no
        source map resolved, else its family's rule."""
        family = self.family(event.get("platform"))
        if self.gated(event):
            joins = "+join" if self.minified.join else ""
            return RuleChoice(self.event_threshold(event, family),
                              f"minified:{gate_key(self.minified.key, event)}{joins}",
                              self.minified.source)
        if self.stackless_keyed(event):
            return RuleChoice(self.event_threshold(event, family), "stackless:error+join",
                              self.stackless.source)
        return self.rule_for(family)

    def key_rule(self, family: str) -> str:
        return for_family(self.key_rules, family, "") or self.rules.key_for(family)

    def key(self, event: dict) -> str:
        """The candidate key of a normalized event (grouping.clean.match_key; for minified
        JavaScript without a source map, the gate's: minified_key; for a Go error reported from
        its capture path, what it says: grouping.clean.error_key)."""
        if self.gated(event):
            return minified_key(event, self.minified.key, self.fingerprint_config)
        if self.stackless_keyed(event):
            return error_key(event)
        return match_key(event, self.key_rule(family_of(event.get("platform"))))

    def text(self, event: dict) -> str:
        return event_text(event, self.rules)

    def for_project(self, project: Project | None,
                    adapted: dict[str, float] | None = None) -> GroupingPolicy:
        """This model's policy with the project's adjustment. `adapted`: its adapted
        thresholds, read already (thresholds_of); else they are read now."""
        if project is None:
            return self
        if adapted is None:
            adapted = adapted_thresholds_of(project)
        return dataclasses.replace(self, project_threshold=project.grouping_threshold,
                                   platform=project.platform,
                                   fingerprint_config=fingerprint_config_for(project),
                                   adapted_thresholds=adapted)


def model_choices(model: EmbeddingModel | None) -> dict:
    """The model's manifest's `choices` (lab.select's with its key rules and thresholds); none
    for a model without."""
    if model is None or model.pk is None:
        return {}
    from django.core.exceptions import ObjectDoesNotExist

    try:
        manifest = model.trained.manifest or {}
    except ObjectDoesNotExist:
        return {}
    return manifest.get("choices") or {}


def model_frames(model: EmbeddingModel | None) -> dict[str, int]:
    """The frames per family the model's manifest chose with its rules (`choices.frames`)."""
    return frames_of(model_choices(model))


def frames_of(choices: Mapping) -> dict[str, int]:
    """The frames per family of a manifest's `choices`."""
    frames = choices.get("frames") or {}
    return {family: int(n) for family, n in frames.items() if int(n) > 0}


def model_shapes(model: EmbeddingModel | None) -> dict[str, dict[str, str]]:
    """The crash line and message shapes per family the model's manifest chose with its rules
    (`choices.lines`, `choices.messages`: grouping.clean.LINE_SHAPES, MESSAGE_SHAPES), known
    shapes only; as `line` and `message` tables."""
    return shapes_of(model_choices(model))


def shapes_of(choices: Mapping) -> dict[str, dict[str, str]]:
    """The line and message shapes per family of a manifest's `choices` (model_shapes)."""
    return {"line": {family: shape for family, shape in (choices.get("lines") or {}).items()
                     if shape in LINE_SHAPES},
            "message": {family: shape for family, shape in
                        (choices.get("messages") or {}).items() if shape in MESSAGE_SHAPES}}


def shaped(rules: grouping_rules.Rules, frames: Mapping[str, int],
           shapes: Mapping[str, Mapping[str, str]] | None = None) -> grouping_rules.Rules:
    """The rules with `frames` over their own frames per family, and `shapes` (`line`,
    `message` tables per family) over their own line and message shapes."""
    changes: dict = {}
    for name, table in (("frames", frames), *((shapes or {}).items())):
        if table:
            value = getattr(rules, name)
            own = dict(value) if isinstance(value, dict) else {"default": value}
            changes[name] = {**own, **table}
    return dataclasses.replace(rules, **changes) if changes else rules


def of_model(model: EmbeddingModel | None,
             rules: grouping_rules.Rules | None = None) -> GroupingPolicy:
    """The policy `model` decides with (None: the grouping rules alone), for no project."""
    rules = shaped(rules or grouping_rules.CURRENT, model_frames(model), model_shapes(model))
    if model is None or not (model.thresholds or model.conflict_thresholds):
        return GroupingPolicy(rules=rules, thresholds=rules.thresholds,
                              conflict_thresholds=rules.conflict_thresholds,
                              key_rules=dict(model.key_rules or {}) if model else {},
                              model=model, sources=rules.sources)
    thresholds = dict(model.thresholds or rules.thresholds)
    own = {family: f"{model.label}: {family} chosen with the model"
           for family in thresholds if family != "default"}
    if "default" in thresholds:
        own["default"] = f"{model.label}: default chosen with the model"
    else:
        thresholds["default"] = rules.thresholds["default"]
        own["default"] = rules.source_for("default")
    return GroupingPolicy(rules=rules, thresholds=thresholds,
                          conflict_thresholds=dict(model.conflict_thresholds or {}),
                          key_rules=dict(model.key_rules or {}), model=model, sources=own)


def replay_policy(thresholds: Limits, conflict_thresholds: Limits | None = None,
                  rules: grouping_rules.Rules | None = None,
                  key_rules: Mapping[str, str] | None = None,
                  minified: MinifiedGate | None = MINIFIED_GATE,
                  stackless: StacklessGate | None = STACKLESS_GATE,
                  rename: RenamePath | None = RENAME_PATH) -> GroupingPolicy:
    """A policy of given choices, for no model (evaluation: threshold sweeps, the choices a
    model makes on validation, the minified gates bench/minified_js.py compares, the rename
    paths lab.rename_path compares; no gates for a baseline without candidate keys, where a
    gate's join by key would join anything)."""
    rules = rules or grouping_rules.CURRENT
    return GroupingPolicy(rules=rules, thresholds=thresholds,
                          conflict_thresholds=conflict_thresholds,
                          key_rules=dict(key_rules or {}), minified=minified,
                          stackless=stackless, rename=rename)


def adapted_thresholds_of(project: Project) -> dict[str, float]:
    """The project's adapted thresholds per family (grouping.adapt); none when it turned
    adaptation off."""
    from grouping.models import ProjectAdaptation

    if project.pk is None:  # an unsaved project (evaluation replays) has no answers
        return {}
    return thresholds_of(ProjectAdaptation.objects.filter(project_id=project.pk).first())


def thresholds_of(adaptation) -> dict[str, float]:
    """A project's adaptation row (grouping.models.ProjectAdaptation, or None) as thresholds per
    family."""
    if adaptation is None or not adaptation.enabled:
        return {}
    return {family: float(value) for family, value in adaptation.thresholds.items()}


def fingerprint_config_for(project: Project | None = None) -> str:
    """The fingerprint configuration that groups the project's events (grouping.fingerprint):
    the same for every project today; a changed algorithm registers under a new name."""
    return DEFAULT_CONFIG


def policy_for(project: Project | None, model: EmbeddingModel | None = None) -> GroupingPolicy:
    """The policy that decides the project's new fingerprints: the served model's (registered
    on first use), or `model`'s (a shadow model's, a candidate's)."""
    from embeddings import registry

    return of_model(model or registry.served()).for_project(project)


def may_serve(model: EmbeddingModel) -> bool:
    """The configured model, or a trained one whose data is all still there (not stale) and
    whose weights are."""
    from pathlib import Path

    from embeddings import registry
    from embeddings.models import EmbeddingModel

    if registry.is_stock(model):
        return True
    return (EmbeddingModel.objects.filter(pk=model.pk, trained__stale=False)
            .exclude(trained__path="").exists() and Path(model.path).is_dir())


def fallback_for(model: EmbeddingModel) -> EmbeddingModel:
    """The model that serves when `model` must stop because its data was withdrawn: the model
    most recently replaced (by a promotion, a confirmation, a rollback) that may serve, else
    the configured (shipped) model."""
    from embeddings import registry
    from embeddings.models import ModelChange

    replaced = (ModelChange.objects.exclude(previous=None).exclude(previous=model)
                .select_related("previous").order_by("-at", "-id"))
    for change in replaced:
        if may_serve(change.previous):
            return change.previous
    return registry.stock()


def reading_policy(project: Project | None = None) -> GroupingPolicy:
    """The same policy for readers of the vectors (similar issues, the issue page, the assist
    retrieval, labelling): read only, so a web process never loads or registers a model; its
    model is None while none has a row (then no issue has a vector)."""
    from embeddings import registry

    return of_model(registry.serving()).for_project(project)
