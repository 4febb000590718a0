import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lintCloudFormation } from "../../src/bundle/lint/cloudformation.js";
import { traceDiagnostics, traceRenderedLine, traceRenderedLines } from "../../src/bundle/lint/source-map.js";

// Template copies and their Jinja2 renders (see fixtures/lint/render.py).
const fixture = (name: string) => readFileSync(new URL(`fixtures/lint/${name}`, import.meta.url), "utf8");
const lineOf = (text: string, needle: string, occurrence = 1) => {
  let at = -1;
  for (let i = 0; i < occurrence; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`not found: ${needle}`);
  return text.slice(0, at).split("\n").length;
};

const QUEUES = `Resources:
{%- for queue in queues %}
  {{ queue | title }}Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: '{{ queue }}'
{%- if prod %}
      MessageRetentionPeriod: 1209600
{%- else %}
      MessageRetentionPeriod: 3600
{%- endif %}
{%- endfor %}
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      {# one subscription per queue #}
      Subscription:
{%- for queue in queues %}
        - Endpoint: !GetAtt {{ queue | title }}Queue.Arn
          Protocol: sqs
{%- endfor %}
`;
// Jinja2's output for queues = [orders, payments, refunds], without prod (the else branch).
const queuesRendered = (retention: string) => `Resources:
${["Orders", "Payments", "Refunds"].map((q) => `  ${q}Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: '${q.toLowerCase()}'
      MessageRetentionPeriod: ${retention}`).join("\n")}
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      
      Subscription:
        - Endpoint: !GetAtt OrdersQueue.Arn
          Protocol: sqs
        - Endpoint: !GetAtt PaymentsQueue.Arn
          Protocol: sqs
        - Endpoint: !GetAtt RefundsQueue.Arn
          Protocol: sqs`;

describe("traceRenderedLines", () => {
  it("maps every repetition of a loop to the loop body, and each branch of an if to its own line", () => {
    const expected = [1, 3, 4, 5, 6, 10, 3, 4, 5, 6, 10, 3, 4, 5, 6, 10, 13, 14, 15, 16, 17, 19, 20, 19, 20, 19, 20];
    expect(traceRenderedLines(QUEUES, queuesRendered("3600"))).toEqual(expected);
    expect(traceRenderedLines(QUEUES, queuesRendered("1209600"))).toEqual(expected.map((l) => (l === 10 ? 8 : l)));
  });

  it("tells apart lines that read the same, by where they stand", () => {
    const template = fixture("service-instance.template.yaml");
    const rendered = fixture("service-instance.frontend-dev.yaml");
    // "    Properties:" appears 17 times; the one under LoadBalancerListener is its own.
    const listener = lineOf(rendered, "  LoadBalancerListener:");
    expect(traceRenderedLine(template, rendered, listener + 2)).toBe(lineOf(template, "  LoadBalancerListener:") + 2);
    const port = lineOf(rendered, "ToPort: 80", 1);
    expect(traceRenderedLine(template, rendered, port)).toBe(lineOf(template, "ToPort: {{ service_instance.inputs.port }}", 1));
  });

  it("follows loops and {% raw %} in the example service template", () => {
    const template = fixture("service-instance.template.yaml");
    const rendered = fixture("service-instance.frontend-prod.yaml");
    const trace = (needle: string, occurrence = 1) => traceRenderedLine(template, rendered, lineOf(rendered, needle, occurrence));
    // env_vars "LOG_LEVEL=warn;FEATURE_X=on" loops twice over the same two template lines.
    expect(trace("- Name: 'FEATURE_X'")).toBe(lineOf(template, "- Name: '{{ kv[0] | trim }}'"));
    expect(trace("Value: 'on'")).toBe(lineOf(template, "Value: '{{ kv[1] | default('') | trim }}'"));
    expect(trace("ScalingPolicyMemory:")).toBe(lineOf(template, "ScalingPolicy{{ metric.name }}:"));
    expect(trace("TargetValue: 70")).toBe(lineOf(template, "TargetValue: {{ metric.target }}"));
    expect(trace("Value: '{{resolve:ssm:/shop/feature-flags}}'")).toBe(lineOf(template, "{% raw %}{{resolve:ssm:/"));
    // A block filter that printed nothing leaves its indentation: still its line.
    expect(traceRenderedLine(template, rendered, lineOf(rendered, "Value: 'on'") + 1)).toBe(lineOf(template, "| proton_cfn_ecs_task_definition_formatted_env_vars"));
  });

  it("maps every line a block filter prints to the line of its expression", () => {
    const template = fixture("service-instance.template.yaml");
    // proton_cfn_iam_policy_arns with six policies, printed as docs/proton-filters.md shows.
    const policies = [1, 2, 3, 4, 5, 6].map((n) => `        - arn:aws:iam::123456789012:policy/p${n}\n`).join("");
    const rendered = fixture("service-instance.frontend-dev.yaml").replace(
      "        - !Ref BaseTaskRoleManagedPolicy\n        \n",
      `        - !Ref BaseTaskRoleManagedPolicy\n${policies}`,
    );
    const expression = lineOf(template, "| proton_cfn_iam_policy_arns }}");
    for (const n of [1, 2, 3, 4, 5, 6]) expect(traceRenderedLine(template, rendered, lineOf(rendered, `policy/p${n}`))).toBe(expression);
    expect(traceRenderedLine(template, rendered, lineOf(rendered, "policy/p6") + 2)).toBe(lineOf(template, "  ServiceTaskDef:"));
  });

  it("maps the pipeline's per-instance projects to the loop that writes them", () => {
    const template = fixture("pipeline.template.yaml");
    const rendered = fixture("pipeline.yaml");
    expect(traceRenderedLine(template, rendered, lineOf(rendered, "Deploy2Project:"))).toBe(lineOf(template, "Deploy{{ loop.index }}Project:"));
    expect(traceRenderedLine(template, rendered, lineOf(rendered, "Value: 'frontend-prod'"))).toBe(lineOf(template, "Value: '{{ service_instance.name }}'"));
    // After the loop, the template continues where it was.
    expect(traceRenderedLine(template, rendered, lineOf(rendered, "  InstanceCount:"))).toBe(lineOf(template, "  InstanceCount:"));
  });

  it("traces a whole rendered file to lines that print it", () => {
    for (const [templateName, renderedName] of [["environment.template.yaml", "environment.dev.yaml"], ["service-instance.template.yaml", "service-instance.frontend-prod.yaml"]] as const) {
      const template = fixture(templateName).split("\n");
      const rendered = fixture(renderedName).split("\n");
      const map = traceRenderedLines(template.join("\n"), rendered.join("\n"));
      rendered.forEach((text, i) => {
        if (text.trim() === "") return;
        const source = template[map[i]! - 1]!;
        expect(source.trimEnd() === text.trimEnd() || source.includes("{{"), `${renderedName}:${i + 1} "${text}" from "${source}"`).toBe(true);
      });
    }
  });

  it("gives undefined for a line no template line could print", () => {
    const rendered = queuesRendered("3600").replace("    Type: AWS::SNS::Topic", "    Typo: something else entirely");
    expect(traceRenderedLine(QUEUES, rendered, lineOf(rendered, "Typo:"))).toBeUndefined();
    expect(traceRenderedLine(QUEUES, rendered, 999)).toBeUndefined();
  });

  it("falls back to lines that appear once when the files are too big to align", () => {
    const template = `${Array.from({ length: 2500 }, (_, i) => `  Key${i}: {{ v${i} }}`).join("\n")}\nUnique: line\n`;
    const rendered = `${Array.from({ length: 2500 }, (_, i) => `  Key${i}: x`).join("\n")}\nUnique: line\n`;
    expect(traceRenderedLine(template, rendered, 2501)).toBe(2501);
    expect(traceRenderedLine(template, rendered, 1)).toBeUndefined();
  }, 30_000); // a deadline: aligning these files line by line would take minutes
});

describe("traceDiagnostics", () => {
  it("moves a lint error on the render to the template line a user edits", () => {
    const typo = (text: string) => text.replace("    DependsOn:\n      - LoadBalancerListener", "    DependsOn:\n      - LoadBalancerListner");
    const template = typo(fixture("service-instance.template.yaml"));
    const rendered = typo(fixture("service-instance.frontend-dev.yaml"));
    const renderedFile = "frontend-dev/instance_infrastructure/cloudformation.yaml";
    const templateFile = "templates/svc/v1/instance_infrastructure/cloudformation.yaml";
    const diagnostics = lintCloudFormation(rendered, renderedFile);
    const renderedLine = lineOf(rendered, "- LoadBalancerListner");
    expect(diagnostics.map((d) => d.line)).toEqual([renderedLine]);
    expect(traceDiagnostics(diagnostics, { rendered: { file: renderedFile, content: rendered }, template: { file: templateFile, source: template } })).toEqual([{
      file: templateFile, line: lineOf(template, "- LoadBalancerListner"), severity: "error", code: "cfn-depends-on-unknown",
      message: `DependsOn LoadBalancerListner: no resource named "LoadBalancerListner" (did you mean "LoadBalancerListener"?) (rendered line ${renderedLine} of ${renderedFile})`,
    }]);
  });

  it("leaves diagnostics of other files, and untraceable ones, where they are", () => {
    const other = { file: "x.yaml", line: 3, severity: "error" as const, code: "c", message: "m" };
    const lost = { ...other, file: "r.yaml", line: 999 };
    expect(traceDiagnostics([other, lost], { rendered: { file: "r.yaml", content: "a\n" }, template: { file: "t.yaml", source: "a\n" } })).toEqual([other, lost]);
  });
});
