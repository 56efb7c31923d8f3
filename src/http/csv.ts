// CSV cells that a spreadsheet would run as a formula (= + - @, tab, carriage return) are prefixed with a quote.
export function neutralizeCsvCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
