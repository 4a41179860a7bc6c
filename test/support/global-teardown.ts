export default async function globalTeardown(): Promise<void> {
  const stops = (globalThis as { __epiStop?: Array<() => Promise<void>> }).__epiStop ?? [];
  for (const stop of stops.reverse()) await stop();
}
