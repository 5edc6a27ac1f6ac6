"""The faults of invoice-desk, each with the inputs that reach it.

A bug is one root cause in the application's code: one faulty assumption at one place, fixed
by one change. Each bug names the operation that reaches it, the entry points that expose that
operation, the releases where it exists, and the exception chain it raises (as the SDK sends
it: the cause first, the exception raised last). `make` draws an event's data from a seeded
generator: the store's fixture, the operation's arguments, and the family of bad input.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from lab.mine.appcode import machinery

APP = "invoice-desk"
VERSIONS = ("1.4.0", "1.5.0", "2.0.0", "2.1.0")
ALL = (0, 1, 2, 3)

ENTRIES = {  # operation → the entry points that expose it
    "create_invoice": ("flask", "django", "celery", "click"),
    "apply_payment": ("flask", "django", "celery"),
    "refund": ("flask", "click"),
    "send_receipt": ("flask", "celery"),
    "send_reminder": ("celery", "jobs"),
    "average": ("django", "click", "jobs"),
    "top": ("django", "click", "jobs"),
    "aging": ("django", "click", "jobs"),
    "import_csv": ("flask", "celery", "click"),
    "import_json": ("flask", "celery"),
    "push_invoice": ("celery", "click", "jobs"),
}

FIRST = ["Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Ken", "Frances", "Edsger",
         "Radia", "Dennis", "Hedy", "Katherine", "John", "Donald", "Shafi"]
LAST = ["Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Thompson", "Allen",
        "Dijkstra", "Perlman", "Ritchie", "Lamarr", "Johnson", "Backus", "Knuth", "Goldwasser"]
ACCENTED = ["Zoë Müller", "José Núñez", "Søren Kierkegård", "Chloé Dubois", "Åsa Lindström",
            "Łukasz Wójcik", "François Lefèvre", "Jürgen Groß", "Inés Peña", "Mikuláš Dvořák"]
MONONYMS = ["Cher", "Madonna", "Prince", "Sting", "Adele", "Drake", "Zendaya", "Moby"]
SKUS = ["design-hour", "dev-hour", "hosting-month", "audit", "workshop", "license-seat",
        "support-plan", "travel"]
CURRENCIES = ["EUR", "USD", "GBP", "CHF", "SEK"]
UNKNOWN_CURRENCIES = ["NOK", "JPY", "PLN", "DKK", "CZK", "AUD", "CAD", "HUF"]
LOCALES = ["en", "de", "fr"]
UNKNOWN_LOCALES = ["pt", "es", "it", "pl", "sv", "pt_BR", "en_GB"]
REGIONS = ["eu", "us", "uk", "apac"]


def price(rng: random.Random, low: int = 20, high: int = 900) -> float:
    return round(rng.randrange(low * 100, high * 100) / 100 + 0.01, 2)


def customer(rng: random.Random, cid: int | None = None, **kw) -> dict:
    cid = cid if cid is not None else rng.randrange(100, 99999)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    out = {"id": cid, "name": f"{first} {last}",
           "email": f"{first.lower()}.{last.lower()}{cid % 97}@example.com",
           "currency": rng.choice(CURRENCIES), "locale": rng.choice(LOCALES),
           "region": rng.choice(REGIONS)}
    return {**out, **kw}


def invoice(rng: random.Random, cid: int, iid: int | None = None, **kw) -> dict:
    iid = iid if iid is not None else rng.randrange(1001, 99999)
    due = datetime.date(2026, 1, 1) + datetime.timedelta(days=rng.randrange(0, 330))
    out = {"id": iid, "customer_id": cid, "number": f"INV-{iid:06d}", "total": price(rng, 50, 5000),
           "due": due, "status": "open", "paid": Decimal("0"),
           "card_token": f"tok_{rng.getrandbits(40):010x}"}
    return {**out, **kw}


def item(rng: random.Random, **kw) -> dict:
    out = {"sku": rng.choice(SKUS), "qty": rng.randrange(1, 12), "unit_price": price(rng)}
    return {**out, **kw}


def world(rng: random.Random, *extra_customers: dict, invoices: list | None = None,
          coupons: dict | None = None) -> dict:
    """A store with a few unrelated customers and invoices beside the ones a fault needs."""
    others = [customer(rng) for _ in range(rng.randrange(1, 4))]
    others = [c for c in others if all(c["id"] != e["id"] for e in extra_customers)]
    return {"customers": [*extra_customers, *others], "invoices": invoices or [],
            "coupons": coupons or {}}


def order(rng: random.Random, cid: int, items: list | None = None, **kw) -> dict:
    items = items or [item(rng) for _ in range(rng.randrange(1, 4))]
    payload = {"customer_id": cid, "items": items}
    if rng.random() < 0.5:
        payload["due"] = (datetime.date(2026, 12, 1)
                          + datetime.timedelta(days=rng.randrange(0, 90))).isoformat()
    return {**payload, **kw}


class Bug(machinery.Bug):
    """A fault of invoice-desk; its id names the function as of 1.4.0."""

    APP = APP


# --- create_invoice --------------------------------------------------------------------------

def _unknown_customer(rng):
    known = customer(rng)
    missing = rng.randrange(100, 99999)
    return world(rng, known), {"payload": order(rng, missing)}, "deleted-customer"


def _due_format(rng):
    c = customer(rng)
    day = datetime.date(2026, 12, 1) + datetime.timedelta(days=rng.randrange(0, 60))
    text = rng.choice([day.strftime("%d/%m/%Y"), day.strftime("%m-%d-%Y"), day.strftime("%d.%m.%Y"),
                       day.strftime("%Y/%m/%d"), day.strftime("%B %d, %Y")])
    return world(rng, c), {"payload": order(rng, c["id"], due=text)}, "date-format"


def _qty_text(rng):
    c = customer(rng)
    items = [item(rng, qty=str(rng.randrange(1, 9)))]
    items += [item(rng) for _ in range(rng.randrange(0, 2))]
    rng.shuffle(items)
    return world(rng, c), {"payload": order(rng, c["id"], items=items)}, "number-as-text"


def _shipping_null(rng):
    c = customer(rng)
    items = [item(rng, shipping=None)] + [item(rng, shipping=price(rng, 5, 30))
                                          for _ in range(rng.randrange(0, 2))]
    rng.shuffle(items)
    return world(rng, c), {"payload": order(rng, c["id"], items=items)}, "null-field"


def _coupon(rng, **kw):
    code = rng.choice(["WINTER", "SPRING", "WELCOME", "LOYAL", "BLACKFRIDAY", "PARTNER"])
    code += str(rng.randrange(5, 50))
    coupon = {"min_spend": rng.choice([50, 100, 200]), "percent": rng.choice([5, 10, 15, 20])}
    coupon.update(kw)
    return code, {k: v for k, v in coupon.items() if v is not ...}


def _coupon_zero_min(rng):
    c = customer(rng)
    code, coupon = _coupon(rng, min_spend=0)
    payload = order(rng, c["id"], coupon=code.lower() if rng.random() < 0.5 else code)
    return world(rng, c, coupons={code: coupon}), {"payload": payload}, "zero"


def _coupon_fixed(rng):
    c = customer(rng)
    code, coupon = _coupon(rng, percent=..., amount=rng.choice([10, 25, 50]), min_spend=20)
    items = [item(rng, unit_price=price(rng, 100, 900), qty=rng.randrange(2, 6))]
    payload = order(rng, c["id"], items=items, coupon=code)
    return world(rng, c, coupons={code: coupon}), {"payload": payload}, "fixed-amount-coupon"


def _coupon_unknown(rng):
    c = customer(rng)
    code, coupon = _coupon(rng)
    expired = code[:-2] + str(rng.randrange(50, 99))
    payload = order(rng, c["id"], coupon=expired)
    return world(rng, c, coupons={code: coupon}), {"payload": payload}, "unknown-code"


def _currency_unknown(rng):
    c = customer(rng)
    payload = order(rng, c["id"], currency=rng.choice(UNKNOWN_CURRENCIES))
    return world(rng, c), {"payload": payload}, "unknown-code"


def _credit_total(rng):
    c = customer(rng)
    items = [item(rng, unit_price=-price(rng, 200, 900), qty=1),
             item(rng, unit_price=price(rng, 5, 60), qty=1)]
    return world(rng, c), {"payload": order(rng, c["id"], items=items)}, "negative"


# --- refunds ---------------------------------------------------------------------------------

def _refund_world(rng, paid=None, **kw):
    c = customer(rng)
    inv = invoice(rng, c["id"], status="paid", **kw)
    inv["paid"] = paid if paid is not None else Decimal(str(inv["total"]))
    return world(rng, c, invoices=[inv]), inv


def _refund_missing_amount(rng):
    fixture, inv = _refund_world(rng)
    return fixture, {"invoice_id": inv["id"], "amount": None}, "missing"


def _refund_amount_text(rng):
    fixture, inv = _refund_world(rng)
    value = f"{price(rng, 5, 200):.2f}"
    amount = rng.choice([f"{value} EUR", f"€{value}", f"{value.replace('.', ',')} €",
                         f"USD {value}", f"{value}-"])
    return fixture, {"invoice_id": inv["id"], "amount": amount}, "money-with-currency"


def _refund_nonpositive(rng):
    fixture, inv = _refund_world(rng)
    amount = rng.choice(["0", "0.00", f"-{price(rng, 5, 90):.2f}", "-1"])
    return fixture, {"invoice_id": inv["id"], "amount": amount}, "negative"


def _refund_legacy_paid(rng):
    fixture, inv = _refund_world(rng)
    inv["paid"] = float(inv["total"])
    amount = f"{price(rng, 5, 40):.2f}"
    return fixture, {"invoice_id": inv["id"], "amount": amount}, "legacy-record"


# --- payments --------------------------------------------------------------------------------

def _payment(rng, inv, known=True):
    return {"invoice_id": inv["id"] if known else inv["id"] + rng.randrange(1, 500),
            "amount": f"{inv['total']:.2f}", "reference": f"pay_{rng.getrandbits(32):08x}"}


def _payment_unknown(rng):
    c = customer(rng)
    inv = invoice(rng, c["id"])
    return world(rng, c, invoices=[inv]), _payment(rng, inv, known=False), "deleted-record"


def _payment_twice(rng):
    c = customer(rng)
    inv = invoice(rng, c["id"], status=rng.choice(["paid", "void", "refunded"]))
    return world(rng, c, invoices=[inv]), _payment(rng, inv), "duplicate-delivery"


def _payment_timeout(rng):
    c = customer(rng)
    inv = invoice(rng, c["id"], card_token=f"tok_slow_{rng.getrandbits(24):06x}")
    return world(rng, c, invoices=[inv]), _payment(rng, inv), "upstream-timeout"


def _payment_declined(rng):
    c = customer(rng)
    inv = invoice(rng, c["id"], card_token=f"tok_decline_{rng.getrandbits(24):06x}")
    return world(rng, c, invoices=[inv]), _payment(rng, inv), "upstream-declined"


# --- receipts and reminders ------------------------------------------------------------------

def _receipt_no_customer(rng):
    c = customer(rng)
    inv = invoice(rng, c["id"] + rng.randrange(1, 50), status="paid")
    return world(rng, c, invoices=[inv]), {"invoice_id": inv["id"]}, "deleted-customer"


def _reminder_stale(rng):
    c = customer(rng)
    inv = invoice(rng, c["id"])
    return (world(rng, c, invoices=[inv]), {"invoice_id": inv["id"] + rng.randrange(1, 300)},
            "deleted-record")


def _reminder_no_customer(rng):
    c = customer(rng)
    inv = invoice(rng, c["id"] + rng.randrange(1, 50))
    return world(rng, c, invoices=[inv]), {"invoice_id": inv["id"]}, "deleted-customer"


def _reminder_locale(rng):
    c = customer(rng, locale=rng.choice(UNKNOWN_LOCALES))
    inv = invoice(rng, c["id"])
    return world(rng, c, invoices=[inv]), {"invoice_id": inv["id"]}, "unknown-code"


def _reminder_no_due(rng):
    c = customer(rng)
    inv = invoice(rng, c["id"], due=None)
    return world(rng, c, invoices=[inv]), {"invoice_id": inv["id"]}, "null-field"


# --- reports ---------------------------------------------------------------------------------

def _average_none(rng):
    c, other = customer(rng), customer(rng)
    invs = [invoice(rng, other["id"]) for _ in range(rng.randrange(1, 4))]
    return world(rng, c, other, invoices=invs), {"customer_id": c["id"]}, "empty"


def _top_empty(rng):
    region = rng.choice(REGIONS)
    c = customer(rng, region=rng.choice([r for r in REGIONS if r != region]))
    invs = [invoice(rng, c["id"]) for _ in range(rng.randrange(1, 3))]
    fixture = {"customers": [c], "invoices": invs, "coupons": {}}
    return fixture, {"region": region}, "empty"


def _aging_no_due(rng):
    c = customer(rng)
    invs = [invoice(rng, c["id"]) for _ in range(rng.randrange(0, 3))]
    invs.append(invoice(rng, c["id"], due=None))
    rng.shuffle(invs)
    today = (datetime.date(2026, 6, 1) + datetime.timedelta(days=rng.randrange(0, 180))).isoformat()
    return world(rng, c, invoices=invs), {"today": today}, "null-field"


# --- imports ---------------------------------------------------------------------------------

def _csv_line(rng, cid, qty=None, short=False):
    sku = rng.choice(SKUS)
    qty = qty if qty is not None else rng.randrange(1, 9)
    cols = [sku, sku.replace("-", " ").title(), str(qty), f"{price(rng):.2f}", str(cid)]
    return ";".join(cols[:4] if short else cols)


def _csv(rng, bad):
    cid = rng.randrange(100, 9999)
    lines = ["sku;title;qty;price;customer"]
    lines += [_csv_line(rng, cid) for _ in range(rng.randrange(0, 3))]
    lines.append(bad(cid))
    lines += [_csv_line(rng, cid) for _ in range(rng.randrange(0, 2))]
    return "\n".join(lines)


def _csv_short(rng):
    return world(rng), {"text": _csv(rng, lambda cid: _csv_line(rng, cid, short=True))}, "short-row"


def _csv_qty(rng):
    qty = rng.choice(["two", "1.5", "3 pcs", "", "x", "10%", "n/a"])
    return (world(rng), {"text": _csv(rng, lambda cid: _csv_line(rng, cid, qty=qty))},
            "number-as-text")


def _json_bad(rng):
    body = rng.choice([
        "{'items': [{'sku': 'audit'}]}", '{"items": [', "", "items=3",
        '{"items": [{"sku": "dev-hour", "qty": 2,}]}', "<items/>", '{"items": [] "x": 1}'])
    body = body.replace("audit", rng.choice(SKUS)).replace("3", str(rng.randrange(2, 9)))
    return world(rng), {"body": body}, "malformed-json"


# --- exports ---------------------------------------------------------------------------------

def _export_legacy(rng):
    c = customer(rng)
    iid = rng.randrange(1001, 99999)
    number = rng.choice([f"{2015 + iid % 8}/{iid % 1000:04d}", f"{iid}", f"R{iid:05d}"])
    inv = invoice(rng, c["id"], iid=iid, number=number, status="paid")
    return world(rng, c, invoices=[inv]), {"invoice_id": iid}, "legacy-record"


def _export_accented(rng):
    c = customer(rng, name=rng.choice(ACCENTED))
    inv = invoice(rng, c["id"], status="paid")
    return world(rng, c, invoices=[inv]), {"invoice_id": inv["id"]}, "non-ascii"


def _export_mononym(rng):
    c = customer(rng, name=rng.choice(MONONYMS))
    inv = invoice(rng, c["id"], status="paid")
    return world(rng, c, invoices=[inv]), {"invoice_id": inv["id"]}, "single-word"


BUGS: tuple[Bug, ...] = (
    Bug("store.get_customer/CustomerNotFound-order-for-deleted-customer",
        "store.get_customer:raise", "create_invoice", ("CustomerNotFound",), _unknown_customer,
        kind="own exception, varying message"),
    Bug("parsing.parse_due_date/ValueError-due-date-not-iso", "parsing.parse_due_date:strptime",
        "create_invoice", ("ValueError",), _due_format, kind="parsing (standard library raises)"),
    Bug("pricing.line_total/TypeError-quantity-as-text", "pricing.line_total:qty*price",
        "create_invoice", ("TypeError",), _qty_text, kind="arithmetic on a wrong type"),
    Bug("pricing.line_total/TypeError-shipping-null", "pricing.line_total:+shipping",
        "create_invoice", ("TypeError",), _shipping_null,
        kind="arithmetic on None (same type, same function as quantity-as-text)"),
    Bug("pricing.apply_discount/ZeroDivisionError-coupon-without-minimum",
        "pricing.apply_discount:subtotal/min_spend", "create_invoice", ("ZeroDivisionError",),
        _coupon_zero_min, kind="division by zero"),
    Bug("pricing.apply_discount/KeyError-fixed-amount-coupon", "pricing.apply_discount:percent",
        "create_invoice", ("KeyError",), _coupon_fixed, kind="KeyError on own dict"),
    Bug("pricing.apply_discount/TypeError-unknown-coupon",
        "pricing.apply_discount:subtotal/min_spend", "create_invoice", ("TypeError",),
        _coupon_unknown,
        kind="None returned by own lookup (same line as coupon-without-minimum)"),
    Bug("pricing.convert/KeyError-unknown-currency", "pricing.convert:RATES",
        "create_invoice", ("KeyError",), _currency_unknown, kind="KeyError, message varies"),
    Bug("billing.create_invoice/ValidationError-credit-lines-exceed-total",
        "billing.create_invoice:total<=0", "create_invoice", ("ValidationError",), _credit_total,
        kind="own exception, fixed message shared with refund"),
    Bug("parsing.parse_amount/AttributeError-refund-without-amount", "parsing.parse_amount:strip",
        "refund", ("AttributeError",), _refund_missing_amount, kind="attribute of None"),
    Bug("parsing.parse_amount/InvalidOperation-amount-with-currency",
        "parsing.parse_amount:strip", "refund", ("InvalidOperation",), _refund_amount_text,
        kind="parsing (same line as refund-without-amount)"),
    Bug("billing.refund/ValidationError-nonpositive-refund", "billing.refund:value<=0", "refund",
        ("ValidationError",), _refund_nonpositive,
        kind="own exception, same message as credit-lines-exceed-total"),
    Bug("billing.refund/TypeError-legacy-float-paid", "billing.refund:paid-value", "refund",
        ("TypeError",), _refund_legacy_paid, kind="float minus Decimal"),
    Bug("store.get_invoice/InvoiceNotFound-payment-for-unknown-invoice",
        "billing.apply_payment:get_invoice", "apply_payment", ("InvoiceNotFound",),
        _payment_unknown, kind="own exception, varying message"),
    Bug("billing.apply_payment/AssertionError-invoice-not-open", "billing.apply_payment:assert",
        "apply_payment", ("AssertionError",), _payment_twice, kind="assertion, varying message"),
    Bug("billing.charge/PaymentFailed-processor-timeout", "billing.charge:gateway.charge",
        "apply_payment", ("TimeoutError", "PaymentFailed"), _payment_timeout,
        kind="re-raised as own exception"),
    Bug("billing.charge/PaymentFailed-declined-without-auth-code", "billing.charge:auth_code",
        "apply_payment", ("KeyError", "PaymentFailed"), _payment_declined,
        kind="re-raised as own exception (same raise line as processor-timeout)"),
    Bug("billing.send_receipt/AttributeError-receipt-for-deleted-customer",
        "billing.send_receipt:customer.email", "send_receipt", ("AttributeError",),
        _receipt_no_customer, kind="attribute of None returned by own lookup"),
    Bug("store.get_invoice/InvoiceNotFound-reminder-for-removed-invoice",
        "notify.send_reminder:get_invoice", "send_reminder", ("InvoiceNotFound",), _reminder_stale,
        kind="own exception from the same raise as payment-for-unknown-invoice"),
    Bug("notify.send_reminder/AttributeError-reminder-for-deleted-customer",
        "notify.send_reminder:customer.email", "send_reminder", ("AttributeError",),
        _reminder_no_customer, kind="attribute of None, same message as receipt's"),
    Bug("notify.render_template/KeyError-no-template-for-locale",
        "notify.render_template:TEMPLATES", "send_reminder", ("KeyError",), _reminder_locale,
        kind="KeyError on own dict, message varies"),
    Bug("notify.render_template/KeyError-reminder-without-due-date",
        "notify.render_template:format", "send_reminder", ("KeyError",), _reminder_no_due,
        kind="KeyError (same type, same function as no-template-for-locale)"),
    Bug("reports.average_invoice/ZeroDivisionError-customer-without-invoices",
        "reports.average_invoice:len", "average", ("ZeroDivisionError",), _average_none,
        kind="division by zero, same message as coupon-without-minimum"),
    Bug("reports.top_customer/IndexError-region-without-revenue", "reports.top_customer:ranked[0]",
        "top", ("IndexError",), _top_empty, kind="IndexError on own list"),
    Bug("reports.aging/TypeError-open-invoice-without-due-date", "reports.aging:day-due", "aging",
        ("TypeError",), _aging_no_due, releases=(0, 1, 2), kind="date minus None (fixed in 2.1.0)"),
    Bug("parsing.parse_csv_line/IndexError-short-row", "parsing.parse_csv_line:cols[4]",
        "import_csv", ("IndexError",), _csv_short,
        kind="IndexError, same message as region-without-revenue; moves to a helper in 2.0.0"),
    Bug("parsing.parse_csv_line/ValueError-quantity-not-integer", "parsing.parse_csv_line:int(qty)",
        "import_csv", ("ValueError",), _csv_qty, kind="parsing, message varies"),
    Bug("imports.import_json/ImportFailed-malformed-json", "imports.import_json:json.loads",
        "import_json", ("JSONDecodeError", "ImportFailed"), _json_bad,
        kind="re-raised as own exception"),
    Bug("export.push_invoice/ExportError-legacy-invoice-number", "export.push_invoice:split",
        "push_invoice", ("IndexError", "ExportError"), _export_legacy,
        kind="re-raised as own exception"),
    Bug("export.pdf_filename/UnicodeEncodeError-non-ascii-name", "export.pdf_filename:encode",
        "push_invoice", ("UnicodeEncodeError",), _export_accented, kind="encoding, message varies"),
    Bug("customers.split_name/ValueError-single-word-name", "customers.split_name:unpack",
        "push_invoice", ("ValueError",), _export_mononym, releases=(2, 3),
        kind="introduced by the 2.0.0 refactor"),
)
BY_ID = {bug.id: bug for bug in BUGS}
