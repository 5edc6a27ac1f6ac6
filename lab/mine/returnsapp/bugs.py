"""The faults of returns-desk, each with the inputs that reach it.

A bug is one root cause in the application's code: one faulty assumption at one place, fixed
by one change. Each bug names the operation that reaches it, the releases where it exists and
the exception chain it raises (as the SDK sends it: the cause first, the exception raised
last); `make` draws an event's data from a seeded generator: the tables' fixture, the
operation's arguments, and the family of bad input.
"""

from __future__ import annotations

import datetime
import json
import random

from lab.mine.appcode import machinery

APP = "returns-desk"
VERSIONS = ("2.0.0", "2.1.0", "3.0.0", "3.1.0")

ENTRIES = {  # operation → the entry points that expose it
    "open": ("flask", "django", "celery", "click"),
    "receive": ("flask", "celery", "jobs"),
    "grade": ("flask", "click"),
    "refund": ("celery", "click", "jobs"),
    "restock": ("celery", "jobs", "django"),
    "label": ("flask", "django", "click"),
    "average": ("django", "click", "jobs"),
    "rate": ("django", "click", "jobs"),
    "feed": ("celery", "click", "jobs"),
}

SKUS = ["TSH-BLK-M", "TSH-WHT-L", "JNS-32-34", "SNK-42", "CAP-RED", "BAG-TOTE", "SCF-WOOL",
        "SOX-3PK", "HDY-GRY-S", "BLT-LTH-90"]
NAMES = ["Anna Weber", "Jan de Vries", "Chloé Martin", "Oliver Smith", "Lea Gruber",
         "Pieter Bakker", "Hugo Bernard", "Emily Jones"]
NON_LATIN1 = ["Łukasz Nowak", "Zoë Œuvray", "Şule Yılmaz", "Dušan Novák",
              "Ğökhan Şen"]
COUNTRIES = {"DE": lambda r: f"{r.randrange(10000, 99999)}",
             "AT": lambda r: f"{r.randrange(1000, 9999)}",
             "NL": lambda r: f"{r.randrange(1000, 9999)} {r.choice('ABCDEFGH')}{r.choice('KLMN')}",
             "FR": lambda r: f"{r.randrange(10000, 99999)}",
             "GB": lambda r: f"SW{r.randrange(1, 20)} {r.randrange(1, 9)}AA"}
PSPS = ["adyen", "stripe", "mollie", "klarna"]
DOCKS = [{"code": "D1", "name": "north dock"}, {"code": "D2", "name": "south dock"},
         {"code": "D3", "name": "parcel room"}]
STATUSES = ["picked_up", "in_transit", "delivered", "returned"]


class Bug(machinery.Bug):
    """A fault of returns-desk; its id names the function as of 2.0.0."""

    APP = APP


def price(rng: random.Random) -> str:
    return f"{rng.randrange(5, 120)}.{rng.choice(['00', '50', '95', '99'])}"


def address(rng: random.Random, **kw) -> dict:
    country = rng.choice(sorted(COUNTRIES))
    out = {"name": rng.choice(NAMES), "country": country, "postcode": COUNTRIES[country](rng)}
    return {**out, **kw}


def order(rng: random.Random, oid: int | None = None, **kw) -> dict:
    oid = oid if oid is not None else rng.randrange(100000, 999999)
    skus = rng.sample(SKUS, rng.randrange(1, 4))
    delivered = datetime.date(2026, 9, 1) + datetime.timedelta(days=rng.randrange(0, 60))
    out = {"id": oid, "lines": [{"sku": s, "qty": rng.randrange(1, 4), "price": price(rng)}
                                for s in skus],
           "delivered": delivered.isoformat(), "psp": rng.choice(PSPS),
           "ship_to": address(rng)}
    return {**out, **kw}


def requested(o: dict, rng: random.Random) -> str:
    start = datetime.date.fromisoformat(o["delivered"])
    return (start + datetime.timedelta(days=rng.randrange(1, 25))).isoformat()


def return_of(rng: random.Random, o: dict, rid: str | None = None, graded: bool = True,
              **kw) -> dict:
    rid = rid or f"RMA-{rng.randrange(1000, 6999)}"
    items = [{"sku": line["sku"], "qty": 1, "price": line["price"]} for line in o["lines"]]
    grade = ({"condition": "opened", "deduction": rng.choice([0.0, 0.1, 0.3]), "defects": []}
             if graded else None)
    return {"id": rid, "order_id": o["id"], "items": items, "grade": grade, **kw}


def world(rng: random.Random, orders=(), returns=(), stock=None, day=None) -> dict:
    """Tables with a few unrelated orders beside the ones a fault needs."""
    others = [order(rng) for _ in range(rng.randrange(1, 3))]
    others = [o for o in others if all(o["id"] != p["id"] for p in orders)]
    return {"orders": [*orders, *others], "returns": list(returns), "docks": DOCKS,
            "stock": stock or {s: rng.randrange(1, 30) for s in rng.sample(SKUS, 3)},
            "day": day or {"orders": rng.randrange(40, 400),
                           "refunds": [price(rng) for _ in range(rng.randrange(1, 5))]}}


# --- opening a return ------------------------------------------------------------------------

def _request(rng, o, **kw):
    items = [{"sku": line["sku"], "qty": 1} for line in rng.sample(o["lines"], 1)]
    payload = {"order_id": o["id"], "items": items, "requested": requested(o, rng)}
    return {**payload, **kw}


def _open_unknown_order(rng):
    o = order(rng)
    payload = _request(rng, o, order_id=o["id"] + rng.randrange(1, 5000))
    return world(rng, [o]), {"payload": payload}, "deleted-record"


def _open_foreign_sku(rng):
    o = order(rng)
    other = rng.choice([s for s in SKUS if all(line["sku"] != s for line in o["lines"])])
    payload = _request(rng, o, items=[{"sku": other, "qty": 1}])
    return world(rng, [o]), {"payload": payload}, "unknown-code"


def _open_qty_text(rng):
    o = order(rng)
    payload = _request(rng, o)
    payload["items"][0]["qty"] = rng.choice(["1", "2", "one", "1 pc"])
    return world(rng, [o]), {"payload": payload}, "number-as-text"


def _open_final_sale(rng):
    o = order(rng)
    line = rng.choice(o["lines"])
    line["final_sale"] = True
    payload = _request(rng, o, items=[{"sku": line["sku"], "qty": 1}])
    return world(rng, [o]), {"payload": payload}, "policy"


def _open_legacy_date(rng):
    o = order(rng)
    payload = _request(rng, o)
    when = datetime.date.fromisoformat(o["delivered"])
    o["delivered"] = rng.choice([when.strftime("%d/%m/%Y"), when.strftime("%d.%m.%Y"),
                                 when.strftime("%Y%m%d"), when.strftime("%b %d %Y")])
    return world(rng, [o]), {"payload": payload}, "legacy-record"


def _open_undelivered(rng):
    o = order(rng)
    payload = _request(rng, o)
    o["delivered"] = None
    return world(rng, [o]), {"payload": payload}, "null-field"


# --- receiving -------------------------------------------------------------------------------

def _scan(rng, r, **kw):
    scan = {"rma": r["id"], "dock": rng.choice(DOCKS)["code"],
            "weight": round(rng.uniform(0.2, 6.0), 2), "declared": price(rng)}
    return {**scan, **kw}


def _received(rng, **scan):
    o = order(rng)
    r = return_of(rng, o, graded=False)
    return world(rng, [o], [r]), {"scan": _scan(rng, r, **scan)}


def _receive_unknown_rma(rng):
    fixture, args = _received(rng)
    args["scan"]["rma"] = f"RMA-{rng.randrange(7000, 9999)}"
    return fixture, args, "deleted-record"


def _receive_unknown_dock(rng):
    return (*_received(rng, dock=rng.choice(["D4", "d1", "YARD", "D-2"])), "unknown-code")


def _receive_weight_unit(rng):
    weight = rng.choice([f"{rng.uniform(0.2, 6):.1f}kg", f"{rng.randrange(200, 6000)} g",
                         f"{rng.uniform(0.2, 6):.2f} KG", "n/a"])
    return (*_received(rng, weight=weight), "number-with-unit")


def _receive_declared_comma(rng):
    declared = rng.choice([f"{rng.randrange(5, 99)},{rng.randrange(10, 99)}",
                           f"EUR {rng.randrange(5, 99)}", f"{rng.randrange(5, 99)} €", ""])
    return (*_received(rng, declared=declared), "number-as-text")


# --- grading ---------------------------------------------------------------------------------

def _graded(rng, **report):
    o = order(rng)
    r = return_of(rng, o, graded=False)
    out = {"condition": rng.choice(["new", "opened", "used", "damaged"]),
           "photos": [f"img-{rng.randrange(100, 999)}.jpg" for _ in range(rng.randrange(0, 3))],
           "defects": rng.sample(["stain", "tear", "scuff", "missing-tag"], rng.randrange(0, 2))}
    return world(rng, [o], [r]), {"rma_id": r["id"], "report": {**out, **report}}


def _grade_condition(rng):
    return (*_graded(rng, condition=rng.choice(["mint", "like new", "B-stock", "Used", "worn"])),
            "unknown-code")


def _grade_no_photos(rng):
    return (*_graded(rng, photos=None), "null-field")


def _grade_defect_objects(rng):
    defects = [{"kind": rng.choice(["stain", "tear"]), "where": rng.choice(["sleeve", "sole"])}
               for _ in range(rng.randrange(1, 3))]
    return (*_graded(rng, defects=defects), "wrong-shape")


# --- refunds ---------------------------------------------------------------------------------

def _refund(rng, o=None, **kw):
    o = o or order(rng)
    r = return_of(rng, o, **kw)
    return world(rng, [o], [r]), r


def _refund_order_purged(rng):
    o = order(rng)
    r = return_of(rng, o)
    fixture = world(rng, [], [r])
    return fixture, {"rma_id": r["id"]}, "deleted-record"


def _refund_ungraded(rng):
    fixture, r = _refund(rng, graded=False)
    return fixture, {"rma_id": r["id"]}, "null-field"


def _refund_price_text(rng):
    fixture, r = _refund(rng)
    r = fixture["returns"][0]
    r["items"][0]["price"] = rng.choice(["n/a", "", "12,50", "free", "€19.99"])
    return fixture, {"rma_id": r["id"]}, "number-as-text"


def _refund_offline(rng):
    fixture, r = _refund(rng, order(rng, psp=rng.choice(PSPS) + "-offline"))
    return fixture, {"rma_id": r["id"]}, "upstream-down"


def _refund_html(rng):
    fixture, r = _refund(rng, order(rng, psp=rng.choice(PSPS) + "-maintenance"))
    return fixture, {"rma_id": r["id"]}, "upstream-html"


# --- restocking ------------------------------------------------------------------------------

def _bin(rng):
    return f"{rng.choice('ABCDEF')}{rng.randrange(1, 30)}-{rng.randrange(1, 9)}"


def _restock(rng, bin_code=None, stock=None, **item):
    o = order(rng)
    r = return_of(rng, o)
    r["items"][0].update(item)
    return world(rng, [o], [r], stock=stock), {"rma_id": r["id"], "bin": bin_code or _bin(rng)}


def _restock_hazmat(rng):
    return (*_restock(rng, hazmat=True), "policy")


def _restock_bin_shape(rng):
    bin_code = rng.choice([f"{rng.choice('ABC')}{rng.randrange(1, 30)}",
                           f"{rng.choice('ABC')}-{rng.randrange(1, 30)}-{rng.randrange(1, 9)}",
                           f"{rng.choice('ABC')}{rng.randrange(1, 30)}/{rng.randrange(1, 9)}"])
    return (*_restock(rng, bin_code=bin_code), "malformed-code")


def _restock_zero_row(rng):
    fixture, args = _restock(rng)
    ordered = {line["sku"] for line in fixture["orders"][0]["lines"]}
    fixture["stock"][rng.choice([s for s in SKUS if s not in ordered])] = 0
    return fixture, args, "stale-row"


# --- labels ----------------------------------------------------------------------------------

def _labelled(rng, **ship_to):
    o = order(rng)
    o["ship_to"] = {**o["ship_to"], **ship_to} if ship_to else o["ship_to"]
    return world(rng, [o]), {"order_id": o["id"]}


def _label_no_address(rng):
    o = order(rng, ship_to=None)
    return world(rng, [o]), {"order_id": o["id"]}, "null-field"


def _label_country(rng):
    return (*_labelled(rng, country=rng.choice(["CH", "NO", "PL", "BE", "de"])), "unknown-code")


def _label_postcode(rng):
    o = order(rng)
    bad = {"DE": "D-" + o["ship_to"]["postcode"], "AT": "A " + o["ship_to"]["postcode"],
           "NL": o["ship_to"]["postcode"].lower(), "FR": o["ship_to"]["postcode"][:4],
           "GB": o["ship_to"]["postcode"].lower()}[o["ship_to"]["country"]]
    o["ship_to"]["postcode"] = bad
    return world(rng, [o]), {"order_id": o["id"]}, "malformed-code"


def _label_name(rng):
    return (*_labelled(rng, name=rng.choice(NON_LATIN1)), "encoding")


# --- reports ---------------------------------------------------------------------------------

def _average_empty(rng):
    fixture = world(rng, day={"orders": rng.randrange(20, 300), "refunds": []})
    return fixture, {}, "empty"


def _rate_no_orders(rng):
    o = order(rng)
    returns = [return_of(rng, o, rid=f"RMA-{n}") for n in rng.sample(range(1000, 7000), 2)]
    fixture = world(rng, [o], returns, day={"orders": 0, "refunds": [price(rng)]})
    return fixture, {}, "empty"


# --- the carriers' feed ----------------------------------------------------------------------

def _event(rng, **kw):
    out = {"tracking": f"JJD{rng.randrange(10**9, 10**10)}", "status": rng.choice(STATUSES),
           "ts": 1_790_000_000 + rng.randrange(0, 10**7)}
    return {**out, **kw}


def _feed(rng, bad):
    lines = [json.dumps(_event(rng)) for _ in range(rng.randrange(0, 3))]
    lines.insert(rng.randrange(0, len(lines) + 1), bad)
    return world(rng), {"text": "\n".join(lines)}


def _feed_truncated(rng):
    line = json.dumps(_event(rng))
    return (*_feed(rng, line[:rng.randrange(5, len(line) - 2)]), "truncated")


def _feed_no_tracking(rng):
    event = _event(rng)
    del event["tracking"]
    event["parcel"] = f"JJD{rng.randrange(10**9, 10**10)}"
    return (*_feed(rng, json.dumps(event)), "missing")


def _feed_status(rng):
    event = _event(rng, status=rng.choice(["held_at_customs", "lost", "damaged", "exception"]))
    return (*_feed(rng, json.dumps(event)), "unknown-code")


def _feed_microseconds(rng):
    event = _event(rng)
    event["ts"] = event["ts"] * rng.choice([1000, 1_000_000])
    return (*_feed(rng, json.dumps(event)), "unit")


BUGS: tuple[Bug, ...] = (
    Bug("store.order/OrderMissing-return-for-unknown-order", "store.order:raise", "open",
        ("OrderMissing",), _open_unknown_order, kind="own exception, varying message"),
    Bug("rma.open_return/KeyError-sku-not-on-order", "rma.open_return:lines[sku]", "open",
        ("KeyError",), _open_foreign_sku, kind="KeyError on own dict; moves to a helper in 3.0.0"),
    Bug("rma.open_return/TypeError-quantity-as-text", "rma.open_return:qty>", "open",
        ("TypeError",), _open_qty_text, kind="comparison of text with a number"),
    Bug("rma.open_return/PolicyViolation-final-sale-item", "rma.open_return:final_sale", "open",
        ("PolicyViolation",), _open_final_sale,
        kind="own exception, same message as hazmat-item until 3.0.0"),
    Bug("policy.within_window/ValueError-legacy-delivery-date", "policy.within_window:strptime",
        "open", ("ValueError",), _open_legacy_date, kind="strptime format, message varies"),
    Bug("policy.within_window/TypeError-order-not-delivered", "policy.within_window:strptime",
        "open", ("TypeError",), _open_undelivered,
        kind="None to strptime (same line as legacy-delivery-date)"),
    Bug("store.rma/ReturnMissing-scan-for-unknown-return", "store.rma:raise", "receive",
        ("ReturnMissing",), _receive_unknown_rma, kind="own exception, varying message"),
    Bug("receiving.receive/StopIteration-unknown-dock", "receiving.receive:next(dock)",
        "receive", ("StopIteration",), _receive_unknown_dock, entries=("flask", "celery"),
        kind="next() on an exhausted generator, empty message"),
    Bug("receiving.receive/ValueError-weight-with-unit", "receiving.receive:float(weight)",
        "receive", ("ValueError",), _receive_weight_unit, kind="parsing, message varies"),
    Bug("receiving.receive/InvalidOperation-declared-value-not-a-number",
        "receiving.receive:Decimal(declared)", "receive", ("InvalidOperation",),
        _receive_declared_comma, kind="decimal conversion, same message as price-not-a-number"),
    Bug("grading.grade/KeyError-unknown-condition", "grading.grade:DEDUCTIONS", "grade",
        ("KeyError",), _grade_condition, kind="KeyError on own table, message varies"),
    Bug("grading.grade/TypeError-photos-null", "grading.grade:len(photos)", "grade",
        ("TypeError",), _grade_no_photos, kind="len of None"),
    Bug("grading.grade/TypeError-defects-as-objects", "grading.grade:set(defects)", "grade",
        ("TypeError",), _grade_defect_objects,
        kind="unhashable (same type, same function as photos-null)"),
    Bug("store.order/OrderMissing-refund-after-order-purged", "refunds.issue_refund:store.order",
        "refund", ("OrderMissing",), _refund_order_purged,
        kind="own exception from the same raise as return-for-unknown-order"),
    Bug("refunds.refund_amount/TypeError-refund-before-grading", "refunds.refund_amount:grade[]",
        "refund", ("TypeError",), _refund_ungraded,
        kind="subscript of None, same message as order-without-address"),
    Bug("refunds.refund_amount/InvalidOperation-price-not-a-number",
        "refunds.refund_amount:Decimal(price)", "refund", ("InvalidOperation",),
        _refund_price_text, kind="decimal conversion, same message as declared-value"),
    Bug("refunds.issue_refund/RefundFailed-provider-offline", "refunds.issue_refund:raise-from",
        "refund", ("ConnectionError", "RefundFailed"), _refund_offline,
        kind="re-raised as own exception"),
    Bug("refunds.issue_refund/RefundFailed-provider-answers-html",
        "refunds.issue_refund:raise-from", "refund", ("JSONDecodeError", "RefundFailed"),
        _refund_html, kind="re-raised as own exception (same raise line as provider-offline)"),
    Bug("restock.put_away/PolicyViolation-hazmat-item", "restock.put_away:hazmat", "restock",
        ("PolicyViolation",), _restock_hazmat,
        kind="own exception, same message as final-sale-item until 3.0.0"),
    Bug("restock.put_away/ValueError-bin-code-shape", "restock.put_away:unpack", "restock",
        ("ValueError",), _restock_bin_shape, kind="unpacking, two messages"),
    Bug("restock.put_away/RuntimeError-zero-stock-row", "restock.put_away:del-while-iterating",
        "restock", ("RuntimeError",), _restock_zero_row, releases=(0, 1, 2),
        kind="dict changed size during iteration (fixed in 3.1.0)"),
    Bug("labels.make_label/TypeError-order-without-address", "labels.make_label:ship_to[]",
        "label", ("TypeError",), _label_no_address,
        kind="subscript of None, same message as refund-before-grading"),
    Bug("labels.make_label/KeyError-country-without-carrier", "labels.make_label:CARRIERS",
        "label", ("KeyError",), _label_country, kind="KeyError on own table, message varies"),
    Bug("labels.make_label/AttributeError-postcode-not-matching", "labels.make_label:match.group",
        "label", ("AttributeError",), _label_postcode, kind="attribute of a failed match"),
    Bug("labels.make_label/UnicodeEncodeError-name-outside-latin1", "labels.make_label:encode",
        "label", ("UnicodeEncodeError",), _label_name, kind="encoding, message varies"),
    Bug("reports.average_refund/StatisticsError-day-without-refunds",
        "reports.average_refund:mean", "average", ("StatisticsError",), _average_empty,
        kind="raised in the standard library"),
    Bug("reports.return_rate/DivisionByZero-day-without-orders", "reports.return_rate:divide",
        "rate", ("DivisionByZero",), _rate_no_orders, kind="decimal division by zero"),
    Bug("carrier_feed.parse_line/JSONDecodeError-truncated-line", "carrier_feed.parse_line:loads",
        "feed", ("JSONDecodeError",), _feed_truncated, kind="parsing, message varies"),
    Bug("carrier_feed.parse_line/KeyError-event-without-tracking",
        "carrier_feed.parse_line:event[tracking]", "feed", ("KeyError",), _feed_no_tracking,
        kind="KeyError on input, one message"),
    Bug("carrier_feed.parse_line/KeyError-unknown-status", "carrier_feed.parse_line:STATUS",
        "feed", ("KeyError",), _feed_status,
        kind="KeyError on own table (same type, same function as event-without-tracking)"),
    Bug("carriers.feed.scanned_at/ValueError-timestamp-not-in-seconds",
        "carriers.feed.scanned_at:fromtimestamp", "feed", ("ValueError",), _feed_microseconds,
        releases=(2, 3), kind="introduced by the 3.0.0 refactor; message varies"),
)
BY_ID = {bug.id: bug for bug in BUGS}
