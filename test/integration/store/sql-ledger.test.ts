import { openTestPostgres } from '../../helpers/stores.js';
import { describeLedgerContract } from '../../adapters/store/ledger-contract.js';
import { describeStoreContract } from '../../adapters/store/store-contract.js';

// The same contracts as test/adapters/store/sql-ledger.test.ts, on a real Postgres server.
describeStoreContract('Postgres', openTestPostgres);
describeLedgerContract('Postgres', openTestPostgres);
