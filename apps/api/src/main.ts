import { CORE } from '@bandeja/core';
process.stdout.write(String(CORE) + '\n');
