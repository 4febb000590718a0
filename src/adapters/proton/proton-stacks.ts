// StackSource over the AWS SDK: DescribeStacks, page by page, for every stack of
// the region (deleted stacks are not listed). Credentials come from the SDK's
// chain, or the named profile; an endpoint serves tests (moto) and private endpoints.
import { CloudFormationClient, paginateDescribeStacks, type Stack } from "@aws-sdk/client-cloudformation";
import { StackSourceError, type DeployedStack, type StackSource } from "../../ports/stack-source.js";

export interface StackSourceOptions {
  region: string;
  profile?: string;
  endpoint?: string;
  /** A client to use as it is (tests). */
  client?: CloudFormationClient;
}

export function cloudFormationStackSource(options: StackSourceOptions): StackSource {
  const client = options.client ?? new CloudFormationClient({
    region: options.region,
    // As the provisioner does: throttling is retried with backoff rather than failing the import.
    maxAttempts: 10, retryMode: "adaptive",
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  const where = `${options.region}${options.profile ? ` (profile ${options.profile})` : ""}${options.endpoint ? ` at ${options.endpoint}` : ""}`;
  return {
    where,
    async listStacks() {
      const stacks: DeployedStack[] = [];
      try {
        for await (const page of paginateDescribeStacks({ client }, {})) {
          for (const stack of page.Stacks ?? []) if (stack.StackStatus !== "DELETE_COMPLETE") stacks.push(deployedStack(stack));
        }
      } catch (error) {
        const e = error as { name?: string; message?: string };
        throw new StackSourceError(`could not list the CloudFormation stacks of ${where}: ${e.name && e.name !== "Error" ? `${e.name}: ` : ""}${e.message ?? String(error)}`, { cause: error });
      }
      return stacks;
    },
  };
}

function deployedStack(stack: Stack): DeployedStack {
  return {
    name: stack.StackName ?? "",
    status: stack.StackStatus ?? "UNKNOWN",
    tags: Object.fromEntries((stack.Tags ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])),
    parameters: Object.fromEntries((stack.Parameters ?? []).map((p) => [p.ParameterKey ?? "", p.ParameterValue ?? ""])),
  };
}
