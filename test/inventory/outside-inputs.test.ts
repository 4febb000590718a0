// The rule for inputs given by the Proton API beside the inventory file's: they
// replace the resource's inputs, the file's are kept, and a reconcile keeps them
// only while the file still says what it said then (within the same major).
import { describe, expect, it } from "vitest";
import { fileInputs, keepOutsideInputs, withOutsideInputs } from "../../src/inventory/outside-inputs.js";
import type { ResourceRecord } from "../../src/ports/deployment-store.js";

const record: ResourceRecord = {
  key: "shop/shop-dev", kind: "service_instance", name: "shop-dev", service: "shop", environment: "dev", stage: "test",
  template: { name: "api", major: 1 }, inputs: { image: "nginx" }, provisioner: "local", source: "acme/templates",
  declared: { file: "inventory/shop.yaml", line: 6 },
};

describe("outside inputs", () => {
  it("replace the inputs and keep the file's beside them; the file's own values again clear them", () => {
    const once = withOutsideInputs(record, { image: "shop:42" });
    expect(once).toEqual({ ...record, inputs: { image: "shop:42" }, inventoryInputs: { image: "nginx" } });
    expect(fileInputs(once)).toEqual({ image: "nginx" });
    // A second update keeps what the file said, not the first update's inputs.
    expect(withOutsideInputs(once, { image: "shop:43" })).toMatchObject({ inputs: { image: "shop:43" }, inventoryInputs: { image: "nginx" } });
    expect(withOutsideInputs(once, { image: "nginx" })).toEqual(record);
    expect(fileInputs(record)).toBe(record.inputs);
  });

  it("stay through a reconcile while the file says what it said, within the same major", () => {
    const updated = withOutsideInputs(record, { image: "shop:42" });
    const pinned = { ...record, template: { name: "api", major: 1, minor: 0 } };
    expect(keepOutsideInputs(pinned, updated)).toEqual({ ...pinned, inputs: { image: "shop:42" }, inventoryInputs: { image: "nginx" } });
    const edited = { ...record, inputs: { image: "nginx:1.27" } };
    expect(keepOutsideInputs(edited, updated)).toBe(edited);
    const nextMajor = { ...record, template: { name: "api", major: 2 } };
    expect(keepOutsideInputs(nextMajor, updated)).toBe(nextMajor);
    expect(keepOutsideInputs(record, undefined)).toBe(record);
    expect(keepOutsideInputs(record, record)).toBe(record);
  });
});
