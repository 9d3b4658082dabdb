import Database from 'better-sqlite3'

/**
 * A child for the fault campaign's 'database locked': another process (a maintenance tool, a
 * backup, an operator's sqlite3 shell) opens the cloud's database and holds its write lock with
 * BEGIN EXCLUSIVE for the given time. The cloud's writes wait (busy_timeout) and then fail with
 * SQLITE_BUSY; a batch not stored must not be acked, so the edge resends it.
 * Prints "locked" once it holds the lock and "released" when it lets go.
 */
const [file, ms] = [process.argv[2], Number(process.argv[3])]
if (!file || !(ms > 0)) throw new Error('usage: db-locker.ts CLOUD_DB_FILE MILLISECONDS')
const db = new Database(file, { fileMustExist: true })
// The cloud commits often and briefly: wait for a moment between two of its transactions.
db.pragma('busy_timeout = 30000')
db.exec('BEGIN EXCLUSIVE')
process.stdout.write('locked\n')
setTimeout(() => {
  db.exec('COMMIT')
  db.close()
  process.stdout.write('released\n')
}, ms)
