import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { AedesOptions, Client } from 'aedes'
import { identityOf, isAllowed, type BrokerIdentity } from '../../shared/wire/acl.ts'

/**
 * Authentication and the topic rules (shared/wire/acl.ts) as aedes hooks: what Mosquitto does with
 * deploy/mosquitto/parklink.conf (password_file, acl_file, use_username_as_clientid), for the
 * demo's embedded broker. Every client logs in; the client id must be its user name (a CONNECT
 * under another's id is refused before aedes would evict the session holding it); every publish
 * (the will too) and subscription is checked against the rules. An unauthorized publish closes
 * the connection (Mosquitto drops it silently instead); an unauthorized subscription is granted
 * 0x80 (failure) and the connection stays.
 */
export type RefusalReason = 'anonymous' | 'bad_credentials' | 'client_id' | 'publish' | 'subscribe'

export interface BrokerAccess {
  hooks: Required<Pick<AedesOptions, 'authenticate' | 'authorizePublish' | 'authorizeSubscribe'>>
  /** Refusals so far, by reason. */
  refusals: Record<RefusalReason, number>
}

export interface BrokerAccessOptions {
  /** user name → password. */
  users: ReadonlyMap<string, string>
  /** Which of the users are cloud instances (the others must be {site}/{edge}). */
  cloudUsers: readonly string[]
  /** Told of each refusal (the demo logs it); never given a password. */
  onRefused?: (reason: RefusalReason, user: string | undefined, detail: string) => void
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest()
/** Constant-time comparison, also for different lengths (both sides hashed first). */
const samePassword = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected))

export function createBrokerAccess(options: BrokerAccessOptions): BrokerAccess {
  const refusals: Record<RefusalReason, number> = {
    anonymous: 0,
    bad_credentials: 0,
    client_id: 0,
    publish: 0,
    subscribe: 0,
  }
  const identities = new WeakMap<Client, BrokerIdentity>()
  const refuse = (reason: RefusalReason, user: string | undefined, detail: string) => {
    refusals[reason]++
    options.onRefused?.(reason, user, detail)
  }
  const connectError = (returnCode: 2 | 4 | 5, message: string) => Object.assign(new Error(message), { returnCode })

  const hooks: BrokerAccess['hooks'] = {
    authenticate(client, username, password, done) {
      if (username === undefined || password === undefined) {
        refuse('anonymous', username, 'no user name or password')
        return done(connectError(5, 'not authorized: log in with a user name and password'), false)
      }
      const expected = options.users.get(username)
      const identity = identityOf(username, options.cloudUsers)
      if (expected === undefined || identity === null || !samePassword(password.toString('utf8'), expected)) {
        refuse('bad_credentials', username, 'unknown user or wrong password')
        return done(connectError(4, 'bad user name or password'), false)
      }
      if (client.id !== username) {
        refuse('client_id', username, `client id "${client.id}" is not the user name`)
        return done(connectError(2, 'identifier rejected: the client id must be the user name'), false)
      }
      identities.set(client, identity)
      done(null, true)
    },
    authorizePublish(client, packet, done) {
      const identity = client ? identities.get(client) : undefined
      if (identity && isAllowed(identity, 'publish', packet.topic)) return done(null)
      refuse('publish', client?.id, packet.topic)
      done(new Error(`not authorized to publish to ${packet.topic}`))
    },
    authorizeSubscribe(client, sub, done) {
      const identity = identities.get(client)
      if (identity && isAllowed(identity, 'subscribe', sub.topic)) return done(null, sub)
      refuse('subscribe', client.id, sub.topic)
      done(null, null)
    },
  }
  return { hooks, refusals }
}

/** A fresh random password (demo mode: made at each start, handed over in memory, never printed). */
export const randomPassword = (): string => randomBytes(24).toString('base64url')
