"""A Node stack frame as @sentry/node sends one: file, function, code line, the SDK's `in_app`."""


def node_frame(path: str, function: str, line: str, in_app: bool = True) -> dict:
    return {"filename": path, "abs_path": path, "function": function, "lineno": 10, "colno": 5,
            "context_line": "  " + line, "post_context": ["}"], "in_app": in_app,
            "module": path.rsplit("/", 1)[-1].removesuffix(".js")}
