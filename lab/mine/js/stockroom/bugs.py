"""The stockroom service's bugs: one root cause each, a statement of the service's own code that
fails one way for one kind of input (docs/corpus.md, "stockroom"). Each names its site (module
and function as release 1 calls them, and the statement), the route that reaches it, the
releases it is in, the entry points that call that route, and the families of input that hit it,
each drawing a fresh input per event."""

from __future__ import annotations

from random import Random

from lab.mine.js import service

ALL = (1, 2, 3, 4)
STOCK = {  # lib/store.js: sku -> warehouse -> on hand
    "SKU-1001": {"main": 12, "east": 3},
    "SKU-1002": {"main": 4, "west": 1},
    "SKU-1003": {"main": 140, "east": 60, "west": 25},
    "SKU-1004": {"main": 30},
    "SKU-1005": {"main": 75, "west": 9},
}
SKUS = sorted(STOCK)
EMAILS = ("ops", "buyer", "stores", "it", "admin", "purchasing")
DOMAINS = ("northwind", "contoso", "fabrikam", "tailspin", "litware", "adatum")
WORDS = ("shelving", "steel", "labels", "safety", "handling", "consumables", "outdoor", "cold")

# Entry points that reach a route (the web API, partner API, RPC queue, jobs, CLI).
API = ("express", "koa", "http")
SCAN = ("express", "http", "worker")
STOCK_ENTRIES = ("express", "koa", "worker")
ORDER_ENTRIES = ("express", "koa", "cli")
JOBS = ("http", "worker", "cli")
OPS = ("express", "worker", "cli")

Make = service.Make


class Bug(service.Bug):
    """A fault of stockroom."""

    NAME = "stockroom"


def numbered(template: str, number: int) -> str:
    """A document's text with its number (N) filled in (the text may be malformed on purpose)."""
    return template.replace("N", str(number))


def unknown_sku(rng: Random) -> str:
    return f"SKU-{rng.randint(2000, 9999)}"


def email(rng: Random) -> str:
    return f"{rng.choice(EMAILS)}{rng.randint(1, 99)}@{rng.choice(DOMAINS)}.example"


def lines(rng: Random) -> list[dict]:
    return [{"sku": sku, "qty": rng.randint(1, 5)} for sku in rng.sample(SKUS, rng.randint(1, 3))]


def reserve_ok(rng: Random) -> dict:
    sku = rng.choice(SKUS)
    return {"sku": sku, "warehouse": rng.choice(sorted(STOCK[sku])), "qty": 1}


def quote(rng: Random, **extra) -> dict:
    return {
        "lines": lines(rng),
        "currency": rng.choice(("EUR", "USD", "GBP")),
        "country": rng.choice(("DE", "FR", "GB", "US")),
        **extra,
    }


def overdraw(rng: Random) -> dict:
    base = reserve_ok(rng)
    return {**base, "qty": STOCK[base["sku"]][base["warehouse"]] + rng.randint(1, 40)}


def chart(rng: Random) -> dict:
    sku = rng.choice(SKUS)
    return {"warehouse": "main", "adjustments": {sku: -(STOCK[sku]["main"] + rng.randint(1, 20))}}


def csv_rows(rng: Random, broken: dict) -> dict:
    rows = [
        {"sku": sku, "name": f"{rng.choice(WORDS)} kit", "qty": rng.randint(1, 9)}
        for sku in rng.sample(SKUS, 2)
    ]
    rows.insert(rng.randint(0, 2), broken)
    return {"rows": rows}


BUGS: tuple[Bug, ...] = (
    # catalog
    Bug(
        "catalog/getItem:sku",
        "NotFoundError",
        "catalog/item",
        ORDER_ENTRIES,
        (
            ("unknown-sku", lambda r: {"sku": unknown_sku(r)}),
            ("legacy-sku", lambda r: {"sku": f"SKU-{r.randint(10, 999)}"}),
            ("lowercase-sku", lambda r: {"sku": f"sku-{r.randint(1001, 1005)}"}),
        ),
    ),
    Bug(
        "catalog/unitBySerial:serial",
        "SyntaxError",
        "catalog/unit",
        SCAN,
        (
            ("prefixed-serial", lambda r: {"serial": f"SN-{r.randint(1000, 99999)}"}),
            ("spaced-serial", lambda r: {"serial": f"{r.randint(100, 999)} {r.randint(100, 999)}"}),
        ),
    ),
    Bug(
        "catalog/unitBySerial:serial",
        "RangeError",
        "catalog/unit",
        SCAN,
        (
            ("fractional-serial", lambda r: {"serial": r.randint(1000, 99999) + 0.5}),
            ("scanned-decimal", lambda r: {"serial": round(r.uniform(1, 999), 2) + 0.01}),
        ),
    ),
    Bug(
        "catalog/unitBySerial:serial",
        "TypeError",
        "catalog/unit",
        SCAN,
        (
            ("missing-serial", lambda r: {"batch": r.randint(1, 99)}),
            ("null-serial", lambda r: {"serial": None, "batch": r.randint(1, 99)}),
        ),
    ),
    Bug(
        "catalog/searchItems:tags",
        "TypeError",
        "catalog/search",
        API,
        (
            (
                "tag-as-string",
                lambda r: {"tags": r.choice(WORDS), "maxPrice": r.randint(500, 50000)},
            ),
            ("tags-as-object", lambda r: {"tags": {r.choice(WORDS): True}}),
        ),
    ),
    Bug(
        "catalog/searchItems:supplier",
        "TypeError",
        "catalog/search",
        API,
        (
            ("supplier", lambda r: {"supplier": r.choice(("acme", "wrapit", "Lift&Co", "nordic"))}),
            (
                "supplier-and-tags",
                lambda r: {"supplier": r.choice(("acme", "wrapit")), "tags": ["consumables"]},
            ),
        ),
        releases=(1, 2, 3),
    ),
    # inventory
    Bug(
        "inventory/reserveStock:qty",
        "ValidationError",
        "stock/reserve",
        STOCK_ENTRIES,
        (
            ("zero-qty", lambda r: {**reserve_ok(r), "qty": 0}),
            ("negative-qty", lambda r: {**reserve_ok(r), "qty": -r.randint(1, 20)}),
            ("qty-as-string", lambda r: {**reserve_ok(r), "qty": str(r.randint(1, 9))}),
        ),
    ),
    Bug(
        "inventory/reserveStock:sku",
        "NotFoundError",
        "stock/reserve",
        STOCK_ENTRIES,
        (("unknown-sku", lambda r: {"sku": unknown_sku(r), "qty": r.randint(1, 5)}),),
    ),
    Bug(
        "inventory/reserveStock:warehouse",
        "TypeError",
        "stock/reserve",
        STOCK_ENTRIES,
        (
            (
                "unknown-warehouse",
                lambda r: {
                    "sku": r.choice(SKUS),
                    "qty": r.randint(1, 3),
                    "warehouse": r.choice(("north", "south", "dock-2")),
                },
            ),
        ),
    ),
    Bug(
        "inventory/reserveStock:onHand",
        "ConflictError",
        "stock/reserve",
        STOCK_ENTRIES,
        (("overdraw", overdraw),),
    ),
    # orders
    Bug(
        "orders/createOrder:customer",
        "TypeError",
        "orders/create",
        ORDER_ENTRIES,
        (
            ("no-customer", lambda r: {"lines": lines(r)}),
            (
                "customer-without-email",
                lambda r: {"customer": {"name": r.choice(DOMAINS)}, "lines": lines(r)},
            ),
        ),
    ),
    Bug(
        "orders/createOrder:lines",
        "TypeError",
        "orders/create",
        ORDER_ENTRIES,
        (
            (
                "lines-as-map",
                lambda r: {
                    "customer": {"email": email(r)},
                    "lines": {r.choice(SKUS): r.randint(1, 5)},
                },
            ),
            ("no-lines", lambda r: {"customer": {"email": email(r)}}),
        ),
    ),
    Bug(
        "orders/createOrder:qty",
        "ValidationError",
        "orders/create",
        ORDER_ENTRIES,
        (
            (
                "zero-qty-line",
                lambda r: {
                    "customer": {"email": email(r)},
                    "lines": [*lines(r), {"sku": r.choice(SKUS), "qty": 0}],
                },
            ),
            (
                "fractional-qty-line",
                lambda r: {
                    "customer": {"email": email(r)},
                    "lines": [{"sku": r.choice(SKUS), "qty": 1.5}],
                },
            ),
        ),
    ),
    Bug(
        "orders/getOrder:id",
        "NotFoundError",
        "orders/get",
        API,
        (
            ("unknown-id", lambda r: {"id": r.randint(2000, 99999)}),
            ("external-ref", lambda r: {"id": f"PO-{r.randint(100, 9999)}"}),
        ),
    ),
    Bug(
        "orders/cancelOrder:status",
        "ConflictError",
        "orders/cancel",
        OPS,
        (
            (
                "closed-order",
                lambda r: {
                    "id": r.choice((1002, 1003, 1005)),
                    "reason": r.choice(("duplicate", "customer", "fraud")),
                },
            ),
        ),
    ),
    # pricing
    Bug(
        "pricing/priceOrder:discountCode",
        "TypeError",
        "orders/quote",
        API,
        (
            ("unknown-code", lambda r: quote(r, discountCode=f"WINTER{r.randint(10, 30)}")),
            ("lowercase-code", lambda r: quote(r, discountCode=r.choice(("spring10", "staff")))),
        ),
    ),
    Bug(
        "pricing/priceOrder:precision",
        "RangeError",
        "orders/quote",
        API,
        (
            ("precision-too-large", lambda r: quote(r, precision=r.randint(101, 400))),
            ("negative-precision", lambda r: quote(r, precision=-r.randint(1, 5))),
        ),
    ),
    Bug(
        "pricing/priceOrder:lines",
        "NotFoundError",
        "orders/quote",
        API,
        (("unknown-line-sku", lambda r: quote(r, lines=[{"sku": unknown_sku(r), "qty": 1}])),),
    ),
    Bug(
        "pricing/computeTax:country",
        "TypeError",
        "orders/quote",
        API,
        (
            ("untaxed-country", lambda r: quote(r, country=r.choice(("ES", "JP", "BR", "IT")))),
            ("lowercase-country", lambda r: quote(r, country=r.choice(("de", "fr")))),
        ),
    ),
    Bug(
        "pricing/formatMoney:currency",
        "RangeError",
        "orders/quote",
        API,
        (
            (
                "invalid-currency",
                lambda r: quote(
                    r, currency=r.choice(("EURO", "DOLLAR", "E", "PND")[:3]) + str(r.randint(1, 9))
                ),
            ),
        ),
    ),
    Bug(
        "pricing/formatMoney:currency",
        "TypeError",
        "orders/quote",
        API,
        (("no-currency", lambda r: {k: v for k, v in quote(r).items() if k != "currency"}),),
    ),
    # shipping
    Bug(
        "shipping/parseDimensions:dims",
        "TypeError",
        "shipping/dimensions",
        SCAN,
        (
            ("dims-as-number", lambda r: {"dims": r.randint(10, 900), "country": "DE"}),
            (
                "dims-as-list",
                lambda r: {
                    "dims": [r.randint(1, 99) for _ in range(3)],
                    "country": r.choice(("FR", "US")),
                },
            ),
        ),
    ),
    Bug(
        "shipping/parseDimensions:part",
        "ValidationError",
        "shipping/dimensions",
        SCAN,
        (
            (
                "negative-part",
                lambda r: {"dims": f"{r.randint(1, 99)}x-{r.randint(1, 9)}x5", "country": "DE"},
            ),
            (
                "unit-suffix",
                lambda r: {"dims": f"{r.randint(1, 99)}cmx{r.randint(1, 99)}x3", "country": "NL"},
            ),
        ),
    ),
    Bug(
        "shipping/zoneFor:parent",
        "RangeError",
        "shipping/dimensions",
        SCAN,
        (
            (
                "territory",
                lambda r: {
                    "dims": f"{r.randint(5, 90)}x{r.randint(5, 90)}x10",
                    "country": r.choice(("GI", "GB-OT")),
                },
            ),
        ),
    ),
    Bug(
        "shipping/buildLabel:lines",
        "TypeError",
        "shipping/label",
        ("koa", "worker", "cli"),
        (
            (
                "no-address-lines",
                lambda r: {
                    "orderId": r.randint(1000, 9999),
                    "shipTo": {"country": r.choice(("DE", "GB", "US"))},
                },
            ),
            ("no-ship-to", lambda r: {"orderId": r.randint(1000, 9999)}),
        ),
    ),
    # suppliers
    Bug(
        "suppliers/importFeed:feed",
        "ServiceError",
        "suppliers/import",
        JOBS,
        (
            (
                "truncated-json",
                lambda r: {
                    "supplier": r.choice(DOMAINS),
                    "feed": numbered('{"items": [{"qty": N}', r.randint(1, 99)),
                },
            ),
            (
                "csv-feed",
                lambda r: {
                    "supplier": r.choice(DOMAINS),
                    "feed": f"sku,qty\nSKU-1001,{r.randint(1, 99)}",
                },
            ),
        ),
        cause="SyntaxError",
    ),
    Bug(
        "suppliers/importFeed:feed",
        "ServiceError",
        "suppliers/import",
        JOBS,
        (
            (
                "products-not-items",
                lambda r: {
                    "supplier": r.choice(DOMAINS),
                    "feed": numbered('{"products": [{"qty": N}]}', r.randint(1, 99)),
                },
            ),
            ("null-feed", lambda r: {"supplier": r.choice(DOMAINS), "feed": "null"}),
        ),
        cause="TypeError",
    ),
    # admin settings
    Bug(
        "config/applySettings:text",
        "SyntaxError",
        "admin/settings",
        ("express", "cli"),
        (
            (
                "trailing-comma",
                lambda r: {"text": numbered('{"limits": {"maxLines": N},}', r.randint(10, 99))},
            ),
            (
                "single-quotes",
                lambda r: {"text": numbered("{'limits': {'maxQty': N}}", r.randint(10, 99))},
            ),
        ),
    ),
    Bug(
        "config/applySettings:limits",
        "TypeError",
        "admin/settings",
        ("express", "cli"),
        (
            ("no-limits", lambda r: {"text": numbered('{"timeoutMs": N}', r.randint(100, 9000))}),
            (
                "null-limits",
                lambda r: {"text": numbered('{"limits": null, "rev": N}', r.randint(1, 99))},
            ),
        ),
    ),
    # reports
    Bug("reports/stockChart:bar", "RangeError", "reports/chart", OPS, (("negative-stock", chart),)),
    Bug(
        "reports/exportCsv:name",
        "TypeError",
        "reports/csv",
        ("worker", "cli"),
        (
            (
                "row-without-name",
                lambda r: csv_rows(r, {"sku": r.choice(SKUS), "qty": r.randint(1, 9)}),
            ),
        ),
    ),
    Bug(
        "reports/summarize:days",
        "RangeError",
        "reports/summary",
        ("koa", "worker", "cli"),
        (
            ("negative-days", lambda r: {"days": -r.randint(1, 30)}),
            ("fractional-days", lambda r: {"days": r.randint(1, 30) + 0.5}),
        ),
        releases=(2, 3, 4),
    ),
)
