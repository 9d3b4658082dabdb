import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadCloudConfig } from '../../cloud/config.ts'

/**
 * The two replicas' example configs (issue 16): each valid, and alike in everything replicas must
 * share (the database, the shared directory, the live-view key, the token secret's variable, the
 * registry), apart in what must be their own (broker user and so client id, dataDir, address).
 */
const file = (name: string) => new URL(`./${name}`, import.meta.url).pathname
const [a, b] = ['cloud-a.yaml', 'cloud-b.yaml'].map((f) => loadCloudConfig(file(f))) as [
  ReturnType<typeof loadCloudConfig>,
  ReturnType<typeof loadCloudConfig>,
]

describe('replica config examples (deploy/replicas)', () => {
  it('share the database, the shared directory, the keys and the registry', () => {
    for (const c of [a, b]) expect(c.store).toMatchObject({ engine: 'postgres', passwordEnv: 'PARKLINK_DB_PASSWORD' })
    expect(b.store).toEqual(a.store)
    expect(b.auth).toEqual(a.auth)
    expect(a.auth.liveKeyFile).toBeDefined()
    expect(b.reports.dir).toBe(a.reports.dir)
    expect(b.registry).toEqual(a.registry)
    expect(b.coordination).toEqual(a.coordination)
  })

  it('each has its own broker user (so client id and session), dataDir and address', () => {
    expect(a.mqtt.clientId).not.toBe(b.mqtt.clientId)
    expect(a.mqtt.username).not.toBe(b.mqtt.username)
    expect(a.dataDir).not.toBe(b.dataDir)
    expect(a.http.host).not.toBe(b.http.host)
  })

  it('are where the systemd template and nginx look for them', () => {
    const unit = readFileSync(file('../systemd/parklink-cloud@.service'), 'utf8')
    expect(unit).toContain('--config /etc/parklink/cloud-%i.yaml')
    const nginx = readFileSync(file('../nginx/parklink-cloud.conf'), 'utf8')
    for (const c of [a, b]) expect(nginx).toContain(`server ${c.http.host}:${c.http.port} `)
    for (const c of [a, b]) expect(c.http.trustedProxies.length).toBeGreaterThan(0)
  })
})
