"""User-Agent parsing on the processing path: ua-parser's pure-Python resolver against its
`ua-parser-rs` accelerator, cold (every string new) and through ua-parser's cache.

Prints microseconds per User-Agent for each resolver and the cost it adds to normalizing one
browser event. Strings: realistic browser/OS/device templates with varied versions (no
uap-core test data, which the rules were written against).

    .venv/bin/python bench/useragent.py [--distinct 3000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ua_parser import BasicResolver, CachingResolver, Domain, Parser, load_builtins  # noqa: E402
from ua_parser.caching import S3Fifo as Cache  # noqa: E402  (ua-parser's default)

TEMPLATES = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{a}.0.{b}.{c} Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_{c}) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/{a}.{b} Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:{a}.0) Gecko/20100101 Firefox/{a}.{b}",
    "Mozilla/5.0 (iPhone; CPU iPhone OS {a}_{b} like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/{a}.{b} Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android {b}; SM-S9{c}B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{a}.0.{c}.{b} Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{a}.0.0.0 Safari/537.36 Edg/{a}.0.{b}.{c}",
    "Mozilla/5.0 (Linux; Android {b}; Pixel {c}) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{a}.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS {a}_{b} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "CriOS/{a}.0.{c}.{b} Mobile/15E148 Safari/604.1",
]


def agents(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = set()
    while len(out) < n:
        out.add(rng.choice(TEMPLATES).format(a=rng.randint(90, 145), b=rng.randint(0, 20),
                                             c=rng.randint(0, 999)))
    return sorted(out)


def per_agent_us(parser: Parser, strings: list[str]) -> float:
    start = time.perf_counter()
    for ua in strings:
        parser(ua, Domain.ALL).complete()
    return (time.perf_counter() - start) / len(strings) * 1e6


def main() -> None:
    cli = argparse.ArgumentParser()
    cli.add_argument("--distinct", type=int, default=3000)
    args = cli.parse_args()
    strings = agents(args.distinct)
    matchers = load_builtins()
    resolvers = {"basic (pure Python)": BasicResolver}
    try:
        from ua_parser.regex import Resolver as RegexResolver

        resolvers["regex (ua-parser-rs)"] = RegexResolver
    except ImportError:
        print("ua-parser-rs is not installed: only the pure-Python resolver is measured")
    traffic = [random.Random(1).choice(strings[:300]) for _ in range(20_000)]
    print(f"{len(strings)} distinct User-Agents; cached figures replay 20000 requests "
          "over 300 of them\n")
    for name, resolver in resolvers.items():
        started = time.perf_counter()
        raw = resolver(matchers)
        cold_parser = Parser(raw)
        cold_parser("warm-up", Domain.ALL)
        setup = time.perf_counter() - started
        cold = per_agent_us(cold_parser, strings[:500] if "basic" in name else strings)
        cached = per_agent_us(Parser(CachingResolver(raw, Cache(2000))), traffic)
        print(f"{name:24} set-up {setup * 1000:7.1f} ms  cold {cold:9.1f} µs/UA  "
              f"cached {cached:6.2f} µs/UA")

    import ua_parser

    from ingest.normalize import normalize_event

    for ua in strings[:300]:  # the process-wide parser, warmed as a long-lived worker's is
        ua_parser.parse(ua)

    event = {"platform": "javascript", "exception": {"values": [{"type": "TypeError",
             "value": "x is undefined"}]}}
    for user_agent in (None, strings[0]):
        start = time.perf_counter()
        for i in range(5000):
            normalize_event(event, 1.7e9, f"{i:032x}", user_agent=user_agent and strings[i % 300])
        took = (time.perf_counter() - start) / 5000 * 1e6
        print(f"normalize_event {'with' if user_agent else 'without'} User-Agent: {took:.1f} µs")


if __name__ == "__main__":
    main()
