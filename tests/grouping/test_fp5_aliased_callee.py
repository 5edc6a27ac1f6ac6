"""faultline-fp-5 reads a call as a dispatch when the caller's statement does not name the
callee's own name (names_callee). A function exported under another property name is reported
by V8 with that name as its alias (`Object.formatImpl [as format]`, from
`module.exports = { format: formatImpl }`): its callers name the alias, not the own name, so
each would be read as a dispatch, cut, and two application functions whose calls of one shared
helper fail would be one fingerprint: two bugs joined. names_callee reads the alias too
(alias_name, the last part of the alias); no mined Node event has such a call, so no lab
figure moves."""

from grouping.fingerprint import FP5, group, names_callee
from tests.grouping.test_node_entry_frame_fingerprint import APP, EXPRESS, XML, event, frame

HELPER = frame(f"{APP}/utils.js", "Object.formatImpl [as format]",
               "return new XMLParser().parse(text);")


def test_callers_of_an_aliased_helper_stay_two_fingerprints():
    invoice = event(EXPRESS, frame(f"{APP}/billing.js", "renderInvoice",
                                   "const doc = utils.format(invoice.xml);"), HELPER, XML)
    refund = event(EXPRESS, frame(f"{APP}/refunds.js", "renderRefund",
                                  "const doc = utils.format(refund.xml);"), HELPER, XML)
    assert names_callee(invoice["exception"][0]["stacktrace"]["frames"][1], HELPER)
    assert group(invoice, FP5).hash != group(refund, FP5).hash


def test_a_table_dispatch_to_an_aliased_function_is_still_a_dispatch():
    """The alias names what the caller wrote only when it wrote it: a route table's
    `handler(req.body)` reaching `Object.formatImpl [as format]` is still a dispatch."""
    caller = frame(f"{APP}/web.js", "?", "const result = handler(req.body);")
    assert not names_callee(caller, HELPER)
