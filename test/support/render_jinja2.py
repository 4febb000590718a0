"""Renders a batch of Jinja2 templates for Baryon's fidelity tests.

Reads a JSON list of {"template": str, "context": object} on stdin and writes a
JSON list of results: {"ok": true, "output": str} or {"ok": false, "type":
exception class name, "message": str, "line": template line or null}.
The environment is the one Baryon promises to match: jinja2.Environment with
StrictUndefined and every other option at its default.
"""

import json
import sys
import traceback

import jinja2

env = jinja2.Environment(undefined=jinja2.StrictUndefined)


def template_line(error):
    line = getattr(error, "lineno", None)
    if line is not None:
        return line
    # Runtime errors carry the line only in the traceback Jinja2 rewrites.
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == "<template>":
            line = frame.lineno
    return line


def render(case):
    try:
        template = env.from_string(case["template"])
        return {"ok": True, "output": template.render(**case.get("context", {}))}
    except Exception as error:  # every template failure is a result, not a crash
        return {
            "ok": False,
            "type": type(error).__name__,
            "message": str(error),
            "line": template_line(error),
        }


def main():
    cases = json.load(sys.stdin)
    json.dump([render(case) for case in cases], sys.stdout)


if __name__ == "__main__":
    main()
