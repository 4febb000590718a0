import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  BLOCK_END,
  BLOCK_START,
  applyBlockIndentation,
  ecsTaskDefinitionEnvVars,
  iamPolicyArns,
  lambdaFunctionEnvVars,
  protonFilters,
  sanitize,
  yamlScalar,
} from "../../src/jinja/guest/proton-filters.js";

// How nunjucks hands keyword arguments to a filter: a trailing object so marked.
const kw = (args: Record<string, unknown>) => ({ ...args, __keywords: true });

/** Stand in for the template engine: `{{ expr }}` replaced by the filter's text, then the guest's post-pass. */
const render = (before: string, filtered: string, after = "\n") => applyBlockIndentation(before + filtered + after);

const componentOutputs = {
  Output1: "hello",
  Output2: "world",
  PolicyArn1: "arn:aws:iam::123456789012:policy/cfn-generated-policy-name-1",
  PolicyArn2: "arn:aws:iam::123456789012:policy/cfn-generated-policy-name-2",
};

describe("the examples of Proton's guide", () => {
  it("renders ManagedPolicyArns exactly as documented", () => {
    const outputs = {
      one: "arn:aws:iam::123456789012:policy/one",
      name: "not-an-arn",
      two: "arn:aws:iam::123456789012:policy/two",
    };
    const before = "      ManagedPolicyArns:\n        - !Ref BaseTaskRoleManagedPolicy\n        ";
    expect(render(before, iamPolicyArns(outputs))).toBe(
      [
        "      ManagedPolicyArns:",
        "        - !Ref BaseTaskRoleManagedPolicy",
        "        - arn:aws:iam::123456789012:policy/one",
        "        - arn:aws:iam::123456789012:policy/two",
        "",
      ].join("\n"),
    );
  });

  it("formats ECS task definition environment variables as a list of Name/Value items", () => {
    const before = "          Environment:\n            ";
    expect(render(before, ecsTaskDefinitionEnvVars({ Output1: "hello", Output2: "world" }))).toBe(
      [
        "          Environment:",
        "            - Name: Output1",
        "              Value: hello",
        "            - Name: Output2",
        "              Value: world",
        "",
      ].join("\n"),
    );
  });

  it("formats Lambda environment variables as a mapping", () => {
    const before = "        Variables:\n          ";
    expect(render(before, lambdaFunctionEnvVars({ Output1: "hello", Output2: "world" }))).toBe(
      "        Variables:\n          Output1: hello\n          Output2: world\n",
    );
  });

  it("keeps a sanitized value and names the bad one when sanitizing fails", () => {
    expect(sanitize("This-is_valid_37")).toBe("This-is_valid_37");
    expect(sanitize("arn:aws:some-service::123456789012:some-resource/resource-name")).toBe(
      "arn:aws:some-service::123456789012:some-resource/resource-name",
    );
    expect(() => sanitize("this::is::incorrect")).toThrow(
      /proton_cfn_sanitize: illegal character\(s\) in "this::is::incorrect".*\^\[a-zA-Z0-9_-\]\*\$ or be a valid ARN/,
    );
  });
});

describe("nothing to emit", () => {
  it("leaves only the indentation on the line", () => {
    const before = "      ManagedPolicyArns:\n        - !Ref Base\n        ";
    expect(render(before, iamPolicyArns({}))).toBe("      ManagedPolicyArns:\n        - !Ref Base\n        \n");
    expect(render("  ", iamPolicyArns({ Output1: "hello" }), "")).toBe("  ");
    expect(ecsTaskDefinitionEnvVars({})).toBe("");
    expect(lambdaFunctionEnvVars({})).toBe("");
  });
});

describe("the env var filters", () => {
  it("take raw=True by default and accept anything printable", () => {
    expect(lambdaFunctionEnvVars({ A: "has spaces: and # signs" })).toContain('A: "has spaces: and # signs"');
  });

  it("reject unsafe values with raw=False, as a keyword or positional argument", () => {
    for (const filter of [ecsTaskDefinitionEnvVars, lambdaFunctionEnvVars]) {
      expect(() => filter({ Output2: "this::is::incorrect" }, kw({ raw: false }))).toThrow(
        /illegal character\(s\) in the value of "Output2": "this::is::incorrect"/,
      );
      expect(() => filter({ Output2: "a b" }, false)).toThrow(/raw=False/);
      expect(filter({ Output1: "This-is_valid_37" }, kw({ raw: false }))).toContain("This-is_valid_37");
      expect(filter({ Output2: "this::is::incorrect" }, kw({ raw: true }))).toContain("this::is::incorrect");
    }
  });

  it("refuse unknown or repeated arguments, as Python would", () => {
    expect(() => lambdaFunctionEnvVars({}, kw({ strict: true }))).toThrow(/unexpected keyword argument 'strict'/);
    expect(() => lambdaFunctionEnvVars({}, false, kw({ raw: false }))).toThrow(/multiple values/);
    expect(() => lambdaFunctionEnvVars({}, true, true)).toThrow(/at most one argument/);
  });

  it("print numbers and booleans as Python does, quoted so they stay strings", () => {
    const text = applyBlockIndentation(lambdaFunctionEnvVars({ PORT: 80, DEBUG: true, RATIO: 0.5, NONE: null }));
    expect(text).toBe('PORT: "80"\nDEBUG: "True"\nRATIO: "0.5"\nNONE: None');
    expect(parse(text)).toEqual({ PORT: "80", DEBUG: "True", RATIO: "0.5", NONE: "None" });
  });

  it("accept a Map (a dict a template built) as well as a plain object", () => {
    const dict = new Map<unknown, unknown>([["A", "x"], [1, "z"]]);
    expect(lambdaFunctionEnvVars(dict)).toBe(`${BLOCK_START}A: x\n"1": z${BLOCK_END}`);
    expect(iamPolicyArns(new Map([["p", "arn:aws:iam::123456789012:policy/p"]]))).toContain("- arn:aws:iam::123456789012:policy/p");
  });

  it("refuse nested values and non-mappings", () => {
    expect(() => ecsTaskDefinitionEnvVars({ A: ["x"] })).toThrow(/for "A", got a list/);
    expect(() => ecsTaskDefinitionEnvVars({ A: { b: 1 } })).toThrow(/for "A", got a mapping/);
    expect(() => ecsTaskDefinitionEnvVars(undefined)).toThrow(/expected a mapping, got an undefined value/);
    expect(() => lambdaFunctionEnvVars(["a"])).toThrow(/expected a mapping, got a list/);
    expect(() => iamPolicyArns("arn:aws:iam::123456789012:policy/x")).toThrow(/got a string/);
    class Marker {
      hint = "x";
    }
    expect(() => iamPolicyArns(new Marker())).toThrow(/expected a mapping, got an object \(Marker\)/);
  });
});

describe("proton_cfn_iam_policy_arns", () => {
  const arns = (outputs: Record<string, unknown>) =>
    applyBlockIndentation(iamPolicyArns(outputs))
      .split("\n")
      .filter(Boolean)
      .map((line) => line.replace(/^- /, ""));

  it("keeps managed policy ARNs of every partition, in mapping order", () => {
    expect(
      arns({
        cn: "arn:aws-cn:iam::123456789012:policy/china",
        gov: "arn:aws-us-gov:iam::123456789012:policy/path/to/gov",
        iso: "arn:aws-iso-b:iam::123456789012:policy/iso",
        std: "arn:aws:iam::123456789012:policy/std+=,.@_-",
      }),
    ).toEqual([
      "arn:aws-cn:iam::123456789012:policy/china",
      "arn:aws-us-gov:iam::123456789012:policy/path/to/gov",
      "arn:aws-iso-b:iam::123456789012:policy/iso",
      "arn:aws:iam::123456789012:policy/std+=,.@_-",
    ]);
  });

  it("drops everything else, including values that only start like a policy ARN", () => {
    expect(
      arns({
        ...componentOutputs,
        role: "arn:aws:iam::123456789012:role/MyRole",
        awsManaged: "arn:aws:iam::aws:policy/AdministratorAccess",
        shortAccount: "arn:aws:iam::12345:policy/x",
        bucket: "arn:aws:s3:::my-bucket",
        number: 123456789012,
        injected: "arn:aws:iam::123456789012:policy/x\n  Evil: true",
        spaced: "arn:aws:iam::123456789012:policy/x y",
        empty: "arn:aws:iam::123456789012:policy/",
      }),
    ).toEqual([componentOutputs.PolicyArn1, componentOutputs.PolicyArn2]);
  });

  it("takes no arguments", () => {
    expect(() => iamPolicyArns({}, true)).toThrow(/takes no arguments/);
  });
});

describe("proton_cfn_sanitize", () => {
  it("passes safe values through unchanged", () => {
    for (const value of ["", "abc", "A-b_9", 42, "arn:aws:s3:::my-bucket", "arn:aws-cn:iam::aws:policy/ReadOnlyAccess"]) {
      expect(sanitize(value)).toBe(value);
    }
    expect(sanitize("arn:aws-us-gov:execute-api:us-gov-west-1:123456789012:abc123/$default/GET/*")).toMatch(/^arn:/);
  });

  it("fails on anything else, naming the value", () => {
    for (const value of ["a b", "x#y", "a'b", 'a"b', "{{x}}", "arn:aws:s3:::bucket\n  Evil: true", "arn:aws:s3", "ARN:aws:s3:::b", 1.5]) {
      expect(() => sanitize(value)).toThrow(/proton_cfn_sanitize: illegal character\(s\) in /);
    }
    expect(() => sanitize(null)).toThrow(/expected a string, got None/);
    expect(() => sanitize(undefined)).toThrow(/got an undefined value/);
    expect(() => sanitize(`${"x".repeat(300)} `)).toThrow(/x{200}…"/);
  });
});

describe("YAML values", () => {
  const tricky = [
    "plain-value",
    "arn:aws:iam::123456789012:policy/one",
    "/aws/service/ecs/optimized-ami",
    "a: b",
    "ends with colon:",
    "key:",
    "x #not a comment",
    "#comment",
    "123",
    "0x1F",
    "1e3",
    "1:20",
    "2024-01-01",
    ".inf",
    "-",
    "- item",
    "true",
    "No",
    "off",
    "y",
    "null",
    "~",
    "",
    " padded ",
    "@at",
    "`tick",
    "!Ref X",
    "&anchor",
    "*alias",
    "{a: 1}",
    "[1]",
    "'single'",
    '"double"',
    "back\\slash",
    "line\nbreak",
    "tab\there",
    "del\u007fc1\u0085",
    "ls\u2028ps\u2029",
    `marker${BLOCK_START}x${BLOCK_END}`,
    "ünïcödé ✓",
  ];

  it("reads back as the same string under YAML 1.1 and 1.2", () => {
    for (const value of tricky) {
      const document = `Value: ${yamlScalar(value)}\n`;
      expect(parse(document, { version: "1.1" }), document).toEqual({ Value: value });
      expect(parse(document, { version: "1.2" }), document).toEqual({ Value: value });
    }
  });

  it("keeps the markers out of the output when a value contains them", () => {
    const text = applyBlockIndentation("  " + lambdaFunctionEnvVars({ K: `a${BLOCK_END}b` }));
    expect(text).toBe('  K: "a\\ue001b"');
  });

  it("make a block that parses into the structure CloudFormation expects", () => {
    const template = [
      "Resources:",
      "  Task:",
      "    Properties:",
      "      ContainerDefinitions:",
      "        - Name: app",
      "          Environment:",
      `            ${ecsTaskDefinitionEnvVars(Object.fromEntries(tricky.map((v, i) => [`K${i}`, v])))}`,
      "  Fn:",
      "    Properties:",
      "      Environment:",
      "        Variables:",
      `          ${lambdaFunctionEnvVars({ "odd key: #1": "v", True: "x" })}`,
      "",
    ].join("\n");
    const parsed = parse(applyBlockIndentation(template), { version: "1.1" });
    const env = parsed.Resources.Task.Properties.ContainerDefinitions[0].Environment;
    expect(env).toEqual(tricky.map((v, i) => ({ Name: `K${i}`, Value: v })));
    expect(parsed.Resources.Fn.Properties.Environment.Variables).toEqual({ "odd key: #1": "v", True: "x" });
  });
});

describe("applyBlockIndentation", () => {
  const b = (...lines: string[]) => BLOCK_START + lines.join("\n") + BLOCK_END;

  it("leaves output without markers untouched", () => {
    expect(applyBlockIndentation("a\n  b\n")).toBe("a\n  b\n");
  });

  it("indents to the column of the marker, whatever stands before it on the line", () => {
    expect(applyBlockIndentation(`x\nkey: ${b("a", "b")}\n`)).toBe("x\nkey: a\n     b\n");
    expect(applyBlockIndentation(`${b("a", "b")}`)).toBe("a\nb");
    expect(applyBlockIndentation(`é✓😀 ${b("a", "b")}`)).toBe("é✓😀 a\n    b");
  });

  it("handles several blocks, including two on one line", () => {
    expect(applyBlockIndentation(`  ${b("a", "b")} ${b("c", "d")}\n    ${b("e", "f")}`)).toBe(
      "  a\n  b c\n    d\n    e\n    f",
    );
  });

  it("drops unmatched markers", () => {
    expect(applyBlockIndentation(`  ${BLOCK_START}a\nb`)).toBe("  a\nb");
    expect(applyBlockIndentation(`a${BLOCK_END}b`)).toBe("ab");
    expect(applyBlockIndentation(`  ${BLOCK_START}x ${b("a", "b")}`)).toBe("  x a\n    b");
  });
});

it("registers exactly Proton's four filters", () => {
  expect(Object.keys(protonFilters).sort()).toEqual([
    "proton_cfn_ecs_task_definition_formatted_env_vars",
    "proton_cfn_iam_policy_arns",
    "proton_cfn_lambda_function_formatted_env_vars",
    "proton_cfn_sanitize",
  ]);
});
