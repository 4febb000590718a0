// The CloudFormation stacks of one account and region, as `baryon import` reads
// them: the tags, parameters and state each stack was left with. No SDK types.

export interface DeployedStack {
  name: string;
  /** CREATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, … */
  status: string;
  tags: Record<string, string>;
  /** ParameterKey → ParameterValue; a NoEcho parameter reads "****". */
  parameters: Record<string, string>;
}

export interface StackSource {
  /** Where the stacks are read, for messages: "us-east-1". */
  where: string;
  /** Every stack that exists (deleted ones left out). Throws StackSourceError. */
  listStacks(): Promise<DeployedStack[]>;
}

/** The stacks could not be read: no credentials, access denied, no such endpoint. */
export class StackSourceError extends Error {
  override name = "StackSourceError";
}
