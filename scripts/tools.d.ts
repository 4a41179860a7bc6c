export function temporalCli(options?: { build?: boolean }): string;
export function testServer(options?: { fetch?: boolean }): string;
export const cacheRoot: string;
