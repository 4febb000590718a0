export function buildSandbox(): Promise<void>;
