// Named crash points for the SIGKILL tests: TROVE_FAULT=<name> kills this process with SIGKILL when it
// reaches that point, so a test can check that nothing half-done survives. A no-op otherwise.
export function faultPoint(name: string): void {
  if (process.env.TROVE_FAULT === name) process.kill(process.pid, 'SIGKILL');
}
