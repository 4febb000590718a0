import { describe, expect, it } from "vitest";
import {
  applyDefaults,
  componentContext,
  environmentContext,
  pipelineContext,
  resolveCurrentValues,
  resolveInputs,
  serviceInstanceContext,
} from "../../src/bundle/render/context.js";
import { CURRENT_VALUE, type InputType } from "../../src/bundle/model.js";

const svcInput: InputType = {
  type: "object",
  properties: {
    port: { type: "number", default: 80 },
    size: { type: "string", enum: ["small", "large"], default: "small" },
    subnets: { type: "array", items: { type: "string" }, default: ["a", "b"] },
    image: { type: "string" },
    debug: { type: "boolean", default: false },
  },
  required: ["image"],
};

const dev = { name: "dev", accountId: "123456789012", outputs: { ClusterName: "dev-cluster", VpcId: "vpc-1" } };

describe("environmentContext", () => {
  it("exposes environment.name and environment.inputs", () => {
    expect(environmentContext({ name: "dev", inputs: { vpc_cidr: "10.0.0.0/16" } })).toEqual({
      environment: { name: "dev", inputs: { vpc_cidr: "10.0.0.0/16" } },
    });
  });
});

describe("serviceInstanceContext", () => {
  const base = { service: { name: "api" }, name: "api-dev", inputs: { image: "nginx", port: 8080 }, environment: dev };

  it("exposes the instance, its service and its environment's outputs under both names", () => {
    const context = serviceInstanceContext(base);
    expect(context.service).toEqual({ name: "api", branch_name: "", repository_id: "", repository_connection_arn: "" });
    expect(context.environment).toEqual({ name: "dev", account_id: "123456789012", outputs: dev.outputs });
    expect(context.service_instance.name).toBe("api-dev");
    expect(context.service_instance.inputs).toEqual({ image: "nginx", port: 8080 });
    expect(context.service_instance.environment.outputs.ClusterName).toBe("dev-cluster");
    expect(context.service_instance.environment).toEqual(context.environment);
  });

  it("renders a missing component's outputs as an empty mapping, and has no name for it", () => {
    const context = serviceInstanceContext(base);
    expect(context.service_instance.components).toEqual({ default: { outputs: {} } });
    expect("name" in context.service_instance.components.default).toBe(false);
  });

  it("exposes an attached component's name and outputs", () => {
    const component = { name: "bucket", outputs: { PolicyArn: "arn:aws:iam::123456789012:policy/p" } };
    const context = serviceInstanceContext({ ...base, component });
    expect(context.service_instance.components.default).toEqual(component);
    expect(serviceInstanceContext({ ...base, component: { name: "empty" } }).service_instance.components.default).toEqual({
      name: "empty",
      outputs: {},
    });
  });

  it("passes the service's repository through when it has a pipeline", () => {
    const service = { name: "api", branchName: "main", repositoryId: "org/api", repositoryConnectionArn: "arn:aws:codestar-connections:x" };
    expect(serviceInstanceContext({ ...base, service }).service).toEqual({
      name: "api",
      branch_name: "main",
      repository_id: "org/api",
      repository_connection_arn: "arn:aws:codestar-connections:x",
    });
  });

  it("leaves account_id out when the account is unknown, so a template reading it fails loudly", () => {
    const context = serviceInstanceContext({ ...base, environment: { name: "dev" } });
    expect(context.environment).toEqual({ name: "dev", outputs: {} });
  });
});

describe("pipelineContext", () => {
  it("lists every instance with its inputs, outputs and environment", () => {
    const context = pipelineContext({
      service: { name: "api", branchName: "main", repositoryId: "org/api", repositoryConnectionArn: "arn:c" },
      inputs: { dockerfile: "Dockerfile" },
      instances: [
        { name: "api-dev", inputs: { port: 80 }, outputs: { Url: "https://dev" }, environment: dev },
        { name: "api-prod", inputs: { port: 443 }, environment: { name: "prod", accountId: "210987654321" } },
      ],
    });
    expect(context).toEqual({
      pipeline: { inputs: { dockerfile: "Dockerfile" } },
      service: { name: "api", branch_name: "main", repository_id: "org/api", repository_connection_arn: "arn:c" },
      service_instances: [
        {
          name: "api-dev",
          inputs: { port: 80 },
          outputs: { Url: "https://dev" },
          environment: { name: "dev", account_id: "123456789012", outputs: dev.outputs },
        },
        { name: "api-prod", inputs: { port: 443 }, outputs: {}, environment: { name: "prod", account_id: "210987654321", outputs: {} } },
      ],
    });
  });
});

describe("componentContext", () => {
  it("exposes the component, its environment and the instance it is attached to", () => {
    expect(
      componentContext({ name: "bucket", environment: dev, attachedTo: { service: "api", instance: "api-dev", inputs: { port: 80 } } }),
    ).toEqual({
      component: { name: "bucket" },
      environment: { name: "dev", account_id: "123456789012", outputs: dev.outputs },
      service: { name: "api" },
      service_instance: { name: "api-dev", inputs: { port: 80 } },
    });
  });

  it("has no service names for a component attached to the environment only", () => {
    const context = componentContext({ name: "shared", environment: { name: "dev" } });
    expect(context).toEqual({ component: { name: "shared" }, environment: { name: "dev", outputs: {} } });
  });
});

describe("applyDefaults", () => {
  it("fills in defaults for the inputs the spec leaves out, after the spec's own", () => {
    const inputs = applyDefaults(svcInput, { image: "nginx", port: 8080 });
    expect(inputs).toEqual({ image: "nginx", port: 8080, size: "small", subnets: ["a", "b"], debug: false });
    expect(Object.keys(inputs)).toEqual(["image", "port", "size", "subnets", "debug"]);
  });

  it("keeps what the spec gives, even falsy values, null and CURRENT_VAL", () => {
    expect(applyDefaults(svcInput, { port: 0, size: null, debug: CURRENT_VALUE, extra: "kept" })).toEqual({
      port: 0,
      size: null,
      debug: CURRENT_VALUE,
      extra: "kept",
      subnets: ["a", "b"],
    });
  });

  it("leaves inputs without a default absent, and copies defaults", () => {
    const one = applyDefaults(svcInput, {});
    expect("image" in one).toBe(false);
    (one.subnets as string[]).push("c");
    expect(applyDefaults(svcInput, {}).subnets).toEqual(["a", "b"]);
    expect(svcInput.properties?.subnets?.default).toEqual(["a", "b"]);
  });

  it("does not change the values it was given, and works without a schema type", () => {
    const values = { image: "nginx" };
    applyDefaults(svcInput, values);
    expect(values).toEqual({ image: "nginx" });
    expect(applyDefaults(undefined, values)).toEqual({ image: "nginx" });
    expect(applyDefaults({ type: "object" }, values)).toEqual({ image: "nginx" });
  });
});

describe("resolveCurrentValues", () => {
  it("replaces CURRENT_VAL with the deployed value", () => {
    expect(resolveCurrentValues({ image: CURRENT_VALUE, port: 81 }, { image: "nginx:1.2", port: 80 })).toEqual({
      ok: true,
      inputs: { image: "nginx:1.2", port: 81 },
    });
  });

  it("keeps deployed values of any type, including falsy ones", () => {
    expect(resolveCurrentValues({ debug: CURRENT_VALUE, count: CURRENT_VALUE }, { debug: false, count: 0 })).toEqual({
      ok: true,
      inputs: { debug: false, count: 0 },
    });
  });

  it("reports every input that has no deployed value, as a value rather than a throw", () => {
    const never = resolveCurrentValues({ image: CURRENT_VALUE, port: CURRENT_VALUE }, undefined);
    expect(never).toEqual({ ok: false, error: { missing: ["image", "port"], message: expect.stringContaining("nothing is deployed yet") } });
    const partial = resolveCurrentValues({ image: CURRENT_VALUE, tag: CURRENT_VALUE }, { image: "nginx" });
    expect(partial.ok).toBe(false);
    if (!partial.ok) {
      expect(partial.error.missing).toEqual(["tag"]);
      expect(partial.error.message).toContain('"tag"');
      expect(partial.error.message).toContain("${Proton::CURRENT_VAL}");
    }
  });

  it("only replaces whole values", () => {
    const values = { list: [CURRENT_VALUE], text: `prefix ${CURRENT_VALUE}` };
    expect(resolveCurrentValues(values, {})).toEqual({ ok: true, inputs: values });
  });
});

describe("resolveInputs", () => {
  it("resolves CURRENT_VAL, then fills in defaults", () => {
    expect(resolveInputs(svcInput, { image: CURRENT_VALUE }, { image: "nginx:1", port: 9000 })).toEqual({
      ok: true,
      inputs: { image: "nginx:1", port: 80, size: "small", subnets: ["a", "b"], debug: false },
    });
  });

  it("does not hide a missing deployed value behind a default", () => {
    const result = resolveInputs(svcInput, { port: CURRENT_VALUE });
    expect(result.ok).toBe(false);
  });
});
