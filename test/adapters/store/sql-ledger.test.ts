import { openTestPglite } from '../../helpers/stores.js';
import { describeLedgerContract } from './ledger-contract.js';
import { describeStoreContract } from './store-contract.js';

// The same contracts run against a real Postgres server in test/integration/store.
describeStoreContract('PGlite', openTestPglite);
describeLedgerContract('PGlite', openTestPglite);
