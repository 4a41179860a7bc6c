import { ConfigError, loadConfig } from '../../libs/config/config';

describe('configuration', () => {
  it('has defaults for a local run', () => {
    const config = loadConfig({});
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'epi-ops' });
    expect(config.timeZone).toBe('Asia/Shanghai');
    expect(config.databaseUrl).toBeUndefined();
  });

  it.each([
    [{ TEMPORAL_ADDRESS: 'localhost' }, 'TEMPORAL_ADDRESS'],
    [{ TEMPORAL_ADDRESS: 'localhost:99999' }, 'TEMPORAL_ADDRESS'],
    [{ DATABASE_URL: 'mysql://x@y/z' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ TZ: 'Mars/Olympus' }, 'TZ'],
    [{ API_PORT: 'eighty' }, 'API_PORT'],
    [{ TEMPORAL_TLS_CERT: '/nonexistent/cert.pem' }, 'TEMPORAL_TLS_CERT'],
    [{ TEMPORAL_TLS: 'maybe' }, 'TEMPORAL_TLS'],
    [{ TEMPORAL_NAMESPACE: 'bad namespace' }, 'TEMPORAL_NAMESPACE'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as ConfigError).message).toMatch(new RegExp(`^${variable}: `));
    }
  });

  it('turns on TLS for an API key (Temporal Cloud)', () => {
    expect(loadConfig({ TEMPORAL_API_KEY: 'k', TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233' }).temporal.tls).toBeDefined();
  });
});
