import { existsSync } from 'node:fs';
import { config } from 'dotenv';

/**
 * Reads `.env` from the working folder when there is one, as the seed designs are configured
 * (`.env.example` lists every setting). What the environment already sets wins. Imported first
 * by the entry points, so that the logger, created as its module loads, sees LOG_LEVEL too.
 */
if (existsSync('.env')) config({ path: '.env', quiet: true });
