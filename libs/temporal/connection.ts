import { Client, Connection, ConnectionLike, ConnectionOptions, WorkflowClientInterceptor } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { AppConfig } from '../config/config';
import { AesGcmPayloadCodec } from './payload-codec';
import { UpdateOnceInterceptor } from './workflow-calls';
import { ALL_SEARCH_ATTRIBUTES } from './search-attributes';

function connectionOptions(config: AppConfig['temporal']): ConnectionOptions & NativeConnectionOptions {
  return {
    address: config.address,
    tls: config.tls
      ? { serverNameOverride: config.tls.serverName, serverRootCACertificate: config.tls.ca, clientCertPair: config.tls.clientCert }
      : undefined,
    apiKey: config.apiKey,
  };
}

/** Loaded by path by clients, the worker and the workflow bundle (libs/temporal/failure-converter.ts). */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure-converter');

/**
 * Every client of the project encrypts payloads, and failure messages with them, under the
 * configured keys; one place says how.
 */
export function dataConverterFor(config: AppConfig['temporal']): DataConverter | undefined {
  return config.payloadKeys ? { payloadCodecs: [new AesGcmPayloadCodec(config.payloadKeys)], failureConverterPath: FAILURE_CONVERTER_PATH } : undefined;
}

/** The worker's: a client's, whose codec also marks plaintext payloads sent to a workflow for its guard to refuse. */
export function workerDataConverter(config: AppConfig['temporal']): DataConverter | undefined {
  if (!config.payloadKeys) return undefined;
  return { payloadCodecs: [new AesGcmPayloadCodec(config.payloadKeys, { refusePlaintext: config.refusePlaintextPayloads })], failureConverterPath: FAILURE_CONVERTER_PATH };
}

export async function connectClient(config: AppConfig['temporal']): Promise<Client> {
  return clientOn(await Connection.connect({ ...connectionOptions(config), connectTimeout: '10s' }), config);
}

/**
 * The project's client over a connection: payloads encrypted, every update sent once under its id
 * and read back on failure (workflow-calls.ts), then `below` (a test's faults, met after that).
 */
export function clientOn(connection: ConnectionLike, config: AppConfig['temporal'], ...below: WorkflowClientInterceptor[]): Client {
  return new Client({ connection, namespace: config.namespace, dataConverter: dataConverterFor(config), interceptors: { workflow: [new UpdateOnceInterceptor(connection, config.namespace), ...below] } });
}

export function connectWorker(config: AppConfig['temporal']): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}

/**
 * Registers the project's search attributes on a namespace, one by one, keeping those that exist
 * (a dev server started by the project has them already; the time-skipping server and a fresh
 * cluster need this; the time-skipping server cannot list them, so each is simply added).
 */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const { IndexedValueType } = temporal.api.enums.v1;
  const types: Record<string, number> = { KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME };
  for (const key of ALL_SEARCH_ATTRIBUTES) {
    try {
      await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: { [key.name]: types[key.type] } });
    } catch (error) {
      // 6 ALREADY_EXISTS
      if ((error as { code?: number }).code !== 6 && !/already/i.test((error as Error).message)) throw error;
    }
  }
}
