"""Python Jinja2's side of the render bench (bench/render.ts), in rounds.

First line on stdin: {"templates": [{"source": ..., "contexts": [...]}]}; it
compiles each source once and prints {"outputs": [[...one per context...]]}.
Then each line {"repeat": n} is a round: every template renders each of its
contexts n times; it prints {"seconds": [...one per template...]}.
Proton's proton_cfn_* filters do not exist in Jinja2; the bench contexts attach
no component, so stand-ins that emit nothing for an empty mapping render the
same text.
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
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    for name in ("proton_cfn_iam_policy_arns", "proton_cfn_ecs_task_definition_formatted_env_vars",
                 "proton_cfn_lambda_function_formatted_env_vars"):
        env.filters[name] = _empty_block
    jobs = json.loads(sys.stdin.readline())["templates"]
    templates = [(env.from_string(job["source"]), job["contexts"]) for job in jobs]
    print(json.dumps({"outputs": [[t.render(c) for c in contexts] for t, contexts in templates]}), flush=True)
    for line in sys.stdin:
        repeat = json.loads(line)["repeat"]
        seconds = []
        for template, contexts in templates:
            start = time.perf_counter()
            for _ in range(repeat):
                for context in contexts:
                    template.render(context)
            seconds.append(time.perf_counter() - start)
        print(json.dumps({"seconds": seconds}), flush=True)


main()
