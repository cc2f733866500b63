import { startHubProcess, type HubProcess } from '../../../server/src/testing/hub-process.ts';

export type RunningHub = HubProcess;

/** Starts the hub as `npm start` does (without rebuilding the SDK: `npm test` builds it first). */
export function startHub(env: Record<string, string> = {}): Promise<RunningHub> {
  return startHubProcess(env);
}
