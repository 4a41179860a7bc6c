import { Client, Connection, ConnectionOptions } from '@temporalio/client';
import { NativeConnection, NativeConnectionOptions } from '@temporalio/worker';
import { AppConfig } from '../config/config';

function connectionOptions(config: AppConfig['temporal']): ConnectionOptions & NativeConnectionOptions {
  return {
    address: config.address,
    tls: config.tls
      ? { serverNameOverride: config.tls.serverName, serverRootCACertificate: config.tls.ca, clientCertPair: config.tls.clientCert }
      : undefined,
    apiKey: config.apiKey,
  };
}

export async function connectClient(config: AppConfig['temporal']): Promise<Client> {
  const connection = await Connection.connect({ ...connectionOptions(config), connectTimeout: '10s' });
  return new Client({ connection, namespace: config.namespace });
}

export function connectWorker(config: AppConfig['temporal']): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}
