/** Progress and tables for the bench's output: progress on stderr, figures on stdout. */

let lastStatus = 0;

/** Progress on stderr: one line rewritten in place on a terminal, a line every 5 s otherwise. */
export function status(text: string): void {
  const now = Date.now();
  if (process.stderr.isTTY) {
    if (now - lastStatus >= 100) process.stderr.write(`\r\x1b[K${text}`);
  } else if (now - lastStatus >= 5_000) process.stderr.write(`${text}\n`);
  else return;
  lastStatus = now;
}

/** Clears the progress line before the figures are printed. */
export function clearStatus(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

/** Prints rows as right-aligned columns. */
export function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padStart(widths[column]!)).join('  '));
}
