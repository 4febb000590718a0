import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { lintTerraform } from "../../src/bundle/lint/terraform.js";

const example = (name: string) => {
  const path = `examples/templates/vpc-tf-env/v1/infrastructure/${name}`;
  return { path, content: readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), "utf8") };
};
const at = (diagnostics: Awaited<ReturnType<typeof lintTerraform>>) =>
  diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`);

describe("lintTerraform", () => {
  it("accepts the example Terraform template and Proton's variable files", async () => {
    const variables = 'variable "environment" {\n  type = object({\n    name   = string\n    inputs = map(string)\n  })\n}\n';
    const values = '{\n  "environment": { "name": "dev", "inputs": { "region": "us-east-1" } }\n}\n';
    expect(await lintTerraform([
      example("main.tf"), example("outputs.tf"),
      { path: "dev/infrastructure/proton.environment.variables.tf", content: variables },
      { path: "dev/infrastructure/proton.auto.tfvars.json", content: values },
    ])).toEqual([]);
  });

  it("accepts heredocs, templates, dynamic blocks, for expressions and every comment style", async () => {
    const content = [
      "# comment", "// comment", "/* block", "   comment */",
      'locals {', '  names = [for s in var.subnets : upper(s.name) if s.public]', '  policy = <<-EOT', '    {"Version": "2012-10-17", "x": "${var.x}"}', '  EOT', '}',
      'resource "aws_security_group" "sg" {', '  dynamic "ingress" {', '    for_each = var.ports', '    content {', '      from_port = ingress.value', '      to_port   = ingress.value', '    }', '  }',
      '  tags = merge(var.tags, { Name = "sg-%{if var.prod}prod%{else}dev%{endif}" })', '}', "",
    ].join("\n");
    expect(await lintTerraform([{ path: "main.tf", content }])).toEqual([]);
  });

  it("reports an unclosed block at the line that opens it", async () => {
    const broken = example("main.tf").content.replace("  tags = {\n    Name = var.environment.name\n  }\n}", "  tags = {\n    Name = var.environment.name\n  }\n");
    const diagnostics = await lintTerraform([{ path: "vpc/v1/infrastructure/main.tf", content: broken }]);
    expect(at(diagnostics)).toEqual([expect.stringMatching(/^vpc\/v1\/infrastructure\/main\.tf:17:27: Unclosed configuration block: There is no closing brace/)]);
    expect(diagnostics[0]).toMatchObject({ severity: "error", code: "tf-syntax" });
  });

  it("reports a missing comma, a missing value and a repeated argument at their own lines", async () => {
    const content = 'resource "aws_vpc" "main" {\n  cidr_block = "10.0.0.0/16"\n  azs = ["a", "b"\n    "c"]\n}\n';
    expect(at(await lintTerraform([{ path: "main.tf", content }]))).toEqual([expect.stringMatching(/^main\.tf:4:5: Missing item separator: Expected a comma/)]);
    const missing = await lintTerraform([{ path: "a.tf", content: 'output "id" {\n  value =\n}\n' }]);
    expect(at(missing)).toEqual([expect.stringMatching(/^a\.tf:2:10: Invalid expression: Expected the start of an expression/)]);
    const repeated = await lintTerraform([{ path: "b.tf", content: 'output "id" {\n  value = 1\n  value = 2\n}\n' }]);
    expect(at(repeated)).toEqual(['b.tf:3:3: Attribute redefined: The argument "value" was already set at b.tf:2,3-8. Each argument may be set only once.']);
  });

  it("reports an unterminated string and an unterminated heredoc", async () => {
    const quote = await lintTerraform([{ path: "q.tf", content: 'a = 1\nb = "oops\nc = 2\n' }]);
    expect(quote.map((d) => d.line)).toContain(2);
    expect(quote.every((d) => d.file === "q.tf" && d.code === "tf-syntax")).toBe(true);
    const heredoc = await lintTerraform([{ path: "h.tf", content: 'x = <<EOT\nhello\n' }]);
    expect(heredoc).toEqual([expect.objectContaining({ file: "h.tf", line: 3, message: expect.stringMatching(/^Unterminated template string/) })]);
  });

  it("checks each file on its own and reports errors in every broken one", async () => {
    const diagnostics = await lintTerraform([
      { path: "ok.tf", content: "a = 1\n" },
      { path: "one.tf", content: "}\n" },
      { path: "two.tfvars", content: "region = \n" },
      { path: "README.md", content: "{ not hcl" },
    ]);
    expect(diagnostics.map((d) => `${d.file}:${d.line}`)).toEqual(["one.tf:1", "two.tfvars:1"]);
  });

  it("reports invalid JSON in .tf.json and .tfvars.json files at its line", async () => {
    const diagnostics = await lintTerraform([{ path: "proton.auto.tfvars.json", content: '{\n  "a": 1,\n  "b": \n}\n' }]);
    expect(diagnostics).toEqual([expect.objectContaining({ file: "proton.auto.tfvars.json", line: 4, column: 1, code: "tf-json-syntax", message: 'invalid JSON: expected a value, found "}"' })]);
  });

  it("turns input the parser cannot handle into a diagnostic, not an exception", async () => {
    const deep = `x = ${"[".repeat(100_000)}${"]".repeat(100_000)}\n`;
    const diagnostics = await lintTerraform([{ path: "deep.tf", content: deep }]);
    expect(diagnostics).toEqual([expect.objectContaining({ file: "deep.tf", severity: "error", code: "tf-syntax" })]);
    // The parser still works afterwards.
    expect(await lintTerraform([{ path: "next.tf", content: "a = [\n" }])).toHaveLength(1);
  });
});
