export function temporalCli(options?: { build?: boolean }): string;
export function testServer(options?: { fetch?: boolean }): string;
export const cacheRoot: string;
export function goInstall(options: { what: string; packages: string[]; bin: string; minutes: number; missing: string }): void;
export function isExecutable(file: string): boolean;
export function removeAbandonedBuilds(root: string): void;
