"""Shipping a trained model with lab.select's choice (`ship_grouping_model --select FILE`): the
manifest takes the text shape chosen with the thresholds (frames, crash line and message shapes
per family), which grouping.policy then serves, not the thresholds and key rules alone."""

import json

from training.management.commands.ship_grouping_model import Command


def test_the_manifest_takes_the_chosen_text_shape(tmp_path):
    chosen = {"thresholds": {"python": 0.04}, "key_rules": {"python": "site+callee"},
              "conflict_thresholds": {"python": 2.0}, "frames": {"python": 1},
              "lines": {"python": "raw"}, "messages": {"python": "template"},
              "sources": {"python": "python: chosen"}, "provenance": {"command": "c"}}
    path = tmp_path / "choice.json"
    path.write_text(json.dumps(chosen))
    choices, chosen_by = Command().choices({}, str(path))
    assert choices["frames"] == {"python": 1} and choices["messages"] == {"python": "template"}
    assert choices["lines"] == {"python": "raw"} and chosen_by["file"] == "choice.json"
    del chosen["lines"], chosen["messages"]  # a choice made before the shapes: frames only
    path.write_text(json.dumps(chosen))
    assert "lines" not in Command().choices({}, str(path))[0]
