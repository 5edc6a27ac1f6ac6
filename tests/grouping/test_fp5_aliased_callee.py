"""faultline-fp-5 reads a call as a dispatch when the caller's statement does not name the
callee's own name (names_callee). A function exported under another property name is reported
by V8 with that name as its alias (`Object.formatImpl [as format]`, from
`module.exports = { format: formatImpl }`): its callers name the alias, not the own name, so
each is read as a dispatch, cut, and two application functions whose calls of one shared helper
fail are one fingerprint: two bugs joined. Changing it moves faultline-fp-5 hashes, so it needs
a configuration of its own (and the lab's measures): left failing (xfail strict) for the lead."""

import pytest

from grouping.fingerprint import FP5, group, names_callee
from tests.grouping.test_node_entry_frame_fingerprint import APP, EXPRESS, XML, event, frame

HELPER = frame(f"{APP}/utils.js", "Object.formatImpl [as format]",
               "return new XMLParser().parse(text);")


@pytest.mark.xfail(strict=True, reason="fp-5 reads an aliased call as a dispatch")
def test_callers_of_an_aliased_helper_stay_two_fingerprints():
    invoice = event(EXPRESS, frame(f"{APP}/billing.js", "renderInvoice",
                                   "const doc = utils.format(invoice.xml);"), HELPER, XML)
    refund = event(EXPRESS, frame(f"{APP}/refunds.js", "renderRefund",
                                  "const doc = utils.format(refund.xml);"), HELPER, XML)
    assert names_callee(invoice["exception"][0]["stacktrace"]["frames"][1], HELPER)
    assert group(invoice, FP5).hash != group(refund, FP5).hash


def test_the_aliased_callers_are_joined_today():
    invoice = event(EXPRESS, frame(f"{APP}/billing.js", "renderInvoice",
                                   "const doc = utils.format(invoice.xml);"), HELPER, XML)
    refund = event(EXPRESS, frame(f"{APP}/refunds.js", "renderRefund",
                                  "const doc = utils.format(refund.xml);"), HELPER, XML)
    assert group(invoice, FP5).hash == group(refund, FP5).hash
