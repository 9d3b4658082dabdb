import { request } from '../api.ts'

/**
 * Registry names for ids (issue 17: enterprise and hazard-source names, not ids), read once per
 * page that asks. A name the identity may not see, or a registry that cannot be read, leaves the id.
 */
export interface Names {
  enterprise(id: string | null | undefined): string
  hazardSource(id: string | null | undefined): string
}

interface Named {
  id: string
  name: string
}

export async function loadNames(): Promise<Names> {
  const read = (path: string) =>
    request<Named[]>(path)
      .then((list) => new Map(list.map((e) => [e.id, e.name])))
      .catch(() => new Map<string, string>())
  const [enterprises, sources] = await Promise.all([
    read('/api/v1/registry/enterprises'),
    read('/api/v1/registry/hazard-sources'),
  ])
  return {
    enterprise: (id) => (id ? (enterprises.get(id) ?? id) : '—'),
    hazardSource: (id) => (id ? (sources.get(id) ?? id) : '—'),
  }
}

/** Until the names arrive: the ids. */
export const idsOnly: Names = { enterprise: (id) => id ?? '—', hazardSource: (id) => id ?? '—' }
