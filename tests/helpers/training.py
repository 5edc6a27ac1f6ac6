"""A tiny labelled corpus and tiny training runs (seconds, the real model), and organisations
with events to train on, with or without consent."""

import json

from consent.models import OrganizationConsent
from monitor.models import Organization, Project
from tests.helpers.events import event, ingest
from training import fit, lifecycle
from training.models import TrainingSet

BUGS = {  # bug → (split, crash function, crash line, exception type)
    "cart-average": ("train", "average", "return sum(self.items) / len(self.items)", None),
    "cart-discount": ("train", "discount", "return self.total / self.discount", None),
    "user-plan": ("train", "plan_of", "return PLANS[user.plan]", "KeyError"),
    "search-page": ("validation", "parse_page", "return int(query['page'])", "ValueError"),
    "report-rows": ("validation", "rows", "return self.table.rows", "AttributeError"),
    "mail-send": ("test", "send", "return self.smtp.send(message)", "TimeoutError"),
    "mail-render": ("test", "render", "return template.render(context)", "KeyError"),
}
CALLERS = ["checkout_view", "nightly_report", "api_handler"]
TINY = dict(max_steps=1, batch_size=4, max_pairs=12, matryoshka_dims=[384, 128])


def corpus_file(tmp_path):
    rows = []
    for bug, (split, function, line, exc_type) in BUGS.items():
        for caller in CALLERS:
            payload = event(caller=caller, caller_line=f"{caller}(request)",
                            crash_function=function, crash_line=line, exc_type=exc_type)
            rows.append({"bug": bug, "split": split, "event": payload})
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def org_with_data(slug, **consent):
    org = Organization.objects.create(name=slug, slug=slug)
    project = Project.objects.create(organization=org, name=slug, slug=slug, platform="python",
                                     grouping_mode=Project.GroupingMode.FINGERPRINT)
    for caller in ("checkout_view", "nightly_report"):  # one issue, two fingerprints
        ingest(project, {**event(caller=caller, caller_line=f"{caller}(cart)",
                                 value=f"secret {slug}"), "fingerprint": ["cart"]})
    ingest(project, event(crash_function="discount", crash_line="return 1 / self.discount"))
    if consent:
        OrganizationConsent.objects.create(organization=org, **consent)
    return org


def train(tmp_path, name="grouping-test", training_set="latest"):
    if training_set == "latest":
        training_set = TrainingSet.objects.order_by("-id").first()
    return lifecycle.train_model(name, str(corpus_file(tmp_path)), training_set,
                                 fit.Hyperparameters(**TINY), tmp_path / "models",
                                 progress=False)
