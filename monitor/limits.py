"""The fixed bounds in code, each under one name that says what it bounds (the configurable
ones are settings; docs/limits.md lists both). The module that applies a bound reads it from here
as `limits.NAME` at the use site, never through a module-level alias (which would hide the
reader from the "read in" column and from a patch of this table). docs/limits.md's table of them
is rendered from this file (`python -m monitor.limits` prints it; tests/monitor/test_limits.py
checks that the page agrees and that every bound is used): the `#:` line above a name says what
it bounds."""

from __future__ import annotations

import ast
import re
from pathlib import Path

# ## Event normalization (ingest)
#: characters of a string in an event
EVENT_STRING_CHARS = 4096
#: characters of a message
EVENT_MESSAGE_CHARS = 8192
#: frames per stack trace: the oldest FRAMES_HEAD and the newest rest are kept
EVENT_FRAMES_PER_STACK = 250
#: exceptions of a chain (the most recent ones)
EVENT_EXCEPTIONS = 25
#: threads
EVENT_THREADS = 50
#: breadcrumbs
EVENT_BREADCRUMBS = 100
#: tags
EVENT_TAGS = 100
#: nesting depth of free-form data
EVENT_NESTING_DEPTH = 6
#: items per list or object of free-form data
EVENT_CONTAINER_ITEMS = 100
#: seconds an event's timestamp may lie ahead of its arrival
EVENT_FUTURE_SECONDS = 60
#: characters of a tag value (IssueTag.value)
EVENT_TAG_VALUE_CHARS = 200
#: characters of a title (Event.title, Issue.title)
EVENT_TITLE_CHARS = 255
#: debug_meta images read
EVENT_DEBUG_IMAGES = 500
#: characters of a User-Agent parsed (longer ones are cut first: bounded regex input)
USER_AGENT_CHARS = 512
#: characters of a log message template
LOG_TEMPLATE_CHARS = 8192
#: width and precision of one placeholder
LOG_PLACEHOLDER_WIDTH = 64
#: characters of one parameter's text
LOG_PARAM_CHARS = 1024
#: placeholders of a template
LOG_PLACEHOLDERS = 64
#: characters of a formatted message
LOG_OUTPUT_CHARS = 8192

# ## Ingest edge and queue
#: bytes of an envelope's header line (read before the sender is known) and of each item's
ENVELOPE_HEADER_BYTES = 64 * 1024
#: levels of JSON nesting in a payload (Relay's reader, serde_json, stops at 128 too); read
#: before parsing, so a body the edge accepts is never too deep for the worker's own stack
JSON_NESTING = 128
#: characters of the client name a legacy client's `sentry_client` or User-Agent gives as the
#: event's `sdk` (a longer one names none)
SDK_CLIENT_NAME_CHARS = 64
#: characters of that client's version
SDK_CLIENT_VERSION_CHARS = 32
#: CSP reports of one Reporting API request
CSP_REPORTS_PER_REQUEST = 100
#: content codings stacked in one request's Content-Encoding (each may decompress to the limit)
CONTENT_CODINGS = 2
#: zstd frames concatenated in one request body
ZSTD_FRAMES = 256
#: bytes of a zstd frame's window (its decoder's buffer; SDKs' compressors use at most 8 MiB)
ZSTD_WINDOW_BYTES = 8 * 1024 * 1024
#: bytes of body a request holds before it draws on its web process's INGEST_BODY_MEMORY
BODY_FREE_BYTES = 1024 * 1024
#: seconds a request waits for INGEST_BODY_MEMORY to have room before its 503
BODY_MEMORY_WAIT_SECONDS = 2
#: DSN keys a web process remembers for authenticating while PostgreSQL is away
KEY_SNAPSHOT_KEYS = 50_000
#: bytes of one spool record (a longer length is corruption, not a record)
SPOOL_RECORD_BYTES = 256 * 1024 * 1024
#: tries at processing one event before it is a dead letter
PROCESSING_ATTEMPTS = 5
#: characters of a feedback comment
FEEDBACK_COMMENT_CHARS = 8192

# ## Grouping and embeddings
#: characters of a context line in a fingerprint
FINGERPRINT_CONTEXT_LINE_CHARS = 120
#: post-context lines read to close a statement the context line opens
FINGERPRINT_CONTINUATION_LINES = 3
#: names an error's first line quotes that a fingerprint looks for in the crash statement
#: (faultline-fp-6's Ruby names)
FINGERPRINT_QUOTED_NAMES = 8
#: characters parameterized; the rest is cut (fingerprints need the start)
PARAMETERIZE_INPUT_CHARS = 4096
#: frames in the text the embedder reads
EMBED_FRAMES = 6
#: exceptions in the text the embedder reads
EMBED_EXCEPTIONS = 3
#: frames scanned to choose them
EMBED_SCAN_FRAMES = 400
#: exceptions scanned to choose them
EMBED_SCAN_EXCEPTIONS = 25
#: characters of the message in that text
EMBED_MESSAGE_CHARS = 160
#: characters of a context line in that text
EMBED_CONTEXT_CHARS = 100
#: characters of that text, about the model's 256-token window
EMBED_TEXT_CHARS = 1000
#: characters of a header or crash line read (cleaned lines are shorter)
CONFLICT_LINE_CHARS = 400
#: characters of a crash-site key stored (IssueEmbedding.match_key; longer keys keep their
#: start and a SHA-1 of the whole)
MATCH_KEY_CHARS = 255
#: characters of the crash line a rename-path statement reads (grouping.rename)
RENAME_LINE_CHARS = 200
#: characters of a fingerprint's site function kept (GroupHash.site_function)
SITE_FUNCTION_CHARS = 255
#: characters of the base name of a fingerprint's site file kept (GroupHash.site_file)
SITE_FILE_CHARS = 255
#: characters of a release the rename path records (as an event's release column)
RELEASE_CHARS = 200
#: issues of one crash statement whose release evidence one rename-path lookup reads: the
#: nearest within its distance (SDKs decide how many issues share a statement)
RENAME_CANDIDATES_CHECKED = 20
#: fingerprints of a candidate issue the rename path's evidence reads; an issue with more
#: (merges, joins) is not its candidate
RENAME_FINGERPRINTS_READ = 1000
#: similar issues listed by the API
SIMILAR_ISSUES_LISTED = 50
#: rows a grouping-triage list returns
TRIAGE_LISTED = 200

# ## Source maps
#: characters of a resolved source line
SYMBOLICATE_LINE_CHARS = 1024
#: characters of a resolved function name
SYMBOLICATE_NAME_CHARS = 512
#: characters of a resolved exception type (as normalize keeps one)
SYMBOLICATE_TYPE_CHARS = 256
#: class names remembered per parsed map
SYMBOLICATE_CLASSES_PER_MAP = 1024
#: declarations indexed per minified file; past it, one search per name
SYMBOLICATE_DECLARATIONS_PER_FILE = 4096
#: bytes a source map's `sourceRoot` adds when symbolic's reader joins it to each of its
#: sources as it parses (a 100 KB root and 3,000 sources: 290 MiB from 109 KB)
SOURCEMAP_ROOT_JOIN_BYTES = 16 * 1024 * 1024
#: redirects followed when fetching a minified file or map (within the allowed origins)
SOURCE_FETCH_REDIRECTS = 3
#: files a project's events may fetch from its site per minute, all workers together (Valkey)
SOURCE_FETCH_PROJECT_FILES_PER_MINUTE = 60
#: seconds one project's fetches may spend dialling per minute, shared by every worker
SOURCE_FETCH_PROJECT_SECONDS_PER_MINUTE = 20

# ## Privacy
#: characters scrubbed at once; a longer text is scrubbed in pieces of this size
PII_SCRUB_PIECE_CHARS = 200_000
#: characters of a line given to name recognition; longer lines are cut into pieces of this size
PII_NER_LINE_CHARS = 2000

# ## Search, issues and alerts
#: characters of a search
SEARCH_QUERY_CHARS = 512
#: terms of a search
SEARCH_TERMS = 16
#: characters of a search term's value
SEARCH_VALUE_CHARS = 200
#: `*` per value: each is a `.*` the database must try
SEARCH_WILDCARDS_PER_VALUE = 4
#: a project's values of a release or environment read to resolve a `*` pattern against
#: (monitor.issues.matching_values); a project with more is matched issue by issue
SEARCH_WILDCARD_VALUES = 1000
#: queued values a pruning transaction checks (monitor.tag_values: each a probe of the
#: project's tag counts; their advisory locks are held until it commits)
TAG_VALUE_CHECKS = 500
#: pruning transactions a run takes at most (the rest of a backlog waits for the next run)
TAG_VALUE_CHECK_BATCHES = 100
#: search suggestions offered
SEARCH_SUGGESTIONS = 10
#: issues whose tag values suggestions are drawn from (the project's most recently seen)
SEARCH_SUGGESTION_ISSUES = 500
#: tag-count rows read for the suggestions of one token
SEARCH_SUGGESTION_ROWS = 10000
#: matching issues the stream and the API's issue list count ("1,000+" beyond)
STREAM_COUNT = 1000
#: minutes an issue may be ignored for
IGNORE_MINUTES = 366 * 24 * 60
#: events or users an ignore may wait for
IGNORE_COUNT = 10**9
#: an alert fact's count (AlertFact.count's column)
ALERT_FACT_COUNT = 2**31 - 1
#: characters of an issue comment
ISSUE_COMMENT_CHARS = 10000
#: addresses of an email destination
ALERT_EMAIL_ADDRESSES = 50
#: releases per API page
RELEASES_PER_PAGE = 100
#: issues per project read for severity-learning labels
SEVERITY_LABEL_ISSUES_PER_PROJECT = 1000

# ## Accounts and projects
#: characters of an email address
EMAIL_CHARS = 254
#: characters of an invitation token read (an id, a timestamp and a signature are far shorter)
INVITATION_TOKEN_CHARS = 200
#: extra key names a project scrubs
PROJECT_SCRUB_KEYS = 100
#: personal API tokens of one user, live and expired together (rows, and the account page's list)
API_TOKENS_PER_USER = 50
#: characters of a bearer secret read (a user token is 71)
AUTH_SECRET_CHARS = 512

# ## Issue page
#: frames shown per stack trace
PAGE_FRAMES = 500
#: exceptions shown
PAGE_EXCEPTIONS = 20
#: longest recursion cycle (in frames) that is recognised
PAGE_RECURSION_PERIOD = 8
#: local variables shown per frame
PAGE_FRAME_VARS = 50
#: characters of a local variable shown
PAGE_FRAME_VAR_CHARS = 400
#: characters of a frame's title
PAGE_FRAME_TITLE_CHARS = 200
#: breadcrumbs shown (the newest)
PAGE_BREADCRUMBS = 200
#: data items shown per breadcrumb
PAGE_BREADCRUMB_DATA_ITEMS = 20
#: pairs shown of a request's query, headers, cookies or data
PAGE_KEY_VALUE_PAIRS = 100
#: tag keys shown with their value distributions
PAGE_TAG_KEYS = 50
#: release marks on the events chart
PAGE_CHART_RELEASE_MARKS = 20
#: characters of the stream query carried back from the issue page
PAGE_STREAM_QUERY_CHARS = 2000
#: an issue's events counted for its page and the API's event list ("10,000+" beyond)
ISSUE_EVENTS_COUNT = 10000

# ## Assist
#: characters of one section of a generated answer
ASSIST_SECTION_CHARS = 600
#: exceptions of a chain in the brief
ASSIST_BRIEF_EXCEPTIONS = 5
#: characters of an exception value in the brief
ASSIST_BRIEF_VALUE_CHARS = 200
#: characters of a code line in the brief
ASSIST_BRIEF_CODE_CHARS = 160
#: values per tag in the brief
ASSIST_BRIEF_TAG_VALUES = 3
#: breadcrumbs in the prompt (the newest)
ASSIST_PROMPT_BREADCRUMBS = 5
#: characters of a breadcrumb in the prompt
ASSIST_PROMPT_CRUMB_CHARS = 120
#: characters of a tag value in the prompt
ASSIST_PROMPT_TAG_VALUE_CHARS = 60
#: characters of a note in the prompt
ASSIST_PROMPT_NOTE_CHARS = 400
#: projects searched for examples
ASSIST_EXAMPLE_PROJECTS = 50


ROOT = Path(__file__).resolve().parents[1]
USE = re.compile(r"\blimits\.([A-Z][A-Z0-9_]+)\b")


def table() -> list[tuple[str, str, int, str]]:
    """(section, name, value, what) for each bound, in the order of this file."""
    source = Path(__file__).read_text()
    lines = source.splitlines()
    rows, section = [], ""
    for node in ast.parse(source).body:
        if not isinstance(node, ast.Assign) or not isinstance(node.value, (ast.Constant,
                                                                           ast.BinOp)):
            continue
        name = node.targets[0].id
        if not name.isupper() or name == "ROOT":
            continue
        above, n = [], node.lineno - 2
        while n >= 0 and lines[n].startswith("#"):
            above.insert(0, lines[n])
            n -= 1
        for line in above:
            if line.startswith("# ## "):
                section = line[5:]
        what = " ".join(line[3:] for line in above if line.startswith("#: "))
        rows.append((section, name, globals()[name], what))
    return rows


def users() -> dict[str, list[str]]:
    """Bound name → the modules that read it (`limits.NAME`), from the source tree."""
    out: dict[str, list[str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"tests", ".venv", "var", "node_modules"} or path == Path(__file__):
            continue
        module = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        for name in set(USE.findall(path.read_text())):
            out.setdefault(name, []).append(module)
    return out


def markdown() -> str:
    """The reference table of docs/limits.md, section by section."""
    used = users()
    out, section = [], None
    for where, name, value, what in table():
        if where != section:
            out += ["", f"### {where}", "", "| name | value | bounds | read in |",
                    "|---|---|---|---|"]
            section = where
        modules = ", ".join(f"`{m}`" for m in used.get(name, []))
        out.append(f"| `{name}` | {value:,} | {what} | {modules} |")
    return "\n".join(out[1:]) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
