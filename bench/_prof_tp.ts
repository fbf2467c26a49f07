import { follow } from './lib/client.js'
import { createFeed } from './lib/feed.js'
import { chunked, encode, liveSession } from './lib/wire.js'
const rec = liveSession(16)
const chunks = chunked(encode(rec.events), 16384)
for (let i = 0; i < 40; i++) {
  const feed = createFeed()
  const f = follow({ fetch: feed.fetch })
  void feed.push(chunks)
  await f.until((v) => v.cursor === rec.lastSeq && v.activity === 'idle')
  f.close()
}
