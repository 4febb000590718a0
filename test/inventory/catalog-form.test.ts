// The catalog's form, from an input schema: fields, values read back as the
// schema's types, and the inventory file a request makes.
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import type { InputSchema } from "../../src/bundle/model.js";
import { formFields, formValues, inventoryFile, requestType } from "../../src/inventory/catalog-form.js";

const SCHEMA: InputSchema = {
  file: "svc/v1/schema/schema.yaml", openapi: "3.0.0", serviceInputType: "In", pipelineInputType: "Pipe", lines: {},
  types: {
    In: {
      type: "object", required: ["image"],
      properties: {
        image: { type: "string", title: "Image", description: "The container image", minLength: 3 },
        port: { type: "integer", default: 80, minimum: 1, maximum: 65535 },
        size: { type: "string", enum: ["small", "large"], default: "small" },
        public: { type: "boolean", default: true },
        subnets: { type: "array", items: { type: "string" } },
      },
    },
    Pipe: { type: "object", required: ["branch"], properties: { branch: { type: "string" } } },
  },
};

describe("the catalog's form", () => {
  const fields = formFields(requestType(SCHEMA, "service"));

  it("has one field per input of the instance type, with the schema's control, bounds and words", () => {
    expect(fields.map((f) => [f.name, f.label, f.control, f.required])).toEqual([
      ["image", "Image", "text", true], ["port", "port", "number", false], ["size", "size", "select", false],
      ["public", "public", "checkbox", false], ["subnets", "subnets", "list", false],
    ]);
    expect(fields[0]).toMatchObject({ description: "The container image", minLength: 3 });
    expect(fields[1]).toMatchObject({ type: "integer", default: 80, minimum: 1, maximum: 65535 });
    expect(fields[2]!.options).toEqual(["small", "large"]);
    expect(requestType(SCHEMA, "environment")).toBeUndefined();
    expect(formFields(requestType(SCHEMA, "service", "pipeline"), "pipeline")).toEqual([{ name: "branch", group: "pipeline", label: "branch", control: "text", type: "string", required: true }]);
    expect(requestType(SCHEMA, "environment", "pipeline")).toBeUndefined();
  });

  it("reads what was typed as the schema's types, leaving empty fields to their defaults", () => {
    expect(formValues(fields, { "inputs.image": "nginx", "inputs.port": "8080", "inputs.size": "", "inputs.subnets": "a, b,," })).toEqual({
      image: "nginx", port: 8080, public: false, subnets: ["a", "b"],
    });
    // Not a number: kept as typed, so the schema says what is wrong with it.
    expect(formValues(fields, { "inputs.port": "eighty", "inputs.public": "on" })).toEqual({ port: "eighty", public: true });
    // Each group reads its own fields.
    const pipeline = formFields(requestType(SCHEMA, "service", "pipeline"), "pipeline");
    expect(formValues([...fields, ...pipeline], { "pipeline.branch": "main", "inputs.image": "x" }, "pipeline")).toEqual({ branch: "main" });
  });

  it("writes the inventory file: Proton's spec with the template's major, a service with its first instance", () => {
    const service = inventoryFile({ name: "api-svc", kind: "service", major: 2 }, { name: "checkout", instance: "checkout-dev", environment: "dev" }, { image: "nginx" }, { branch: "main" });
    expect(service.path).toBe("services/checkout.yaml");
    expect(parse(service.text)).toEqual({
      proton: "ServiceSpec", template: "api-svc@2", pipeline: { branch: "main" }, instances: [{ name: "checkout-dev", environment: "dev", spec: { image: "nginx" } }],
    });
    const environment = inventoryFile({ name: "net", kind: "environment", major: 1 }, { name: "qa", stage: "test" }, { cidr: "10.0.0.0/16" });
    expect(environment.path).toBe("environments/qa.yaml");
    expect(parse(environment.text)).toEqual({ proton: "EnvironmentSpec", template: "net@1", stage: "test", spec: { cidr: "10.0.0.0/16" } });
  });
});
