/**
 * Errors that reach a user carry a stable code (for logs, support and tests), a message that
 * says what happened, a hint that says what to do, and the original cause.
 */
export const ErrorCodes = {
  CONFIG_INVALID: 'PL_CONFIG_INVALID',
  CONFIG_UNREADABLE: 'PL_CONFIG_UNREADABLE',
  DEVICE_UNREACHABLE: 'PL_DEVICE_UNREACHABLE',
  DEVICE_TIMEOUT: 'PL_DEVICE_TIMEOUT',
  DEVICE_EXCEPTION: 'PL_DEVICE_EXCEPTION',
  DECODE_FAILED: 'PL_DECODE_FAILED',
  PAYLOAD_INVALID: 'PL_PAYLOAD_INVALID',
  OUTBOX_FAILED: 'PL_OUTBOX_FAILED',
  /** The edge's disk is full: the outbox refused samples (counted; a `disk_full` gap record tells the cloud). */
  OUTBOX_DISK_FULL: 'PL_OUTBOX_DISK_FULL',
  STORE_FAILED: 'PL_STORE_FAILED',
  LISTEN_FAILED: 'PL_LISTEN_FAILED',
  BAD_REQUEST: 'PL_BAD_REQUEST',
  NOT_FOUND: 'PL_NOT_FOUND',
  /** An action that does not fit the current state (e.g. closing a closed alarm): HTTP 409. */
  STATE_CONFLICT: 'PL_STATE_CONFLICT',
  /** No valid credentials (HTTP 401): log in, or send `Authorization: Bearer <token or API key>`. */
  UNAUTHENTICATED: 'PL_UNAUTHENTICATED',
  /** The identity's role may not do this, or the route has no access entry (HTTP 403). */
  FORBIDDEN: 'PL_FORBIDDEN',
  /**
   * Too many failed logins: the account is locked for a while (HTTP 423). Kept for clients that
   * know it; login no longer answers with it: a locked account gets PL_UNAUTHENTICATED, exactly
   * as an unknown name does, so names cannot be told apart (issue 13).
   */
  ACCOUNT_LOCKED: 'PL_ACCOUNT_LOCKED',
  /** The password is older than the policy allows: change it first (HTTP 403). */
  PASSWORD_EXPIRED: 'PL_PASSWORD_EXPIRED',
  /** An edge did not answer a command in time, or the cloud cannot reach the broker (HTTP 504). */
  EDGE_UNREACHABLE: 'PL_EDGE_UNREACHABLE',
  /** A request body over the limit (HTTP 413). */
  PAYLOAD_TOO_LARGE: 'PL_PAYLOAD_TOO_LARGE',
  /** An MQTT message the edge would send is larger than the broker's limit (uplink.maxMessageBytes): refused at the edge, never sent. */
  MESSAGE_TOO_LARGE: 'PL_MESSAGE_TOO_LARGE',
  /** Too many failed logins from this address (or from everywhere): wait `Retry-After` seconds (HTTP 429). */
  TOO_MANY_REQUESTS: 'PL_TOO_MANY_REQUESTS',
  /** Too many live streams open for this identity (or in all): close one first (HTTP 429). */
  TOO_MANY_STREAMS: 'PL_TOO_MANY_STREAMS',
  /** Ingest (issue 13): an edge sent samples, alarms, gaps or a birth entry for a point bound to another edge (or unbound, under the strict claim policy). */
  FOREIGN_POINT: 'PL_FOREIGN_POINT',
  /** Ingest: an edge sent events or a birth entry for a camera bound to another edge. */
  FOREIGN_CAMERA: 'PL_FOREIGN_CAMERA',
  /** Ingest: the topic's site differs from the site the registry binds the edge to. */
  SITE_MISMATCH: 'PL_SITE_MISMATCH',
  /** Ingest: a snapshot for an alarm that the cloud never asked that edge for. */
  UNREQUESTED_SNAPSHOT: 'PL_UNREQUESTED_SNAPSHOT',
  /** `parklink pki`: the park PKI could not do what was asked (no CA yet, a name already issued, openssl failed). */
  PKI_FAILED: 'PL_PKI_FAILED',
  /** `parklink cloud audit verify`: an audit row's SM3 chain hash does not match its content or its predecessor. */
  AUDIT_CHAIN_BROKEN: 'PL_AUDIT_CHAIN_BROKEN',
  /** A device refused the edge's application certificate, or the edge does not trust the device's (OPC UA, Part 4 §5.4.1). */
  DEVICE_CERT_REJECTED: 'PL_DEVICE_CERT_REJECTED',
  /** A device refused the edge's user identity (wrong username or password, or a refused user certificate). */
  DEVICE_AUTH_FAILED: 'PL_DEVICE_AUTH_FAILED',
  /** The edge's at-rest key (storage.encryption.keyFile) is missing, unreadable, too open, or not the key its stored data was sealed with: the agent does not start, and touches no data. */
  AT_REST_KEY: 'PL_AT_REST_KEY',
  /** The device offers no endpoint with the configured security policy and mode (OPC UA, Part 4 §5.4.2). */
  DEVICE_SECURITY_MISMATCH: 'PL_DEVICE_SECURITY_MISMATCH',
  /** Issue 20: a message whose signature, signer, counter (a replay) or encryption did not verify: refused, counted, a security event. */
  SIGNATURE_INVALID: 'PL_SIGNATURE_INVALID',
  /** `parklink edge validate` (issue 20): a key, certificate or CA file missing, unreadable, or not what its field needs. */
  CRYPTO_FILE: 'PL_CRYPTO_FILE',
  /** A private key file group or others may read (keys are 0600, owner the service user). */
  KEY_PERMISSIONS: 'PL_KEY_PERMISSIONS',
  /** A certificate that is not the one of the key beside it. */
  KEY_MISMATCH: 'PL_KEY_MISMATCH',
  /** A certificate not signed by the park CA the config names. */
  CERT_UNTRUSTED: 'PL_CERT_UNTRUSTED',
  /** A certificate (or its CA) expired, or not valid yet. */
  CERT_EXPIRED: 'PL_CERT_EXPIRED',
  /** A certificate issued to another identity than this edge's {site}/{edge}. */
  CERT_IDENTITY: 'PL_CERT_IDENTITY',
  /** A pushed configuration bundle's signature does not verify with the park's public key (issue 19). */
  BUNDLE_SIGNATURE: 'PL_BUNDLE_SIGNATURE',
  /** A pushed configuration bundle names another edge. */
  BUNDLE_WRONG_EDGE: 'PL_BUNDLE_WRONG_EDGE',
  /** A pushed configuration bundle is not newer than the one the edge runs. */
  BUNDLE_STALE: 'PL_BUNDLE_STALE',
  /** A pushed configuration bundle's config is invalid: nothing applied. */
  BUNDLE_INVALID: 'PL_BUNDLE_INVALID',
  /** A pushed configuration could not start: rolled back, the previous config runs. */
  BUNDLE_ROLLED_BACK: 'PL_BUNDLE_ROLLED_BACK',
  /** The edge takes no pushed configuration (no park.publicKeyFile), or the cloud has no signing key (bundles.signingKeyFile). */
  BUNDLE_NOT_ENABLED: 'PL_BUNDLE_NOT_ENABLED',
  /** Live view of a camera cannot be opened from the dashboard: its edge announced no live endpoint, or the cloud's live.dashboardOrigins does not list it (HTTP 409). */
  LIVE_VIEW_UNAVAILABLE: 'PL_LIVE_VIEW_UNAVAILABLE',
  /** Another live cloud replica holds this replica id (cluster.replicaId, issue 16): refused at start. */
  REPLICA_ID_IN_USE: 'PL_REPLICA_ID_IN_USE',
  /** This replica no longer holds the edge's ownership lock (issue 16): its batch was not stored, another replica handles the edge. */
  EDGE_NOT_OWNED: 'PL_EDGE_NOT_OWNED',
} as const

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

export class ParklinkError extends Error {
  readonly code: ErrorCode
  readonly hint: string | undefined

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'ParklinkError'
    this.code = code
    this.hint = options.hint
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
