import { TopicId } from '../../shared/wire/ids.ts'
import { edgeUser } from '../../shared/wire/acl.ts'
import { ErrorCodes, ParklinkError } from '../../shared/errors.ts'
import type { IssueKind } from './layout.ts'

/**
 * The names certificates are issued to. The certificate's CN IS the broker identity of
 * shared/wire/acl.ts (Mosquitto: use_identity_as_username), so the ACL stays in that one place:
 * an edge's CN is `{site}/{edge}` (X.509 allows '/' in a CN; Mosquitto takes the CN verbatim and
 * substitutes it for %u), a cloud instance's CN is its broker user name, a broker's its host name.
 * The OU says which kind (edge | cloud | broker).
 */
export interface Identity {
  kind: IssueKind
  cn: string
}

const usage = (message: string, hint: string) => new ParklinkError(ErrorCodes.PKI_FAILED, message, { hint })

/** `{site}/{edge}`, or `{site}.{edge}` when neither id has a '.' of its own. */
export function edgeIdentity(name: string): Identity {
  const parts = name.includes('/') ? name.split('/') : name.split('.')
  const [site, edge] = parts
  if (parts.length !== 2 || !TopicId.safeParse(site).success || !TopicId.safeParse(edge).success) {
    throw usage(
      `"${name}" is not an edge name`,
      'give {site}/{edge} (or {site}.{edge} when neither contains a "."), e.g. huaian/edge-01',
    )
  }
  return { kind: 'edge', cn: edgeUser(site!, edge!) }
}

export function cloudIdentity(id: string): Identity {
  if (!TopicId.safeParse(id).success)
    throw usage(
      `"${id}" is not a cloud user name`,
      'a cloud instance is named like its broker user: 1–64 letters, digits, "_", "-" or "." (no "/"), e.g. parklink-cloud',
    )
  return { kind: 'cloud', cn: id }
}

const HOST = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62}\.?)*[A-Za-z0-9]?$|^[0-9a-fA-F:.]+$/
export function brokerIdentity(host: string): Identity {
  if (!HOST.test(host))
    throw usage(
      `"${host}" is not a host name or address`,
      'give the name or address the clients use in mqtts://HOST:8883',
    )
  return { kind: 'broker', cn: host }
}

/** subjectAltName for a broker certificate: every host given, DNS or IP (RFC 5280 §4.2.1.6). */
export const subjectAltName = (hosts: readonly string[]): string =>
  hosts.map((h) => (/^[0-9.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',')

/** openssl's `-subj` form: '/' inside a value is escaped (RFC 4514 is not what openssl reads). */
export const subjectArg = (id: Identity): string => `/OU=${id.kind}/CN=${id.cn.replaceAll('/', '\\/')}`
