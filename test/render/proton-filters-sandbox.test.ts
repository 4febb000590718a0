import { afterAll, describe, expect, it } from "vitest";
import { serviceInstanceContext } from "../../src/bundle/render/context.js";
import { createRenderPool } from "../../src/jinja/pool.js";

// Through the real sandbox: the guest registers the proton_cfn_* filters and
// re-indents their blocks after every render.
const renderer = createRenderPool({ size: 1 });
afterAll(() => renderer.close());

const template = `Resources:
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: {{ service_instance.name | proton_cfn_sanitize }}
          Environment:
            {{ service_instance.components.default.outputs
              | proton_cfn_ecs_task_definition_formatted_env_vars(raw=True) }}
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables:
          {{ service_instance.components.default.outputs | proton_cfn_lambda_function_formatted_env_vars }}
  TaskRole:
    Type: AWS::IAM::Role
    Properties:
      ManagedPolicyArns:
        - !Ref BaseTaskRoleManagedPolicy
        {{ service_instance.components.default.outputs | proton_cfn_iam_policy_arns }}
`;

const instance = (outputs?: Record<string, string>) =>
  serviceInstanceContext({
    service: { name: "api" },
    name: "api-dev",
    inputs: {},
    environment: { name: "dev", accountId: "123456789012" },
    component: outputs ? { name: "extras", outputs } : undefined,
  });

describe("proton_cfn_* filters in the sandbox", () => {
  it("renders every filter with its blocks indented under the expression", async () => {
    const result = await renderer.render({
      name: "svc/v1/instance_infrastructure/cloudformation.yaml",
      source: template,
      context: instance({ Output1: "hello", PolicyArn1: "arn:aws-us-gov:iam::123456789012:policy/one" }),
    });
    expect(result).toEqual({
      ok: true,
      output: `Resources:
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ContainerDefinitions:
        - Name: api-dev
          Environment:
            - Name: Output1
              Value: hello
            - Name: PolicyArn1
              Value: arn:aws-us-gov:iam::123456789012:policy/one
  Function:
    Type: AWS::Lambda::Function
    Properties:
      Environment:
        Variables:
          Output1: hello
          PolicyArn1: arn:aws-us-gov:iam::123456789012:policy/one
  TaskRole:
    Type: AWS::IAM::Role
    Properties:
      ManagedPolicyArns:
        - !Ref BaseTaskRoleManagedPolicy
        - arn:aws-us-gov:iam::123456789012:policy/one`,
    });
  });

  it("emits nothing without a component, leaving only the indentation", async () => {
    const result = await renderer.render({ name: "t.yaml", source: template, context: instance() });
    expect(result.ok).toBe(true);
    if (result.ok) {
      // Jinja2 drops the template's final newline, so the output ends with the indentation.
      expect(result.output.endsWith("        - !Ref BaseTaskRoleManagedPolicy\n        ")).toBe(true);
      expect(result.output).not.toMatch(/[\uE000\uE001]/);
    }
  });

  it("takes a dict the template built, and indents after whitespace control", async () => {
    const source = "Variables:\n  {%- if true %}\n    {{ {'A': 'x', 'B': 1, 'C': none} | proton_cfn_lambda_function_formatted_env_vars }}{% endif %}";
    const result = await renderer.render({ name: "t.yaml", source, context: {} });
    expect(result).toEqual({ ok: true, output: 'Variables:\n    A: x\n    B: "1"\n    C: None' });
  });

  it("fails the render when a value is unsafe, naming it", async () => {
    const cases = [
      ["{{ outputs | proton_cfn_lambda_function_formatted_env_vars(raw=False) }}", "arn:aws:iam::123456789012:policy/p"],
      ["{{ outputs.Bad | proton_cfn_sanitize }}", "this::is::incorrect"],
    ];
    for (const [source, bad] of cases) {
      const result = await renderer.render({ name: "t.yaml", source: source!, context: { outputs: { Bad: bad } } });
      expect(result.ok, source).toBe(false);
      if (!result.ok) {
        expect(result.error.kind).toBe("runtime");
        expect(result.error.message).toContain(JSON.stringify(bad));
        expect(result.error.line).toBe(1);
      }
    }
  });
});
