import { profileLarge } from './_dc_prof.js'
await profileLarge()
