import type { TurnInput } from '../../mock-server/index.js'

/*
 * The mock server replays whatever turn it is given. These scripts make the replies feel
 * like an assistant at work: a little reasoning, one or two tools with JSON input and
 * output, then an answer. The choice depends on the prompt only, so a test can predict it.
 */

type Scenario = (prompt: string) => Omit<TurnInput, 'prompt' | 'intervalMs'>

const quote = (prompt: string): string => `“${prompt.length > 120 ? `${prompt.slice(0, 119)}…` : prompt}”`

const weather: Scenario = (prompt) => ({
  reasoning:
    'The user wants a forecast. I will look up the next three days for Lisbon, then convert the temperatures so the answer reads naturally.',
  tools: [
    {
      name: 'weather.forecast',
      input: { city: 'Lisbon', days: 3, units: 'metric' },
      output: JSON.stringify({
        city: 'Lisbon',
        days: [
          { date: 'Mon', high: 21, low: 14, sky: 'sunny' },
          { date: 'Tue', high: 19, low: 13, sky: 'light rain' },
          { date: 'Wed', high: 22, low: 15, sky: 'clear' },
        ],
      }),
    },
  ],
  text:
    `You asked ${quote(prompt)}. Lisbon looks pleasant: 21 °C and sunny on Monday, a cooler 19 °C with light rain on Tuesday, ` +
    'then clear skies and 22 °C on Wednesday. Take a light jacket for Tuesday evening.',
})

const code: Scenario = (prompt) => ({
  reasoning:
    'This is about the code base. Search for where the reducer folds deltas, open the file, and explain the structural sharing it relies on.',
  tools: [
    {
      name: 'search.code',
      input: { query: 'foldEvents delta', repo: 'session-stream', limit: 3 },
      output: JSON.stringify({
        hits: [
          { path: 'src/view/fold.ts', line: 42 },
          { path: 'src/view/parts.ts', line: 17 },
          { path: 'src/store/session-store.ts', line: 88 },
        ],
      }),
    },
    {
      name: 'fs.read',
      input: { path: 'src/view/fold.ts', lines: [40, 60] },
      output: JSON.stringify({
        path: 'src/view/fold.ts',
        lines: [40, 60],
        excerpt: 'export function foldEvents(events, state = initialView(), onOutcome) { const draft = createDraft(state) … }',
      }),
    },
  ],
  text:
    `You asked ${quote(prompt)}. The store batches events per animation frame and hands them to foldEvents, ` +
    'a pure reducer that copies only the path to the part a delta touches. Untouched messages keep their identity, ' +
    'so a component watching one part re-renders only while that part streams.',
})

const maths: Scenario = (prompt) => ({
  reasoning: 'A quick calculation: evaluate it with the calculator rather than by hand, then round sensibly.',
  tools: [
    {
      name: 'calculator',
      input: { expression: '(1.07 ** 10) * 2500', precision: 2 },
      output: JSON.stringify({ result: 4917.88 }),
    },
  ],
  text:
    `You asked ${quote(prompt)}. At 7 % a year, 2,500 grows to about 4,917.88 after ten years: ` +
    'compounding almost doubles it. Every extra year adds a little more than the one before.',
})

const research: Scenario = (prompt) => ({
  reasoning:
    'Open-ended question. Search the docs for the relevant section, skim the top results, and summarise in a few sentences with the key idea first.',
  tools: [
    {
      name: 'docs.search',
      input: { query: prompt.slice(0, 80), top: 2 },
      output: JSON.stringify({
        results: [
          { title: 'Resumable streams', url: 'https://example.test/docs/resume' },
          { title: 'Cursor and replay', url: 'https://example.test/docs/cursor' },
        ],
      }),
    },
    {
      name: 'docs.open',
      input: { url: 'https://example.test/docs/resume' },
      output: JSON.stringify({
        title: 'Resumable streams',
        excerpt: 'Every durable event carries a seq. A client reconnects with after=<last seq> and the server replays the rest.',
      }),
    },
  ],
  text:
    `You asked ${quote(prompt)}. The short answer: every durable event carries a sequence number, ` +
    'and a client that reconnects asks for everything after the last one it applied. ' +
    'Live fragments in between may be lost, so the part is marked incomplete until its end event brings the full text.',
})

const SCENARIOS: readonly [RegExp, Scenario][] = [
  [/\b(weather|rain|sunny|forecast|temperature)\b/i, weather],
  [/\b(code|reducer|bug|function|react|vue|render(ing|s)?)\b/i, code],
  [/\d|\b(math|calculate|percent|interest|sum)\b/i, maths],
]

/** A varied scripted turn for `prompt`, paced at `intervalMs` per delta. */
export function scriptedTurn(prompt: string, intervalMs = 25): TurnInput {
  const scenario = SCENARIOS.find(([pattern]) => pattern.test(prompt))?.[1] ?? research
  return { prompt, intervalMs, chunk: 3, ...scenario(prompt) }
}
