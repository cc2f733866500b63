/** The hub's log: one line per event, fields as `key=value`, errors with their stack. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

function format(level: string, message: string, fields: Record<string, unknown> = {}): string {
  const parts = [`${new Date().toISOString()} ${level} ${message}`];
  for (const [key, value] of Object.entries(fields)) {
    if (value instanceof Error) continue;
    parts.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  const error = Object.values(fields).find((value) => value instanceof Error);
  return error ? `${parts.join(' ')}\n${error.stack ?? error.message}` : parts.join(' ');
}

export function createConsoleLogger(): Logger {
  return {
    info: (message, fields) => console.log(format('info', message, fields)),
    warn: (message, fields) => console.warn(format('warn', message, fields)),
    error: (message, fields) => console.error(format('error', message, fields)),
  };
}

/** For tests: keeps what was logged instead of printing it. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (message, fields) => lines.push(format('info', message, fields)),
    warn: (message, fields) => lines.push(format('warn', message, fields)),
    error: (message, fields) => lines.push(format('error', message, fields)),
  };
}
