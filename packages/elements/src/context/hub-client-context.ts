import { createContext } from '@lit/context';
import type { HubClient } from '@teacher-hub/core';

/**
 * The `HubClient` shared by every element inside a provider (`<teacher-hub>`). The key is a registered
 * symbol so that elements from a second copy of the SDK on the page still find the first copy's client.
 */
export const hubClientContext = createContext<HubClient | undefined>(Symbol.for('teacher-hub.client'));
export type HubClientContext = typeof hubClientContext;
