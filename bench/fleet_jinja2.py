"""Python's fleet preview, the reference for Baryon's: the same render requests
Baryon made (base and head of every resource), rendered with Jinja2 and each
pair diffed with difflib.

Reads {"sources": [...], "requests": [{"name", "source", "context"}]} as JSON on
stdin, each request's source an index into sources; requests
with the same name and context are one resource's two sides. Prints
{"seconds": ..., "renders": ..., "changed": ...}: the time to compile each
distinct source once, render every request and diff every pair (reading the
JSON is not counted).
"""
import difflib
import json
import sys
import time

import jinja2


def _empty_block(value, raw=True):
    if value:
        raise ValueError("benchmark stand-in only handles an empty mapping")
    return ""


def main():
    given = json.load(sys.stdin)
    sources, requests = given["sources"], given["requests"]
    start = time.perf_counter()
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    for name in ("proton_cfn_iam_policy_arns", "proton_cfn_ecs_task_definition_formatted_env_vars",
                 "proton_cfn_lambda_function_formatted_env_vars"):
        env.filters[name] = _empty_block
    compiled = {}
    sides = {}
    for request in requests:
        source = sources[request["source"]]
        template = compiled.get(source)
        if template is None:
            template = compiled[source] = env.from_string(source)
        key = (request["name"], json.dumps(request["context"], sort_keys=True))
        sides.setdefault(key, []).append(template.render(request["context"]))
    changed = 0
    for (name, _), outputs in sides.items():
        if len(outputs) == 2 and outputs[0] != outputs[1]:
            diff = list(difflib.unified_diff(outputs[0].splitlines(True), outputs[1].splitlines(True), "a/" + name, "b/" + name))
            changed += 1 if diff else 0
    seconds = time.perf_counter() - start
    json.dump({"seconds": seconds, "renders": len(requests), "changed": changed}, sys.stdout)


main()
