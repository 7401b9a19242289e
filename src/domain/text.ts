// Small text helpers shared by every layer.

/** The first `max` UTF-16 units of `value`. */
export function truncate(value: string, max: number): string {
  return value.length > max ? value.slice(0, max) : value
}
