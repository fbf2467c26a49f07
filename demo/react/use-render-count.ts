import { useEffect, useRef, type RefObject } from 'react'

/**
 * Counts the calling component's commits and writes the count into the returned span,
 * without a state update (which would itself render). Shown next to each part, it makes
 * visible that only the part that is streaming re-renders. Counting in an effect, not in
 * render, keeps StrictMode's double render out of the number.
 */
export function useRenderCount(): RefObject<HTMLSpanElement | null> {
  const count = useRef(0)
  const label = useRef<HTMLSpanElement | null>(null)
  useEffect(() => {
    count.current++
    if (label.current !== null) label.current.textContent = `${count.current} render${count.current === 1 ? '' : 's'}`
  })
  return label
}
