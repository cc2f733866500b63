// `@types/react-dom` is not installed; the baseline page needs only this much of `react-dom/client`.
declare module 'react-dom/client' {
  import type { ReactNode } from 'react';
  export function createRoot(container: Element): { render(children: ReactNode): void };
}
