"""Python Jinja2's warm renders per second for one template and context.

Reads {"source", "context", "seconds", "runs"} as JSON on stdin and prints
{"rendersPerSecond": [...one figure per run...], "output": "..."}.
Proton's proton_cfn_* filters do not exist in Jinja2; the benchmark context
attaches no component, so stand-ins that emit nothing for an empty mapping
render the same text.
"""
import json
import sys
import time

import jinja2


def _empty_block(value, raw=True):
    if value:
        raise ValueError("benchmark stand-in only handles an empty mapping")
    return ""


def main():
    job = json.load(sys.stdin)
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    for name in ("proton_cfn_iam_policy_arns", "proton_cfn_ecs_task_definition_formatted_env_vars",
                 "proton_cfn_lambda_function_formatted_env_vars"):
        env.filters[name] = _empty_block
    template = env.from_string(job["source"])
    context = job["context"]
    output = template.render(context)
    rates = []
    for _ in range(job["runs"]):
        count = 0
        start = time.perf_counter()
        deadline = start + job["seconds"]
        while True:
            template.render(context)
            count += 1
            now = time.perf_counter()
            if now >= deadline:
                break
        rates.append(count / (now - start))
    json.dump({"rendersPerSecond": rates, "output": output}, sys.stdout)


main()
