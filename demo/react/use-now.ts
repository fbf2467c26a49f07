import { useEffect, useState } from 'react'

/** The current time, re-read every `everyMs`: for ages and countdowns that tick. */
export function useNow(everyMs = 250): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs)
    return () => clearInterval(timer)
  }, [everyMs])
  return now
}
