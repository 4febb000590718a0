// Proton's API has one set of calls per template kind; this maps both onto one shape,
// so the publisher reads as one sequence of steps.
import {
  CreateEnvironmentTemplateCommand, CreateEnvironmentTemplateVersionCommand, CreateServiceTemplateCommand,
  CreateServiceTemplateVersionCommand, GetEnvironmentTemplateCommand, GetEnvironmentTemplateVersionCommand,
  GetServiceTemplateCommand, GetServiceTemplateVersionCommand, UpdateEnvironmentTemplateVersionCommand,
  UpdateServiceTemplateVersionCommand, waitUntilEnvironmentTemplateVersionRegistered,
  waitUntilServiceTemplateVersionRegistered, type ProtonClient, type ServiceTemplateSupportedComponentSourceType,
} from "@aws-sdk/client-proton";
import type { TemplateKind } from "../../bundle/model.js";
import type { ProtonVersion } from "./types.js";

/** A template version as Proton reports it. */
export interface VersionState {
  major: string;
  minor: string;
  status: string;
  statusMessage?: string;
}

export interface VersionRef {
  templateName: string;
  majorVersion: string;
  minorVersion: string;
}

export interface CreateRequest {
  version: ProtonVersion;
  source: { bucket: string; key: string };
  clientToken: string;
}

export interface WaitOptions {
  maxWaitTime: number;
  minDelay: number;
  maxDelay: number;
}

export interface KindApi {
  /** Operation names, for errors. */
  readonly names: { create: string; get: string; update: string; getTemplate: string; createTemplate: string };
  createVersion(client: ProtonClient, request: CreateRequest): Promise<VersionState>;
  getVersion(client: ProtonClient, ref: VersionRef): Promise<VersionState>;
  /** The SDK's waiter; resolves or throws, and the caller reads the outcome with getVersion. */
  waitRegistered(client: ProtonClient, ref: VersionRef, options: WaitOptions): Promise<unknown>;
  publishVersion(client: ProtonClient, ref: VersionRef): Promise<void>;
  templateExists(client: ProtonClient, name: string): Promise<void>;
  createTemplate(client: ProtonClient, name: string): Promise<void>;
}

interface RawVersion {
  majorVersion?: string;
  minorVersion?: string;
  status?: string;
  statusMessage?: string;
}

function state(raw: RawVersion | undefined): VersionState {
  const result: VersionState = { major: raw?.majorVersion ?? "", minor: raw?.minorVersion ?? "", status: raw?.status ?? "" };
  if (raw?.statusMessage) result.statusMessage = raw.statusMessage;
  return result;
}

/** A minor names its major; a new major leaves majorVersion out and Proton picks the next one. */
function majorVersionOf(version: ProtonVersion): { majorVersion?: string } {
  return version.isNewMajor ? {} : { majorVersion: String(version.major) };
}

const environment: KindApi = {
  names: {
    create: "CreateEnvironmentTemplateVersion", get: "GetEnvironmentTemplateVersion", update: "UpdateEnvironmentTemplateVersion",
    getTemplate: "GetEnvironmentTemplate", createTemplate: "CreateEnvironmentTemplate",
  },
  async createVersion(client, { version, source, clientToken }) {
    const answer = await client.send(new CreateEnvironmentTemplateVersionCommand({
      templateName: version.template,
      ...majorVersionOf(version),
      source: { s3: source },
      clientToken,
      ...(version.description ? { description: version.description } : {}),
    }));
    return state(answer.environmentTemplateVersion);
  },
  async getVersion(client, ref) {
    return state((await client.send(new GetEnvironmentTemplateVersionCommand(ref))).environmentTemplateVersion);
  },
  waitRegistered: (client, ref, options) => waitUntilEnvironmentTemplateVersionRegistered({ client, ...options }, ref),
  async publishVersion(client, ref) {
    await client.send(new UpdateEnvironmentTemplateVersionCommand({ ...ref, status: "PUBLISHED" }));
  },
  async templateExists(client, name) {
    await client.send(new GetEnvironmentTemplateCommand({ name }));
  },
  async createTemplate(client, name) {
    await client.send(new CreateEnvironmentTemplateCommand({ name, description: "Created by Baryon" }));
  },
};

const service: KindApi = {
  names: {
    create: "CreateServiceTemplateVersion", get: "GetServiceTemplateVersion", update: "UpdateServiceTemplateVersion",
    getTemplate: "GetServiceTemplate", createTemplate: "CreateServiceTemplate",
  },
  async createVersion(client, { version, source, clientToken }) {
    const sources = version.supportedComponentSources ?? [];
    const answer = await client.send(new CreateServiceTemplateVersionCommand({
      templateName: version.template,
      ...majorVersionOf(version),
      source: { s3: source },
      clientToken,
      compatibleEnvironmentTemplates: (version.compatibleEnvironments ?? []).map((env) => ({ templateName: env.name, majorVersion: String(env.major) })),
      ...(sources.length > 0 ? { supportedComponentSources: sources as ServiceTemplateSupportedComponentSourceType[] } : {}),
      ...(version.description ? { description: version.description } : {}),
    }));
    return state(answer.serviceTemplateVersion);
  },
  async getVersion(client, ref) {
    return state((await client.send(new GetServiceTemplateVersionCommand(ref))).serviceTemplateVersion);
  },
  waitRegistered: (client, ref, options) => waitUntilServiceTemplateVersionRegistered({ client, ...options }, ref),
  async publishVersion(client, ref) {
    await client.send(new UpdateServiceTemplateVersionCommand({ ...ref, status: "PUBLISHED" }));
  },
  async templateExists(client, name) {
    await client.send(new GetServiceTemplateCommand({ name }));
  },
  async createTemplate(client, name) {
    await client.send(new CreateServiceTemplateCommand({ name, description: "Created by Baryon" }));
  },
};

export const KINDS: Record<TemplateKind, KindApi> = { environment, service };
