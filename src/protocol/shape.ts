/**
 * A structural validator just large enough for the wire catalogue: strings, finite numbers,
 * bounded integers, string enums, optional fields, arrays and loose objects. zod/mini did
 * this job at 7 kB of the core's 10 kB gzip budget; this is under 0.5 kB. zod stays the
 * reference: test/protocol/reference.property.test.ts checks that both accept the same
 * values and that the inferred types are the same.
 */

/** Where a value failed and why. Built only on failure: a valid frame allocates nothing. */
export interface Issue {
  readonly path: PropertyKey[]
  readonly message: string
}

declare const output: unique symbol
declare const optionalKey: unique symbol

/** Checks a value; returns undefined when it fits. `T` is what a fitting value is. */
export type Shape<T> = ((value: unknown) => Issue | undefined) & { readonly [output]?: T }
/** A shape whose key may be absent from its object. */
export type Optional<T> = Shape<T | undefined> & { readonly [optionalKey]: true }
export type Infer<S> = S extends Shape<infer T> ? T : never

type Fields = Readonly<Record<string, Shape<unknown>>>
type Simplify<T> = { [K in keyof T]: T[K] } & {}
/**
 * Loose: keys the shape does not name are kept, so a newer server may add fields. Optional
 * keys are `?:` with `undefined` allowed, exactly as zod infers them.
 */
export type ObjectOf<F extends Fields> = Simplify<
  { -readonly [K in keyof F as F[K] extends Optional<unknown> ? never : K]: Infer<F[K]> } & {
    -readonly [K in keyof F as F[K] extends Optional<unknown> ? K : never]?: Infer<F[K]>
  } & { [key: string]: unknown }
>

const check =
  <T>(test: (value: unknown) => boolean, expected: string): Shape<T> =>
  (value) =>
    test(value) ? undefined : { path: [], message: `expected ${expected}` }

export const string = check<string>((value) => typeof value === 'string', 'a string')
export const boolean = check<boolean>((value) => typeof value === 'boolean', 'a boolean')
/** JSON.parse turns 1e999 into Infinity: not a number any server meant. */
export const number = check<number>(Number.isFinite, 'a number')
/** Any JSON value, but present: JSON has no `undefined`, so undefined means the key is missing. */
export const unknown = check<unknown>((value) => value !== undefined, 'a value')
export const atLeast = (min: number) =>
  check<number>((value) => Number.isFinite(value) && (value as number) >= min, `a number ≥ ${min}`)
export const integer = (min = Number.MIN_SAFE_INTEGER) =>
  check<number>(
    (value) => Number.isSafeInteger(value) && (value as number) >= min,
    min === Number.MIN_SAFE_INTEGER ? 'an integer' : `an integer ≥ ${min}`,
  )
export const oneOf = <const V extends readonly string[]>(values: V) =>
  check<V[number]>((value) => values.includes(value as string), `one of ${values.join(', ')}`)

// The brand exists only in the type: the runtime check already lets `undefined` through.
export const optional = <T>(shape: Shape<T>) =>
  ((value: unknown) => (value === undefined ? undefined : shape(value))) as Optional<T>

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Prefixes the failing key, so the message names the field: `data.tokens.input`. */
const at = (key: PropertyKey, issue: Issue | undefined): Issue | undefined => {
  issue?.path.unshift(key)
  return issue
}

export const array =
  <T>(item: Shape<T>): Shape<T[]> =>
  (value) => {
    if (!Array.isArray(value)) return { path: [], message: 'expected an array' }
    for (let i = 0; i < value.length; i++) {
      const issue = at(i, item(value[i]))
      if (issue !== undefined) return issue
    }
    return undefined
  }

export const object = <F extends Fields>(fields: F): Shape<ObjectOf<F>> => {
  const keys = Object.keys(fields)
  const shapes = Object.values(fields)
  return (value) => {
    if (!isRecord(value)) return { path: [], message: 'expected an object' }
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string
      const issue = at(key, shapes[i]?.(value[key]))
      if (issue !== undefined) return issue
    }
    return undefined
  }
}

/** `tokens.input: expected a number ≥ 0`, for error messages. */
export const describeIssue = (issue: Issue): string => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`
