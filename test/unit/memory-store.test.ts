// The in-memory twin must behave like the DynamoDB adapter: same contract, no engine.
import { beforeEach, describe } from 'vitest';
import { MemoryStore } from '../../app/memory-store';
import { storeContract } from '../support/store-contract';

describe('MemoryStore', () => {
  let store: MemoryStore;
  beforeEach(() => {
    store = new MemoryStore();
  });
  storeContract(() => store);
});
