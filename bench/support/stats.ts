/** Small numeric helpers the benches share. */

/** The `q` quantile (0…1) of `values`, nearest-rank; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}

/** `12.3 ms` below 100 ms, `123 ms` above. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return '— ms';
  return value < 100 ? `${value.toFixed(1)} ms` : `${Math.round(value)} ms`;
}

/** A rate with thousands separated: `1,234/s`. */
export function perSecond(value: number, unit = '/s'): string {
  return `${Math.round(value).toLocaleString('en-US')}${unit}`;
}

export const round = (value: number, digits = 1): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** A progress line on stderr (stdout is the table's). */
export const log = (line: string): void => {
  process.stderr.write(`#   ${line}\n`);
};
