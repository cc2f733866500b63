/**
 * Whether a page at `origin` may call the hub, from `HUB_ALLOWED_ORIGINS`: exact origins
 * (`https://lms.example.edu`) or any-port patterns (`http://localhost:*`).
 */
export function createOriginMatcher(allowed: readonly string[]): (origin: string) => boolean {
  const exact = new Set<string>();
  const anyPort: string[] = [];
  for (const entry of allowed) {
    if (entry.endsWith(':*')) anyPort.push(entry.slice(0, -2).toLowerCase());
    else exact.add(entry.toLowerCase());
  }
  return (origin) => {
    const candidate = origin.toLowerCase();
    if (exact.has(candidate)) return true;
    const withoutPort = candidate.replace(/:\d{1,5}$/, '');
    return anyPort.includes(withoutPort);
  };
}
